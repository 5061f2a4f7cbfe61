from odoo import models
from odoo.exceptions import UserError


class SaleAdvancePaymentInv(models.TransientModel):
    _inherit = "sale.advance.payment.inv"

    def create_invoices(self):
        """Override of `sale` to bill transport orders by their billing rules: Odoo's
        regular invoice of a transport order opens the transport invoicing wizard
        instead; down payments stay Odoo's."""
        orders = self.sale_order_ids
        transport = orders.filtered("tms_is_transport")
        if self.advance_payment_method != "delivered" or not transport:
            return super().create_invoices()
        if transport != orders:
            raise UserError(
                self.env._(
                    "%(orders)s are transport orders: invoice them with 'Create transport "
                    "invoices', the others here.",
                    orders=", ".join(transport.mapped("name")),
                )
            )
        if not self.env["tms.billing.wizard"].has_access("create"):
            raise UserError(
                self.env._(
                    "Transport orders are invoiced with 'Create transport invoices', by the "
                    "billing rules of their customers: ask a Transport Billing user."
                )
            )
        return transport.action_tms_open_billing_wizard()
