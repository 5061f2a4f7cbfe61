from odoo import api, fields, models

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access


class TmsBillingSevdeskUnit(models.Model):
    """A unit of the sevDesk account, as *Test connection* last read it (GET /Unity): the
    choices for the unit of invoice positions. Written by that test only."""

    _name = "tms.billing.sevdesk.unit"
    _inherit = ["tms.billing.client.access"]
    _description = "sevDesk Unit"
    _order = "name, id"

    backend_id = fields.Many2one(
        "tms.billing.backend", string="Connection", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(required=True)
    external_id = fields.Integer(string="sevDesk ID", required=True)
    code = fields.Char(
        string="sevDesk Code", help="The unit's translationCode there, e.g. UNITY_HOUR."
    )

    _sql_constraints = [
        (
            "external_id_uniq",
            "unique(backend_id, external_id)",
            "A sevDesk unit is listed once per connection.",
        ),
    ]

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: read from sevDesk by *Test
        connection*, never written by a client."""
        return merge_access(
            super()._tms_write_access(), {"nobody": {"name", "backend_id", "external_id", "code"}}
        )
