from odoo.tests import tagged

from .common import SevdeskCase


@tagged("post_install", "-at_install")
class TestSevdeskGerman(SevdeskCase):
    """The client's messages reach a German company in German: the ledger records them
    in the company's language, whoever sends."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_german()
        cls.company.partner_id.lang = "de_DE"

    def test_a_mapper_refusal_is_recorded_in_german(self):
        self._link(self.customer_collective)
        # The account's countries as read once, without the customer's.
        self.backend.sudo().sevdesk_country_ids = {"AT": 1}
        move = self._draft_invoices(self.customer_collective, 1)
        move.with_context(lang="en_US").action_tms_send_exports()
        export = move.tms_export_ids
        self.assertEqual(export.state, "failed")
        self.assertIn(
            "sevDesk kennt kein Land mit dem ISO-Code DE: Prüfen Sie das Land in der Adresse "
            "des Kunden.",
            export.last_error,
        )
        self.assertNotIn("country", export.last_error)
        self.assertFalse(self.fake.invoices)

    def test_what_a_created_contact_lacks_is_told_in_german(self):
        self.fake.inject("POST", "/ContactAddress", ["503"])
        contact = self.backend.with_context(lang="de_DE")._tms_create_contact(self.customer_single)
        self.assertEqual(
            contact["warning"],
            "Vervollständigen Sie den Kontakt in sevDesk von Hand: Adresse nicht gespeichert: "
            "sevDesk hat POST /ContactAddress mit einem Fehler beantwortet (HTTP 503)",
        )
