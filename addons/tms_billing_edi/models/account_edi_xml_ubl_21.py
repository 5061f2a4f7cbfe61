from odoo import models

from .account_edi_common import TRANSPORT_EXPORT


class AccountEdiXmlUBL21(models.AbstractModel):
    _inherit = "account.edi.xml.ubl_21"

    def _export_invoice_vals(self, invoice):
        """Override of `account_edi_ubl_cii` to put the customer's Leitweg-ID in BT-10, and
        to state transports for businesses elsewhere in the EU as reverse charge."""
        # A transport invoice's 0 % for a business elsewhere in the EU is reverse charge
        # (account_edi_common.py).
        transport = invoice if invoice.tms_invoicing_mode else None
        with TRANSPORT_EXPORT.enter(self.env, transport):
            vals = super()._export_invoice_vals(invoice)
        # Odoo fills cbc:BuyerReference (BT-10) with the customer's internal reference
        # (``ref``); the reference the customer asked for takes its place.
        reference = invoice.commercial_partner_id.tms_buyer_reference
        if reference:
            vals["vals"]["buyer_reference"] = reference
        return vals
