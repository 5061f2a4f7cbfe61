from odoo import fields, models


class TmsBillingWizardInvoice(models.TransientModel):
    """One invoice the wizard is about to create."""

    _name = "tms.billing.wizard.invoice"
    _description = "Transport Invoice Preview"
    _order = "sequence, id"

    wizard_id = fields.Many2one("tms.billing.wizard", required=True, ondelete="cascade")
    sequence = fields.Integer()
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    invoice_partner_id = fields.Many2one("res.partner", string="Invoice Address", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    period = fields.Char(string="Billing Period", readonly=True)
    order_ids = fields.Many2many("sale.order", string="Orders", readonly=True)
    order_count = fields.Integer(string="Orders Count", readonly=True)
    lines_preview = fields.Text(string="Lines", readonly=True)
    amount_untaxed = fields.Monetary(string="Untaxed", readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True)
    split_reason = fields.Char(string="Why a separate invoice", readonly=True)
