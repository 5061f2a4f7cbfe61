from odoo import api, fields, models

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access


class TmsBillingSevdeskUser(models.Model):
    """A user of the sevDesk account, as *Test connection* last read it (GET /SevUser):
    the choices for a connection's contact person. Written by that test only."""

    _name = "tms.billing.sevdesk.user"
    _inherit = ["tms.billing.client.access"]
    _description = "sevDesk User"
    _order = "name, id"

    backend_id = fields.Many2one(
        "tms.billing.backend", string="Connection", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(required=True)
    username = fields.Char(help="The user's login in sevDesk.")
    external_id = fields.Char(string="sevDesk ID", required=True)

    _sql_constraints = [
        (
            "external_id_uniq",
            "unique(backend_id, external_id)",
            "A sevDesk user is listed once per connection.",
        ),
    ]

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: read from sevDesk by *Test
        connection*, never written by a client."""
        return merge_access(
            super()._tms_write_access(),
            {"nobody": {"name", "username", "backend_id", "external_id"}},
        )
