from odoo.tests import tagged

from .common import TmsGermanCase


@tagged("post_install", "-at_install")
class TestFiscalPositions(TmsGermanCase):
    """The fiscal position Odoo's German chart gives each customer, and so the VAT of
    their invoices."""

    def _position(self, customer):
        return self.env["account.fiscal.position"]._get_fiscal_position(customer)

    def test_german_customer_with_vat_id_is_domestic(self):
        # Odoo alone ranks "EU with VAT ID" first for her: a domestic invoice without VAT.
        customer = self._customer("Nordfracht GmbH", vat="DE123456788")
        self.assertEqual(
            self._position(customer), self._chart_ref("fiscal_position_domestic_skr03")
        )
        invoice = self._invoice_situations([customer])[customer]
        self.assertEqual(
            invoice.fiscal_position_id, self._chart_ref("fiscal_position_domestic_skr03")
        )
        self.assertEqual(invoice.invoice_line_ids.tax_ids, self._tms_sale_tax())
        self.assertEqual(invoice.amount_tax, 19.0)
        self.assertEqual(invoice._tms_tax_situation(), "domestic")

    def test_german_customer_without_vat_id_is_domestic(self):
        customer = self._customer("Bäckerei Schulz")
        self.assertEqual(
            self._position(customer), self._chart_ref("fiscal_position_domestic_skr03")
        )

    def test_customer_in_another_member_state_with_vat_id_keeps_the_eu_position(self):
        customer = self.situation_customers["eu_business"]
        self.assertEqual(
            self._position(customer), self._chart_ref("fiscal_position_eu_vat_id_partner_skr03")
        )
        self.assertEqual(customer._tms_tax_situation(self.company), "eu_business")
