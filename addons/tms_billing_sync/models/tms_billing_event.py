from odoo import fields, models


class TmsBillingEvent(models.Model):
    _inherit = "tms.billing.event"

    kind = fields.Selection(
        selection_add=[("export", "External system")], ondelete={"export": "cascade"}
    )
