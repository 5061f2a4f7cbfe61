from odoo import fields, models


class TmsBillingSevdeskUnit(models.Model):
    """A unit of the sevDesk account, as *Test connection* last read it (GET /Unity): the
    choices for the unit of invoice positions. Written by that test only."""

    _name = "tms.billing.sevdesk.unit"
    _description = "sevDesk Unit"
    _order = "name, id"

    backend_id = fields.Many2one(
        "tms.billing.backend", string="Connection", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(required=True)
    external_id = fields.Integer(string="sevDesk ID", required=True)

    _sql_constraints = [
        (
            "external_id_uniq",
            "unique(backend_id, external_id)",
            "A sevDesk unit is listed once per connection.",
        ),
    ]
