from odoo import models

from odoo.addons.tms_billing.call_scope import CallScope

# The transport invoice being exported, for the tax codes of its lines (set by the
# UBL and CII exports of tms_billing_edi, around Odoo's).
TRANSPORT_EXPORT = CallScope("transport_export")
# VAT category "Not subject to VAT" (UNTDID 5305 "O"): EN 16931's BR-O-02 forbids the
# seller's and the buyer's VAT identifiers on such an invoice.
NOT_SUBJECT_TO_VAT = "O"


def transport_export(invoice):
    """The transport invoice (or credit note of one) whose e-invoice is being built,
    or None: enter it with ``TRANSPORT_EXPORT.enter(env, transport_export(invoice))``."""
    return invoice if invoice._tms_transport_source() else None


def without_vat_ids(invoice):
    """Whether the e-invoice of ``invoice`` states no VAT identifiers (BR-O-02)."""
    statement = invoice._tms_transport_source() and invoice._tms_tax_statement()
    return bool(statement) and statement[0] == NOT_SUBJECT_TO_VAT


class AccountEdiCommon(models.AbstractModel):
    _inherit = "account.edi.common"

    def _get_tax_unece_codes(self, customer, supplier, tax):
        """Override of `account_edi_ubl_cii` to state a transport invoice's 0 % as its
        tax situation says (``TAX_STATEMENTS`` of tms_billing's vocabulary)."""
        codes = super()._get_tax_unece_codes(customer, supplier, tax)
        invoice = TRANSPORT_EXPORT.get(self.env)
        if not invoice or (tax and tax.amount):
            return codes
        # Odoo answers from the countries alone: "K" (an intra-Community supply of
        # goods) for any 0 % of a customer elsewhere in the EEA, "G" (an export) outside
        # it. A transport is a service: reverse charge (AE) for a business in another
        # member state, not taxable in Germany (O) for one outside the EU. The lexoffice
        # and sevDesk drafts of these invoices say the same (externalService13b, rule
        # 21; thirdPartyCountryService, rule 17).
        statement = invoice._tms_tax_statement()
        if not statement:
            return codes
        category, code, _text = statement
        return {
            "tax_category_code": category,
            "tax_exemption_reason_code": code,
            "tax_exemption_reason": invoice._tms_report_tax_statement(
                lang=invoice._tms_einvoice_lang()
            ),
        }
