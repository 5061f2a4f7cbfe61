from odoo import models

from odoo.addons.tms_billing.call_scope import CallScope

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


class AccountEdiCommon(models.AbstractModel):
    _inherit = "account.edi.common"

    def _get_tax_unece_codes(self, customer, supplier, tax):
        """Override of `account_edi_ubl_cii` to state a transport for a business in
        another member state as reverse charge."""
        codes = super()._get_tax_unece_codes(customer, supplier, tax)
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
