from odoo import api, fields, models

from ..models.tms_billing_client_access import merge_access


class TmsBillingWizardExclusion(models.TransientModel):
    """An order the wizard leaves out, and why."""

    _name = "tms.billing.wizard.exclusion"
    _inherit = ["tms.billing.client.access"]
    _description = "Transport Order Not Invoiced"

    wizard_id = fields.Many2one("tms.billing.wizard", required=True, ondelete="cascade")
    order_id = fields.Many2one("sale.order", readonly=True)
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    reason = fields.Char(readonly=True)
    left_out = fields.Boolean(
        string="Left out by user", readonly=True, help="Taken out of this run in the preview."
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the preview writes its exclusions
        itself; orders are left out with *Leave out*, not by a client."""
        return merge_access(
            super()._tms_write_access(),
            {"nobody": {"wizard_id", "order_id", "partner_id", "reason", "left_out"}},
        )
