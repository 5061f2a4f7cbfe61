from odoo import api, fields, models

from .tms_billing_client_access import merge_access


class TmsBillingEvent(models.Model):
    """One step in a transport order's billing: invoiced, reset, pushed, failed..."""

    _name = "tms.billing.event"
    _inherit = ["tms.billing.client.access"]
    _description = "Transport Billing Event"
    _order = "create_date desc, id desc"
    _check_company_auto = True

    order_id = fields.Many2one("sale.order", required=True, index=True, ondelete="cascade")
    # Set with the row (no second UPDATE per batch); the order's company, so only the
    # invoice needs a company check.
    company_id = fields.Many2one(
        related="order_id.company_id", store=True, index=True, precompute=True
    )
    move_id = fields.Many2one(
        "account.move", string="Invoice", index=True, ondelete="set null", check_company=True
    )
    kind = fields.Selection(
        [
            ("invoiced", "Invoice created"),
            ("reset", "Back to invoice"),
            ("adjusted", "Adjusted in the preview"),
            ("excluded", "Not invoiced"),
        ],
        required=True,
    )
    message = fields.Char(required=True)
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user)

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the trail is written by the
        project's own steps, never by a client."""
        return merge_access(
            super()._tms_write_access(),
            {"nobody": {"order_id", "company_id", "move_id", "kind", "message", "user_id"}},
        )
