from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    tms_buyer_reference_source = fields.Selection(
        related="company_id.tms_buyer_reference_source", readonly=False
    )
