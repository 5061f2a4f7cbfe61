from odoo import fields, models


class TmsBillingRateSlot(models.Model):
    """The next free call slot of one API key, shared by every Odoo process and worker.

    An accounting system's rate limit belongs to the key, whichever process calls:
    ``rate_limit.SharedRateLimiter`` reserves slots here in short transactions of their
    own.
    """

    _name = "tms.billing.rate.slot"
    _description = "API Rate Limit Slot"
    _log_access = False

    key_hash = fields.Char(required=True, readonly=True, index=True)
    next_at = fields.Datetime(required=True, readonly=True)

    _sql_constraints = [
        ("key_hash_unique", "UNIQUE(key_hash)", "One slot per API key."),
    ]
