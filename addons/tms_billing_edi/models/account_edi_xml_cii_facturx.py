from odoo import models

from .account_edi_common import TRANSPORT_EXPORT
from .transport_facts import ORDER_NUMBER_SCHEME, invoice_facts, line_facts


class AccountEdiXmlCII(models.AbstractModel):
    _inherit = "account.edi.xml.cii"

    def _export_invoice_vals(self, invoice):
        """Override of `account_edi_ubl_cii` to state a transport invoice's dates, orders,
        buyer, and its reverse charge (account_edi_common.py)."""
        transport = invoice if invoice.tms_invoicing_mode else None
        with TRANSPORT_EXPORT.enter(self.env, transport):
            vals = super()._export_invoice_vals(invoice)
        reference = invoice.commercial_partner_id.tms_buyer_reference
        if reference:
            vals["buyer_reference"] = reference  # ram:BuyerReference (BT-10)
        facts = invoice_facts(invoice)
        if not facts:
            return vals
        # Odoo puts the invoice and due dates in ram:BillingSpecifiedPeriod (BG-14): a
        # collective invoice has its billing period there, a single invoice none.
        vals["billing_start"], vals["billing_end"] = facts["period"] or (None, None)
        # ram:ActualDeliverySupplyChainEvent (BT-72): Odoo's delivery date, or the invoice
        # date; a collective invoice covers a period instead.
        vals["scheduled_delivery_time"] = facts["delivery_date"]
        for line_vals in vals["invoice_line_vals_list"]:
            facts = line_facts(line_vals["line"])
            if not facts:
                continue
            # Rendered by data/account_edi_templates.xml.
            line_vals["tms_period"] = facts["period"]  # BG-26
            line_vals["tms_note"] = facts["note"]  # BT-127
            line_vals["tms_object_id"] = facts["order"]  # BT-128
            line_vals["tms_object_scheme"] = ORDER_NUMBER_SCHEME  # BT-128-1
        return vals
