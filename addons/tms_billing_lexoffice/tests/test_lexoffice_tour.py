from odoo.tests import HttpCase, tagged

from .common import LexofficeCase


@tagged("post_install", "-at_install")
class TestLexofficeTour(HttpCase, LexofficeCase):
    def test_link_a_customer_from_its_form(self):
        customer = self._customer("Tour Kunde GmbH")
        contact = self.backend._tms_create_contact(customer)
        self.start_tour(
            f"/odoo/res.partner/{customer.id}", "tms_billing_lexoffice_link_tour", login="admin"
        )
        self.assertEqual(customer.tms_partner_link_ids.external_id, contact["id"])
        self.assertEqual(customer.tms_partner_link_ids.external_number, contact["number"])
