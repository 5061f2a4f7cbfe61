from odoo import models

from .res_company import CUSTOMER_NUMBER


class AccountMove(models.Model):
    _inherit = "account.move"

    def _tms_einvoice_buyer_reference(self):
        """The buyer reference (EN 16931 BT-10) of this invoice's e-invoice, which
        XRechnung requires (BR-DE-15): the customer's Leitweg-ID, else what the company's
        *E-Invoice Buyer Reference* setting names: the order reference the customer gave
        (when its orders on this invoice, or those of the invoice a credit note
        reverses, give one and the same; an invoice without orders has its own
        reference), else the customer number (``res.partner._tms_customer_number``)."""
        self.ensure_one()
        customer = self.commercial_partner_id
        if customer.tms_buyer_reference:
            return customer.tms_buyer_reference
        if self.company_id.tms_buyer_reference_source != CUSTOMER_NUMBER:
            source = self
            if self.move_type == "out_refund" and self.reversed_entry_id:
                source = self.reversed_entry_id
            orders = source.sudo().line_ids.sale_line_ids.order_id
            references = set(orders.mapped("client_order_ref")) - {False, ""}
            if not orders and source.ref:
                references = {source.ref}
            if len(references) == 1:
                return references.pop()
        return customer._tms_customer_number()
