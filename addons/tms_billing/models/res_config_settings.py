from odoo import api, fields, models

from .tms_billing_client_access import merge_access


class ResConfigSettings(models.TransientModel):
    _inherit = ["res.config.settings", "tms.billing.client.access"]

    tms_invoicing_mode = fields.Selection(related="company_id.tms_invoicing_mode", readonly=False)
    tms_billing_interval = fields.Selection(
        related="company_id.tms_billing_interval", readonly=False
    )
    tms_line_mode = fields.Selection(related="company_id.tms_line_mode", readonly=False)
    tms_tax_mode = fields.Selection(related="company_id.tms_tax_mode", readonly=False)
    tms_unit_name = fields.Char(related="company_id.tms_unit_name", readonly=False)
    tms_invoice_note = fields.Html(related="company_id.tms_invoice_note", readonly=False)
    tms_small_business = fields.Boolean(related="company_id.tms_small_business", readonly=False)

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the Settings are the administrator's."""
        ours = {name for name in self._fields if name.startswith("tms_")}
        return merge_access(super()._tms_write_access(), {"base.group_system": ours})
