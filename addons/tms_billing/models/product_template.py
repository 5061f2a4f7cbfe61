from odoo import api, fields, models

from .tms_billing_client_access import check_client_create, check_client_write, merge_access


class ProductTemplate(models.Model):
    _inherit = "product.template"

    tms_transport_service = fields.Boolean(
        string="Transport Service",
        help="A transport itself (a full or part load, a tour): its invoice positions count "
        "in the customer's transport unit (e.g. 'Transport', 'Tour'). Other products, such "
        "as tolls or waiting time, keep their unit of measure.",
    )

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
        """Override of `tms_billing.client.access`: whoever edits products says which
        are transports."""
        return merge_access(super()._tms_write_access(), {"*": {"tms_transport_service"}})
