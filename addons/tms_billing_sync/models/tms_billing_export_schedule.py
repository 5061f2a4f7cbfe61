import logging
import time
from datetime import timedelta

from odoo import api, fields, models, modules
from odoo.tools import config

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access

from ..deadline import CALL_DEADLINE, FIRST_ROW_SECONDS
from ..ledger_states import EXTERNAL_FINAL_STATES
from .tms_billing_export import positive_number
from .tms_billing_export_status import POLL_BATCH_SIZE, POLL_EVERY

_logger = logging.getLogger(__name__)

# Each connection has a job of its own (an ir.cron), so that Odoo's cron workers serve
# connections side by side: a slow or failing provider never holds up another one. A
# run of the job looks up unknown outcomes first, then sends what is queued, then reads
# back statuses, until its time budget is spent.

# Rows pushed or read per run.
SEND_BATCH_SIZE = 50
# Seconds one run may spend before it stops and schedules the next run; system
# parameter tms_billing.cron_time_budget, capped by Odoo's own limit below.
CRON_TIME_BUDGET = 60
# Odoo's watchdog times a cron worker from before its sleep between polls (up to 69 s:
# odoo.service.server.SLEEP_INTERVAL plus the last digit of its pid) to the end of its
# jobs, against limit_time_real_cron (by default limit_time_real, 120 s). A run stays
# clear of it by the longest sleep and a margin: 40 s by default. Every call a run makes
# ends by the run's deadline (``CALL_DEADLINE``), so the budget holds with calls in
# flight.
CRON_POLL_SLEEP = 70
CRON_MARGIN = 10
# How often each connection's job runs without being woken (it is woken when invoices
# are queued and when a retry falls due).
JOB_INTERVAL_MINUTES = 15


def cron_time_budget(value):
    """The budget of one run: the system parameter's (or the default), within what
    Odoo's limits leave a cron worker."""
    budget = positive_number(value, CRON_TIME_BUDGET)
    limit = config.get("limit_time_real_cron")
    if limit is None or limit < 0:
        limit = config.get("limit_time_real")
    if limit and limit > 0:
        budget = min(budget, max(limit - CRON_POLL_SLEEP - CRON_MARGIN, 5))
    return budget


