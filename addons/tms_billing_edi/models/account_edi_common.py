from odoo import models

from odoo.addons.tms_billing.call_scope import CallScope
from odoo.addons.tms_billing.engine.vat_route import (
    EXPORT_EXEMPT,
    NOT_TAXABLE_THIRD_COUNTRY_ROUTE,
)
from odoo.addons.tms_billing.engine.vocabulary import EXPORT_IMPORT_EXEMPT, THIRD_COUNTRY_ROUTE

# UNTDID 5305 as EN 16931 uses it for the VAT category (BT-118, BT-151): "AE" VAT
# Reverse Charge; its exemption reason code (BT-121) from the VATEX code list,
# "VATEX-EU-AE" Reverse charge. BR-AE-10 wants that code or the text "Reverse charge".
# Source: docs.peppol.eu/poacc/billing/3.0/codelist/UNCL5305/ and /codelist/vatex/.
REVERSE_CHARGE = "AE"
REVERSE_CHARGE_REASON_CODE = "VATEX-EU-AE"
# What Odoo answers for any 0 % tax of a customer elsewhere in the EEA: "K" with
# "VATEX-EU-IC", an intra-Community supply (account_edi_common._get_tax_unece_codes).
INTRA_COMMUNITY = "K"
# The transport invoice being exported, for the tax codes of its lines (set by the
# UBL and CII exports of tms_billing_edi, around Odoo's).
TRANSPORT_EXPORT = CallScope("transport_export")


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
        """Override of `account_edi_ubl_cii` to state a transport for a business in
        another member state as reverse charge, and the 0 % of the route's situations
        (``route_tax_codes``)."""
        codes = super()._get_tax_unece_codes(customer, supplier, tax)
        invoice = TRANSPORT_EXPORT.get(self.env)
        route_codes = invoice and not (tax and tax.amount) and route_tax_codes(invoice)
        if route_codes:
            return route_codes
        # A transport for a business is taxed where the business is (§ 3a Abs. 2 UStG,
        # Art. 44 of Directive 2006/112/EC), and the business owes the VAT there (Art.
        # 196): the invoice says "Steuerschuldnerschaft des Leistungsempfängers" (§ 14a
        # Abs. 1 UStG), not the tax-free supply of goods Odoo's "K" states. The lexoffice
        # and sevDesk drafts of these invoices say the same (externalService13b, rule 21).
        if TRANSPORT_EXPORT.get(self.env) and (codes.get("tax_category_code") == INTRA_COMMUNITY):
            return {
                "tax_category_code": REVERSE_CHARGE,
                "tax_exemption_reason_code": REVERSE_CHARGE_REASON_CODE,
                "tax_exemption_reason": self.env._("Reverse charge"),
            }
        return codes
