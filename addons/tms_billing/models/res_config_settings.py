from odoo import api, fields, models

from .tms_billing_client_access import check_client_create, check_client_write, merge_access


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    tms_invoicing_mode = fields.Selection(related="company_id.tms_invoicing_mode", readonly=False)
    tms_billing_interval = fields.Selection(
        related="company_id.tms_billing_interval", readonly=False
    )
    tms_line_mode = fields.Selection(related="company_id.tms_line_mode", readonly=False)
    tms_tax_mode = fields.Selection(related="company_id.tms_tax_mode", readonly=False)
    tms_unit_name = fields.Char(related="company_id.tms_unit_name", readonly=False)
    tms_invoice_note = fields.Html(related="company_id.tms_invoice_note", readonly=False)
    tms_small_business = fields.Boolean(related="company_id.tms_small_business", readonly=False)

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base` to refuse what the caller may not create with (the
        project's fields: ``_tms_write_access``)."""
        check_client_create(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        """Override of `base` to refuse what the caller may not write (the project's
        fields: ``_tms_write_access``)."""
        check_client_write(self, vals)
        return super().write(vals)

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the Settings are the administrator's."""
        ours = {name for name in self._fields if name.startswith("tms_")}
        return merge_access(super()._tms_write_access(), {"base.group_system": ours})