class TmsBillingBackend(models.Model):
    """A connection's job: the cron that sends and reads back for it alone."""

    _inherit = "tms.billing.backend"

    cron_id = fields.Many2one(
        "ir.cron", string="Job", readonly=True, copy=False, ondelete="set null"
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the job is the connection's own."""
        return merge_access(super()._tms_write_access(), {"nobody": {"cron_id"}})

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `tms_billing_sync` to give each connection its job."""
        backends = super().create(vals_list)
        for backend in backends:
            backend._tms_cron()
        return backends

    def write(self, vals):
        """Override of `tms_billing_sync`: the job follows the connection's name and
        whether it is active."""
        result = super().write(vals)
        if {"name", "active"} & vals.keys():
            for backend in self:
                backend._tms_cron().write(backend._tms_cron_values())
        return result

    def unlink(self):
        """Override of `base` to remove the connections' jobs with them."""
        crons = self.sudo().cron_id
        result = super().unlink()
        crons.unlink()
        return result

    def _tms_cron_values(self):
        return {
            "name": self.env._("Transport Billing: %(backend)s", backend=self.name),
            "active": self.active,
        }

    def _tms_cron(self):
        """This connection's job, made when missing (for connections made before)."""
        self.ensure_one()
        backend = self.sudo()
        if not backend.cron_id:
            backend.cron_id = (
                self.env["ir.cron"]
                .sudo()
                .create(
                    {
                        **backend._tms_cron_values(),
                        "model_id": self.env["ir.model"]._get_id("tms.billing.export"),
                        "state": "code",
                        "code": f"model._cron_tms_sync_connection({backend.id})",
                        "interval_number": JOB_INTERVAL_MINUTES,
                        "interval_type": "minutes",
                        "user_id": self.env.ref("base.user_root").id,
                    }
                )
            )
        return backend.cron_id

    def _tms_trigger(self, at=None):
        """Start these connections' jobs now, or at ``at``."""
        for backend in self.filtered("active"):
            backend._tms_cron()._trigger(at)

    def _tms_call_lanes(self):
        """How many of this connection's rows its job works on at once (``lanes.py``):
        one, unless the provider's module spaces the calls by the key's limit."""
        return 1

    def _tms_call_deadline(self):
        """The deadline of the provider calls made now (a ``time.monotonic()`` value),
        or None: the providers' clients are made with it."""
        return CALL_DEADLINE.get(self.env)


class TmsBillingExport(models.Model):
    """Each connection's job, and the order its work is done in."""

    _inherit = "tms.billing.export"

    @api.model
    def _tms_due_lookups(self, backend):
        """Rows whose last create may have succeeded unseen, due to be looked up: first,
        as an unknown outcome locks its invoice."""
        now = fields.Datetime.now()
        return self.search(
            [
                ("backend_id", "=", backend.id),
                "|",
                "&",
                "&",
                ("lookup_since", "!=", False),
                ("state", "=", "failed"),
                ("next_attempt_at", "<=", now),
                ("is_stale", "=", True),
            ],
            order="next_attempt_at, id",
            limit=SEND_BATCH_SIZE,
        )

    @api.model
    def _tms_due_sends(self, backend):
        """Rows to send, oldest due first (new ones and retries of certain failures)."""
        return self.search(
            [
                ("backend_id", "=", backend.id),
                ("lookup_since", "=", False),
                ("state", "in", ("to_send", "failed")),
                ("next_attempt_at", "<=", fields.Datetime.now()),
            ],
            order="next_attempt_at, id",
            limit=SEND_BATCH_SIZE,
        )

    @api.model
    def _tms_due_polls(self, backend):
        """Sent rows whose status there can still change (or whose document is still to
        be fetched), not read back within ``POLL_EVERY``."""
        return self.search(
            [
                ("backend_id", "=", backend.id),
                ("state", "=", "sent"),
                "|",
                ("external_status", "not in", EXTERNAL_FINAL_STATES),
                ("document_due", "=", True),
                "|",
                ("status_checked_at", "=", False),
                ("status_checked_at", "<", fields.Datetime.now() - POLL_EVERY),
            ],
            order="status_checked_at, id",
            limit=POLL_BATCH_SIZE,
        )

    @api.model
    def _cron_tms_sync_connection(self, backend_id):
        """A connection's job: look up, send and read back for it until the budget is
        spent; what is left runs in the next run, started at once."""
        backend = self.env["tms.billing.backend"].browse(backend_id).exists()
        if backend.active:
            self._tms_run_connection(backend, ("lookups", "sends", "polls"))

    @api.model
    def _cron_tms_dispatch(self):
        """Every quarter of an hour: each active connection with work due gets its job
        started (a job missing, as for a connection made before jobs were, is made)."""
        for backend in self.env["tms.billing.backend"].search([("active", "=", True)]):
            if any(step(backend) for step in self._tms_steps(("lookups", "sends", "polls"))):
                backend._tms_trigger()

    @api.model
    def _cron_tms_send_exports(self):
        """Look up and send for every connection in turn, in this process."""
        for backend in self.env["tms.billing.backend"].search([("active", "=", True)]):
            self._tms_run_connection(backend, ("lookups", "sends"))

    @api.model
    def _cron_tms_poll_export_status(self):
        """Read back the statuses due for every connection in turn, in this process."""
        for backend in self.env["tms.billing.backend"].search([("active", "=", True)]):
            self._tms_run_connection(backend, ("polls",))

    @api.model
    def _tms_steps(self, names):
        return [
            {"lookups": self._tms_due_lookups, "sends": self._tms_due_sends}.get(name)
            or self._tms_due_polls
            for name in names
        ]

    @api.model
    def _tms_run_connection(self, backend, names):
        """One run for ``backend``: each step of ``names`` on its due rows, in that
        order, while the budget lasts; every provider call ends by the run's deadline."""
        budget = cron_time_budget(
            self.env["ir.config_parameter"].sudo().get_param("tms_billing.cron_time_budget")
        )
        started = time.monotonic()
        deadline = started + budget
        done = 0
        # Every run makes progress: its first row's calls have room whatever the budget.
        with CALL_DEADLINE.enter(self.env, max(deadline, started + FIRST_ROW_SECONDS)):
            for name, step in zip(names, self._tms_steps(names), strict=True):
                if done and time.monotonic() > deadline:
                    break
                rows = step(backend)
                if name == "polls":
                    rows._tms_refresh_status(deadline=deadline)
                else:
                    rows._tms_send_in_lanes(deadline=deadline)
                done += len(rows)
        left = any(step(backend) for step in self._tms_steps(names))
        if not left and not modules.module.current_test:
            # Odoo wakes a cron worker at once only for a trigger due now, else at its
            # next poll, up to 70 s later: a retry due within this run's budget is waited
            # for; a later one gets its trigger.
            wait = self._tms_seconds_to_next_retry(backend)
            if wait is not None and time.monotonic() + wait + 1 < deadline:
                self._tms_commit()
                time.sleep(wait + 1)
                left = True
            elif wait is not None:
                backend._tms_trigger(fields.Datetime.now() + timedelta(seconds=wait))
        if left:
            backend._tms_trigger()
            _logger.info("%s: work left for the next run", backend.name)
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)

    @api.model
    def _tms_seconds_to_next_retry(self, backend):
        """Seconds until the next failed row of ``backend`` falls due again, or None."""
        row = self.search(
            [
                ("backend_id", "=", backend.id),
                ("state", "=", "failed"),
                ("next_attempt_at", "!=", False),
            ],
            order="next_attempt_at",
            limit=1,
        )
        if not row:
            return None
        return max(0.0, (row.next_attempt_at - fields.Datetime.now()).total_seconds())
