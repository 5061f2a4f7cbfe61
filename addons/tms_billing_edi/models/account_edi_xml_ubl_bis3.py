from odoo import models

from .account_edi_common import TRANSPORT_EXPORT, without_vat_ids
from .transport_facts import invoice_facts

# The tax scheme of a tax registration that is no VAT identifier (BT-32 "Seller tax
# registration identifier", the German Steuernummer): "FC", as XRechnung's examples have.
TAX_NUMBER_SCHEME = "FC"


def seller_tax_number(company):
    """The company's German tax number (Odoo's ``l10n_de_stnr``), or None."""
    return ("l10n_de_stnr" in company._fields and company.l10n_de_stnr) or None


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
        """Override of `account_edi_ubl_cii` to leave out a tax scheme without identifier,
        the VAT identifiers an invoice not subject to VAT must not state, and to add the
        seller's tax number."""
        vals_list = super()._get_partner_party_tax_scheme_vals_list(partner, role)
        # For a customer without VAT id Odoo states its Peppol scheme with an empty
        # cbc:CompanyID, which EN 16931 refuses: "[UBL-SR-53] CompanyID (VAT Identifier)
        # must be stated when providing the PartyTaxScheme/TaxScheme/ID".
        vals_list = [vals for vals in vals_list if vals.get("company_id")]
        invoice = TRANSPORT_EXPORT.get(self.env)
        if not invoice:
            return vals_list
        if without_vat_ids(invoice):
            # [BR-O-02] An invoice with "Not subject to VAT" (O) lines "shall not contain
            # the Seller VAT identifier (BT-31), the Seller tax representative VAT
            # identifier (BT-63) or the Buyer VAT identifier (BT-48)".
            vals_list = [v for v in vals_list if v.get("tax_scheme_vals", {}).get("id") != "VAT"]
        tax_number = seller_tax_number(invoice.company_id)
        if role == "supplier" and tax_number:
            # cac:PartyTaxScheme with a scheme other than VAT: BT-32.
            vals_list.append(
                {"company_id": tax_number, "tax_scheme_vals": {"id": TAX_NUMBER_SCHEME}}
            )
        return vals_list
