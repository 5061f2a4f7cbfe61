from odoo import api, fields, models

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access


class TmsBillingRateSlot(models.Model):
    """The next free call slot of one API key, shared by every Odoo process and worker.

    An accounting system's rate limit belongs to the key, whichever process calls:
    ``rate_limit.SharedRateLimiter`` reserves slots here in short transactions of their
    own.
    """

    _name = "tms.billing.rate.slot"
    _inherit = ["tms.billing.client.access"]
    _description = "API Rate Limit Slot"
    _log_access = False

    key_hash = fields.Char(required=True, readonly=True, index=True)
    next_at = fields.Datetime(required=True, readonly=True)

    _sql_constraints = [
        ("key_hash_unique", "UNIQUE(key_hash)", "One slot per API key."),
    ]

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: slots are the limiter's own."""
        return merge_access(super()._tms_write_access(), {"nobody": {"key_hash", "next_at"}})
