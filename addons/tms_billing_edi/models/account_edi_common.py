from odoo import models

from odoo.addons.tms_billing.call_scope import CallScope
from odoo.addons.tms_billing.engine.vat_route import (
    EXPORT_EXEMPT,
    NOT_TAXABLE_THIRD_COUNTRY_ROUTE,
)
from odoo.addons.tms_billing.engine.vocabulary import EXPORT_IMPORT_EXEMPT, THIRD_COUNTRY_ROUTE

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


# The route's situations whose 0 % lines the VAT table (tms_billing's engine/vat_route.py)
# states otherwise than Odoo does from the countries alone, with the treatment a row of
# the table gives them when the invoice's orders do not say more: "E" Exempt from VAT,
# "O" Services outside scope of tax (UNTDID 5305).
ROUTE_TREATMENTS = {
    EXPORT_IMPORT_EXEMPT: EXPORT_EXEMPT,
    THIRD_COUNTRY_ROUTE: NOT_TAXABLE_THIRD_COUNTRY_ROUTE,
}


def route_tax_codes(invoice):
    """``{tax_category_code, tax_exemption_reason_code, tax_exemption_reason}`` of a
    transport invoice's 0 % lines as its tax situation of the route says, or None.

    A transport of exported or imported goods is exempt ("E") under § 4 Nr. 3 Buchst. a
    UStG, which the exemption reason states (BR-E-10); its code from the CEF VATEX list
    is that of the exemption the directive grants, "VATEX-EU-146-1E" (Art. 146 Abs. 1
    Buchst. e MwStSystRL, services linked to exports) or "VATEX-EU-144" (Art. 144,
    imports), stated when all the invoice's orders have the same, else left to the text.
    A transport within a third country is not taxable in Germany ("O", "VATEX-EU-O").
    Source of the codes: docs.peppol.eu/poacc/billing/3.0/codelist/UNCL5305/ and
    /codelist/vatex/."""
    situation = invoice._tms_tax_situation()
    if situation not in ROUTE_TREATMENTS:
        return None
    orders = invoice.sudo().line_ids.sale_line_ids.order_id
    decide = orders._tms_vat_decider()
    treatments = {
        decision.treatment
        for decision in (decide(*order._tms_vat_facts()) for order in orders)
        if decision and decision.situation == situation
    } or {ROUTE_TREATMENTS[situation]}
    codes = {treatment.vatex for treatment in treatments}
    treatment = next(iter(treatments))
    return {
        "tax_category_code": treatment.category,
        "tax_exemption_reason_code": codes.pop() if len(codes) == 1 else None,
        "tax_exemption_reason": treatment.exemption_reason,
    }


class AccountEdiCommon(models.AbstractModel):
    _inherit = "account.edi.common"

    def _get_tax_unece_codes(self, customer, supplier, tax):
        """Override of `account_edi_ubl_cii` to state a transport invoice's 0 % as its
        tax situation says: the route's situations with the exemption code of their
        orders (``route_tax_codes``), the others as ``TAX_STATEMENTS`` of tms_billing's
        vocabulary says."""
        codes = super()._get_tax_unece_codes(customer, supplier, tax)
        invoice = TRANSPORT_EXPORT.get(self.env)
        if not invoice or (tax and tax.amount):
            return codes
        route_codes = route_tax_codes(invoice)
        if route_codes:
            # The reason in the words the PDF prints, in the customer's language.
            statement = invoice._tms_report_tax_statement(lang=invoice._tms_einvoice_lang())
            return route_codes | {
                "tax_exemption_reason": statement or route_codes["tax_exemption_reason"]
            }
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
