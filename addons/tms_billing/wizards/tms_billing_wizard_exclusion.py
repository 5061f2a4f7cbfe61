from odoo import fields, models


class TmsBillingWizardExclusion(models.TransientModel):
    """An order the wizard leaves out, and why."""

    _name = "tms.billing.wizard.exclusion"
    _description = "Transport Order Not Invoiced"

    wizard_id = fields.Many2one("tms.billing.wizard", required=True, ondelete="cascade")
    order_id = fields.Many2one("sale.order", readonly=True)
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    reason = fields.Char(readonly=True)
    left_out = fields.Boolean(
        string="Left out by user", readonly=True, help="Taken out of this run in the preview."
    )
