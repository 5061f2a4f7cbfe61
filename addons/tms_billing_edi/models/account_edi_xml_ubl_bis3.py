from odoo import models

from .transport_facts import invoice_facts


class AccountEdiXmlUBLBIS3(models.AbstractModel):
    _inherit = "account.edi.xml.ubl_bis3"

    def _get_delivery_vals_list(self, invoice):
        """Override of `account_edi_ubl_cii` to state BT-72 only for a single delivery."""
        vals_list = super()._get_delivery_vals_list(invoice)
        facts = invoice_facts(invoice)
        if facts:
            # Odoo states the invoice date for deliveries within the EU, the last delivery
            # otherwise; a collective invoice has its period (BG-14), which satisfies
            # BR-IC-11 ("Actual delivery date (BT-72) or the Invoicing period (BG-14)").
            for vals in vals_list:
                vals["actual_delivery_date"] = facts["delivery_date"]
        return vals_list

    def _get_partner_party_tax_scheme_vals_list(self, partner, role):
        """Override of `account_edi_ubl_cii` to leave out a tax scheme without identifier."""
        vals_list = super()._get_partner_party_tax_scheme_vals_list(partner, role)
        # For a customer without VAT id Odoo states its Peppol scheme with an empty
        # cbc:CompanyID, which EN 16931 refuses: "[UBL-SR-53] CompanyID (VAT Identifier)
        # must be stated when providing the PartyTaxScheme/TaxScheme/ID".
        return [vals for vals in vals_list if vals.get("company_id")]
