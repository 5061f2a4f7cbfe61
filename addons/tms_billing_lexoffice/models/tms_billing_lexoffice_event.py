import hashlib
from datetime import UTC, datetime, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access

# How far an event's eventDate may be from our clock, either way, to be acted on.
# lexoffice calls back as the change happens, so a genuine event is seconds old: 15
# minutes cover the two clocks' drift and a delivery delayed on lexoffice's side. Beyond
# it a captured event is refused, and the seen events need only be kept this long. A
# genuine event refused as late loses nothing but time: the hourly read-back still
# brings the status.
EVENT_WINDOW = timedelta(minutes=15)


class TmsBillingLexofficeEvent(models.Model):
    """A lexoffice event a connection has acted on, kept for ``EVENT_WINDOW`` so that the
    same signed event, sent again, is not acted on twice (each time spending the API
    key's rate limit).

    An event is the signed body itself: only lexoffice can sign another one, so the
    SHA-256 of the body names it. Rows are written by the event receiver only;
    administrators may read them.
    """

    _name = "tms.billing.lexoffice.event"
    _inherit = ["tms.billing.client.access"]
    _description = "lexoffice Event Received"
    _order = "id desc"
    _log_access = False

    backend_id = fields.Many2one(
        "tms.billing.backend",
        string="Connection",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    body_hash = fields.Char(string="Body SHA-256", required=True, readonly=True)
    event_type = fields.Char(readonly=True)
    resource_id = fields.Char(string="Resource ID", readonly=True)
    event_date = fields.Datetime(required=True, readonly=True, index=True)
    received_at = fields.Datetime(required=True, readonly=True)

    _sql_constraints = [
        (
            "backend_body_unique",
            "UNIQUE(backend_id, body_hash)",
            "A lexoffice event is recorded once per connection.",
        ),
    ]

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: written by the event receiver only."""
        return merge_access(
            super()._tms_write_access(),
            {
                "nobody": {
                    "backend_id",
                    "body_hash",
                    "event_type",
                    "resource_id",
                    "event_date",
                    "received_at",
                }
            },
        )

    @api.model
    def _tms_record(self, backend, body, event):
        """Record ``event`` (its verified ``body``) for ``backend``; False when it was
        recorded before. It is recorded in the caller's transaction: an event whose
        handling fails is not remembered, and is acted on when sent again. Of two
        requests with the same event at once, the second waits for the first's
        transaction and then finds its row."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO tms_billing_lexoffice_event
                    (backend_id, body_hash, event_type, resource_id, event_date, received_at)
                VALUES (%s, %s, %s, %s, %s, %s)
                ON CONFLICT (backend_id, body_hash) DO NOTHING
                RETURNING id
                """,
                backend.id,
                hashlib.sha256(body).hexdigest(),
                event["event_type"],
                event["resource_id"],
                event["event_date"].astimezone(UTC).replace(tzinfo=None),
                fields.Datetime.now(),
            )
        )
        return bool(self.env.cr.fetchone())

    @api.autovacuum
    def _gc_tms_expired_events(self):
        """Forget events the window refuses anyway (daily, with Odoo's auto-vacuum)."""
        limit = datetime.now(UTC).replace(tzinfo=None) - EVENT_WINDOW
        self.env.cr.execute(
            SQL("DELETE FROM tms_billing_lexoffice_event WHERE event_date < %s", limit)
        )
