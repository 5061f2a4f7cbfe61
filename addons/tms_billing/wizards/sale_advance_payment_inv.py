from odoo import api, models
from odoo.exceptions import UserError

from ..models.tms_billing_client_access import merge_access


class SaleAdvancePaymentInv(models.TransientModel):
    _inherit = "sale.advance.payment.inv"

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: Odoo's invoicing of an order opens
        the transport invoicing wizard for transport orders, which is for Transport
        Billing users."""
        return merge_access(
            super()._tms_method_access(),
            {"create_invoices": {"tms_billing.group_tms_billing_user"}},
        )

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
