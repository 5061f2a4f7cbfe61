import logging
import re
import time
import uuid
from datetime import timedelta

import psycopg2

from odoo import api, fields, models, modules
from odoo.exceptions import AccessError, UserError
from odoo.tools import config

from ..const import EXPORT_STATES, EXTERNAL_FINAL_STATES, EXTERNAL_STATES
from ..export_errors import (
    ExportAuthFailed,
    ExportError,
    ExportOutcomeUnknown,
    ExportRejected,
    retry_delay,
)

_logger = logging.getLogger(__name__)

# Exports pushed per cron call; the cron runner commits and calls again while some remain.
SEND_BATCH_SIZE = 50
POLL_BATCH_SIZE = 100
MAX_ATTEMPTS = 8
# A row left "sending" this long belongs to a worker that died mid-push; the system
# parameter tms_billing.stale_sending_minutes changes it.
STALE_SENDING = timedelta(minutes=15)
# Seconds one cron run may push or poll before it stops and schedules the next run;
# system parameter tms_billing.cron_time_budget, capped by Odoo's own limit below.
CRON_TIME_BUDGET = 60
# Odoo's watchdog times a cron worker from before its sleep between polls (up to 69 s:
# odoo.service.server.SLEEP_INTERVAL plus the last digit of its pid) to the end of its
# jobs, against limit_time_real_cron (by default limit_time_real, 120 s). A run stays
# clear of it by the longest sleep and a margin for its last row: 40 s by default.
CRON_POLL_SLEEP = 70
CRON_MARGIN = 10
# After a create whose outcome is unknown, the invoice is looked up after this many
# seconds (then backing off). Not finding it is only trusted once the unknown attempt is
# LOOKUP_SETTLE old: a provider's search may show a new invoice with some delay, which no
# provider documents, and a look-up too early must never lead to a second invoice.
LOOKUP_DELAY = 10
LOOKUP_SETTLE = timedelta(seconds=60)
# "Send now" pushes this many invoices at once in the request, starting none after
# SEND_NOW_BUDGET seconds; more are queued for the cron. With calls of at most 60 s
# (MAX_TIMEOUT of the connection) a request stays well inside Odoo's limit of 120 s.
SEND_NOW_MAX = 5
SEND_NOW_BUDGET = 30
POLL_EVERY = timedelta(hours=1)
# A provider may answer with an error page of any size: what is kept of it.
MAX_ERROR_LENGTH = 4000
# The accounting system's rendered document of a sent invoice is attached to the invoice
# once the invoice there is no longer a draft (a draft has none: lexoffice answers 409,
# sevDesk creates drafts only). It is a read, made after the push or the status read is
# recorded, never in their way: a failure is recorded on the row (document_error) and the
# fetch is tried again at the next status poll, at most MAX_DOCUMENT_ATTEMPTS times in a
# row ("Refresh status" starts again). A document larger than
# MAX_DOCUMENT_BYTES, or one that is not a PDF, is refused the same way.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_DOCUMENT_ATTEMPTS = 8
MAX_DOCUMENT_ERROR_LENGTH = 500
NO_DOCUMENT_STATES = ("draft", "deleted")
# What only the ledger's own methods change, as superuser after their entry checks: a
# user or RPC client cannot mark an invoice "sent" that never was.
LEDGER_FIELDS = frozenset(
    {
        "move_id",
        "backend_id",
        "state",
        "marker",
        "external_id",
        "external_number",
        "external_status",
        "external_status_raw",
        "attempts",
        "last_error",
        "lookup_since",
        "next_attempt_at",
        "last_attempt_at",
        "sent_at",
        "status_checked_at",
        "cancel_state",
        "cancel_reference",
        "cancel_message",
        "cancel_lookup",
        "document_attachment_id",
        "document_version",
        "document_due",
        "document_error",
        "document_attempts",
    }
)
DOCUMENT_TYPES = [("invoice", "Invoice"), ("credit_note", "Credit Note")]
CANCEL_STATES = [
    ("cancelling", "Cancelling"),
    ("cancelled", "Cancelled there"),
    ("kept", "Left there"),
    ("failed", "Cancelling failed"),
]


def _cron_time_budget(value):
    """The budget of one cron run: the system parameter's (or the default), within what
    Odoo's limits leave a cron worker."""
    budget = _positive_number(value, CRON_TIME_BUDGET)
    limit = config.get("limit_time_real_cron")
    if limit is None or limit < 0:
        limit = config.get("limit_time_real")
    if limit and limit > 0:
        budget = min(budget, max(limit - CRON_POLL_SLEEP - CRON_MARGIN, 5))
    return budget


def _positive_number(value, default):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


class TmsBillingExport(models.Model):
    """The ledger of one invoice in one accounting system.

    It records the intent before any call (and commits it), the external id as soon as
    it is known, and whether the last create call may have succeeded unseen: such a row
    is looked up remotely before it is ever sent again.
    """

    _name = "tms.billing.export"
    _description = "Invoice Export"
    _order = "id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    backend_id = fields.Many2one(
        "tms.billing.backend",
        string="Accounting System",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    document_type = fields.Selection(
        DOCUMENT_TYPES,
        compute="_compute_document_type",
        store=True,
        help="A refund is sent as a credit note of the invoice it reverses.",
    )
    partner_id = fields.Many2one(
        related="move_id.commercial_partner_id", string="Customer", store=True
    )
    provider = fields.Selection(related="backend_id.provider")
    state = fields.Selection(
        EXPORT_STATES, required=True, default="to_send", index=True, readonly=True
    )
    marker = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: f"TMS-{uuid.uuid4().hex[:16]}",
        help="Our reference, stored with the external invoice to recognise it again.",
    )
    external_id = fields.Char(string="External ID", readonly=True, copy=False)
    external_number = fields.Char(readonly=True, copy=False)
    external_status = fields.Selection(EXTERNAL_STATES, readonly=True, copy=False)
    external_status_raw = fields.Char(
        string="Status There",
        readonly=True,
        copy=False,
        help="The status as the accounting system names it, kept when it is unknown here.",
    )
    external_url = fields.Char(string="Web Link", compute="_compute_external_url")
    order_names = fields.Char(related="move_id.invoice_origin", string="Orders")
    is_stale = fields.Boolean(
        string="Stuck",
        compute="_compute_is_stale",
        search="_search_is_stale",
        help="Left 'sending' longer than the system parameter "
        "tms_billing.stale_sending_minutes allows (15 by default): the worker that sent "
        "it probably stopped. It is looked up before it is sent again.",
    )
    attempts = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True)
    lookup_since = fields.Datetime(
        readonly=True,
        help="Start of the first attempt whose outcome is not known for certain.",
    )
    needs_lookup = fields.Boolean(
        compute="_compute_needs_lookup",
        help="The last create call may have succeeded: look for the invoice before sending.",
    )
    next_attempt_at = fields.Datetime(
        string="Next Attempt", readonly=True, index=True, default=fields.Datetime.now
    )
    last_attempt_at = fields.Datetime(string="Last Attempt", readonly=True)
    sent_at = fields.Datetime(string="Sent On", readonly=True)
    status_checked_at = fields.Datetime(string="Status Checked On", readonly=True)
    # The cancellation there of an invoice cancelled here, where the provider documents
    # one (sevDesk); recorded like the push: intent, call, result.
    cancel_state = fields.Selection(
        CANCEL_STATES, string="Cancellation There", readonly=True, copy=False
    )
    cancel_reference = fields.Char(
        string="Cancellation Document",
        readonly=True,
        copy=False,
        help="The document the accounting system made when it cancelled the invoice.",
    )
    cancel_message = fields.Text(string="Cancellation Notice", readonly=True, copy=False)
    cancel_lookup = fields.Boolean(
        readonly=True,
        copy=False,
        help="The last cancellation call may have been performed: its status is read "
        "before it is ever asked again.",
    )

    # The accounting system's own document (see MAX_DOCUMENT_BYTES): the newest one is
    # linked here; a newer version (another status there, or the provider's revision of
    # the invoice) is attached beside it and the older one is kept, marked as superseded,
    # as it may have been sent to the customer already.
    document_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Document There",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The document as the accounting system rendered it, attached to the invoice.",
    )
    document_version = fields.Char(
        readonly=True,
        copy=False,
        help="What the attached document was rendered from: the accounting system's "
        "revision of the invoice, or its status there when it names no revision.",
    )
    document_due = fields.Boolean(
        string="Document Pending",
        readonly=True,
        copy=False,
        help="The accounting system's document is fetched at the next status check.",
    )
    document_error = fields.Text(readonly=True, copy=False)
    document_attempts = fields.Integer(readonly=True, copy=False)

    _sql_constraints = [
        (
            "move_backend_unique",
            "UNIQUE(move_id, backend_id)",
            "An invoice is exported once per accounting system.",
        ),
        ("marker_unique", "UNIQUE(marker)", "The export reference must be unique."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base`: a row's state is the ledger's to set, not the caller's."""
        settable = {"move_id", "backend_id"}
        if not self.env.su and any((LEDGER_FIELDS - settable) & set(vals) for vals in vals_list):
            raise AccessError(self.env._("Export rows record their state by themselves."))
        return super().create(vals_list)

    def write(self, vals):
        """Override of `base`: the ledger changes through its own actions only."""
        if not self.env.su and LEDGER_FIELDS & set(vals):
            raise AccessError(self.env._("The export ledger changes through its own actions only."))
        return super().write(vals)

    @api.depends("move_id.move_type")
    def _compute_document_type(self):
        for export in self:
            export.document_type = (
                "credit_note" if export.move_id.move_type == "out_refund" else "invoice"
            )

    @api.depends("backend_id.app_url", "external_id", "document_type")
    def _compute_external_url(self):
        for export in self:
            export.external_url = (
                export.external_id and export.backend_id._tms_document_url(export)
            ) or False

    @api.depends("state", "last_attempt_at")
    def _compute_is_stale(self):
        stale = fields.Datetime.now() - self._tms_stale_sending()
        for export in self:
            export.is_stale = bool(
                export.state == "sending"
                and export.last_attempt_at
                and export.last_attempt_at < stale
            )

    def _search_is_stale(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on the stuck flag."))
        stale = [
            ("state", "=", "sending"),
            ("last_attempt_at", "<", fields.Datetime.now() - self._tms_stale_sending()),
        ]
        return stale if (operator == "=") == value else ["!", "&", *stale]

    @api.depends("lookup_since")
    def _compute_needs_lookup(self):
        for export in self:
            export.needs_lookup = bool(export.lookup_since)

    @api.depends("move_id.name", "move_id.invoice_origin", "backend_id.name")
    def _compute_display_name(self):
        # A draft has no number yet: its orders say which invoice it is.
        for export in self:
            move = export.move_id
            name = move.name if move.name and move.name != "/" else move.display_name
            if move.invoice_origin:
                name = f"{name} ({move.invoice_origin})"
            export.display_name = f"{name} → {export.backend_id.name}"

    # -- queueing ---------------------------------------------------------------

    @api.model
    def _tms_queue(self, moves, backends=None):
        """The ledger rows of ``moves`` for ``backends`` (default: their companies'
        active connections), created where missing."""
        if backends is None:
            backends = self.env["tms.billing.backend"].search(
                [("company_id", "in", moves.company_id.ids)]
            )
        existing = self.search([("move_id", "in", moves.ids), ("backend_id", "in", backends.ids)])
        known = {(export.move_id.id, export.backend_id.id) for export in existing}
        missing = [
            {"move_id": move.id, "backend_id": backend.id}
            for move in moves
            for backend in backends
            if backend.company_id == move.company_id and (move.id, backend.id) not in known
        ]
        return existing | self.create(missing)

    @api.model
    def _tms_queue_auto(self, moves, timing="create"):
        """Queue invoices for the connections that send them at this moment of their
        life (``timing``: "create" or "post")."""
        if not moves:
            return self
        backends = self.env["tms.billing.backend"].search(
            [("company_id", "in", moves.company_id.ids), ("push_timing", "=", timing)]
        )
        if not backends:
            return self
        exports = self._tms_queue(moves, backends)
        self.env.ref("tms_billing.ir_cron_tms_send_exports")._trigger()
        return exports

    @api.model
    def _tms_queue_credit_notes(self, refunds, timings=None):
        """The rows of confirmed refunds, as credit notes, on each connection their
        invoice was sent to (of those whose push timing is in ``timings``, when given).
        A refund of an invoice that never reached a connection is not queued there."""
        exports = self
        for refund in refunds.filtered(
            lambda move: move.move_type == "out_refund" and move.state == "posted"
        ):
            for origin in refund._tms_refund_origin_exports():
                backend = origin.backend_id
                if backend.active and (timings is None or backend.push_timing in timings):
                    exports |= self._tms_queue(refund, backend)
        if exports and timings is not None:
            self.env.ref("tms_billing.ir_cron_tms_send_exports")._trigger()
        return exports

    # -- sending ----------------------------------------------------------------

    def _tms_commit(self):
        """Make the ledger's state durable before or after an external call."""
        if not modules.module.current_test:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _tms_claim(self):
        """Take this row for one attempt: None if it is sent or another worker has it,
        else whether the invoice must be looked up before it is sent.
        """
        self.ensure_one()
        stale = fields.Datetime.now() - self._tms_stale_sending()
        self.flush_recordset()
        self.env.cr.execute(
            """
            WITH old AS (
                SELECT id, lookup_since, state FROM tms_billing_export
                 WHERE id = %s
                   AND (state IN ('to_send', 'failed')
                        OR (state = 'sending' AND last_attempt_at < %s))
                   FOR NO KEY UPDATE SKIP LOCKED
            )
            UPDATE tms_billing_export AS export
               SET state = 'sending', attempts = COALESCE(export.attempts, 0) + 1,
                   last_attempt_at = (now() AT TIME ZONE 'UTC'),
                   -- A row left sending: its unknown attempt began when it was claimed.
                   lookup_since = COALESCE(
                       export.lookup_since,
                       CASE WHEN old.state = 'sending' THEN export.last_attempt_at END,
                       now() AT TIME ZONE 'UTC'
                   ),
                   write_date = (now() AT TIME ZONE 'UTC'), write_uid = %s
              FROM old
             WHERE export.id = old.id
         RETURNING old.lookup_since IS NOT NULL OR old.state = 'sending'
            """,
            (self.id, stale, self.env.uid),
        )
        row = self.env.cr.fetchone()
        self.invalidate_recordset()
        return None if row is None else row[0]

    @api.model
    def _tms_stale_sending(self):
        minutes = (
            self.env["ir.config_parameter"].sudo().get_param("tms_billing.stale_sending_minutes")
        )
        return timedelta(minutes=_positive_number(minutes, STALE_SENDING.total_seconds() / 60))

    def _tms_send(self, deadline=None):
        """Push each row once (claim, commit, call, record, commit); never raises for a
        provider's error, which is recorded on the row instead. Rows left when
        ``deadline`` (a ``time.monotonic()`` value) has passed stay due."""
        sent = self.browse()
        for index, export in enumerate(self):
            # At least one row per run, so that every run makes progress.
            if index and deadline and time.monotonic() > deadline:
                break
            lookup_first = export._tms_claim()
            if lookup_first is None:
                continue
            export._tms_commit()
            if export._tms_send_claimed(lookup_first):
                sent |= export
                # Recorded and committed: the document is a read that follows.
                export._tms_document_after_push()
            export._tms_commit()
        return sent

    def _tms_send_claimed(self, lookup_first):
        backend = self.backend_id
        pending_lookup, called = lookup_first, False
        try:
            result = None
            if lookup_first:
                result = backend._tms_find_invoice(self)
                if not result and self._tms_lookup_too_early():
                    raise ExportOutcomeUnknown(
                        self.env._(
                            "Not found there yet; it is looked for again before it is ever "
                            "sent a second time."
                        )
                    )
                pending_lookup = False
            if not result:
                draft = self.move_id._tms_prepare_export_draft(self)
                called = True
                result = backend._tms_send_invoice(self, draft)
        except psycopg2.Error:
            raise
        except ExportError as error:
            if pending_lookup and error.retry is False and not isinstance(error, ExportAuthFailed):
                # A look-up that fails leaves the outcome as unknown as it was: never
                # refuse the invoice on it, look again later.
                error = ExportOutcomeUnknown(
                    self.env._("Looking for the invoice failed: %(error)s", error=error)
                )
            self._tms_record_failure(error, pending_lookup or (called and error.outcome_unknown))
            return False
        except UserError as error:
            self._tms_record_failure(ExportRejected(error.args[0]), pending_lookup)
            return False
        except Exception as error:
            _logger.exception("Export %s to %s failed unexpectedly", self.marker, backend.name)
            unexpected = ExportError(self.env._("Unexpected error: %(error)s", error=error))
            self._tms_record_failure(unexpected, pending_lookup or called)
            return False
        self._tms_record_success(result)
        return True

    def _tms_lookup_too_early(self):
        return bool(self.lookup_since and fields.Datetime.now() - self.lookup_since < LOOKUP_SETTLE)

    def _tms_record_success(self, result):
        self.sudo().write(
            {
                "state": "sent",
                "lookup_since": False,
                "external_id": result["external_id"],
                "external_number": result.get("number") or False,
                "external_status": result.get("status") or "draft",
                "sent_at": fields.Datetime.now(),
                "status_checked_at": fields.Datetime.now(),
                "last_error": False,
                "next_attempt_at": False,
            }
        )
        # The external id is durable before anything that could fail is tried.
        self._tms_commit()
        message = self._tms_log_env()._(
            "Sent as a draft to %(backend)s (%(reference)s).",
            backend=self.backend_id.name,
            reference=self.external_number or self.external_id,
        )
        self._tms_log(message)

    def _tms_record_failure(self, error, needs_lookup):
        retry = error.retry and self.attempts < MAX_ATTEMPTS
        error = str(error)
        if len(error) > MAX_ERROR_LENGTH:
            error = error[: MAX_ERROR_LENGTH - 1] + "…"
        next_attempt = False
        if retry:
            # A pending look-up is a read: it comes soon. Anything else backs off minutes.
            base = LOOKUP_DELAY if needs_lookup else 60
            next_attempt = fields.Datetime.now() + timedelta(
                seconds=retry_delay(self.attempts, base=base)
            )
            self.env.ref("tms_billing.ir_cron_tms_send_exports")._trigger(next_attempt)
        self.sudo().write(
            {
                "state": "failed",
                "lookup_since": self.lookup_since if needs_lookup else False,
                "last_error": error,
                "next_attempt_at": next_attempt,
            }
        )
        self._tms_commit()
        _logger.info("Export %s to %s failed: %s", self.marker, self.backend_id.name, error)
        # Log the first failure and the one that needs a person, not every retry.
        if self.attempts == 1 or not retry:
            env = self._tms_log_env()
            if retry:
                message = env._(
                    "Sending to %(backend)s failed, it is retried automatically: %(error)s",
                    backend=self.backend_id.name,
                    error=error,
                )
            else:
                message = env._(
                    "Sending to %(backend)s failed and needs your attention: %(error)s",
                    backend=self.backend_id.name,
                    error=error,
                )
            self._tms_log(message)

    def _tms_log_env(self):
        """The environment the row's chatter notes and events are worded in: the
        company's language (``res.company._tms_log_lang``), whoever sends."""
        return self.company_id._tms_log_env(self.env)

    def _tms_log(self, message):
        """Tell the invoice's chatter and the orders' events; never fails the ledger,
        whose state is recorded before."""
        move = self.move_id.sudo()
        try:
            with self.env.cr.savepoint():
                move.message_post(body=message, author_id=self.env.user.partner_id.id)
                self.env["tms.billing.event"].sudo().create(
                    [
                        {
                            "order_id": order.id,
                            "move_id": move.id,
                            "kind": "export",
                            "message": message,
                        }
                        for order in move.tms_order_ids
                    ]
                )
        except Exception:
            _logger.exception("Could not log on %s: %s", move.display_name, message)

    # -- background jobs --------------------------------------------------------

    def _tms_due_domain(self):
        return [
            ("backend_id.active", "=", True),
            "|",
            "&",
            ("state", "in", ("to_send", "failed")),
            ("next_attempt_at", "<=", fields.Datetime.now()),
            ("is_stale", "=", True),
        ]

    @api.model
    def _cron_tms_send_exports(self, batch_size=SEND_BATCH_SIZE):
        """Drain the ledger: due rows, oldest first, one batch per call."""
        self._tms_run_batch(
            self._tms_due_domain(),
            "next_attempt_at, id",
            batch_size,
            "_tms_send",
            "tms_billing.ir_cron_tms_send_exports",
            next_due=self._tms_seconds_to_next_retry,
        )

    @api.model
    def _tms_seconds_to_next_retry(self):
        """Seconds until the next failed row falls due again, or None."""
        row = self.search(
            [
                ("backend_id.active", "=", True),
                ("state", "=", "failed"),
                ("next_attempt_at", "!=", False),
            ],
            order="next_attempt_at",
            limit=1,
        )
        if not row:
            return None
        return max(0.0, (row.next_attempt_at - fields.Datetime.now()).total_seconds())

    @api.model
    def _cron_tms_poll_export_status(self, batch_size=POLL_BATCH_SIZE):
        """Read back the external status of sent invoices that can still change."""
        # A row whose document is still to be fetched is read again, final or not.
        domain = [
            ("backend_id.active", "=", True),
            ("state", "=", "sent"),
            "|",
            ("external_status", "not in", EXTERNAL_FINAL_STATES),
            ("document_due", "=", True),
            "|",
            ("status_checked_at", "=", False),
            ("status_checked_at", "<", fields.Datetime.now() - POLL_EVERY),
        ]
        self._tms_run_batch(
            domain,
            "status_checked_at, id",
            batch_size,
            "_tms_refresh_status",
            "tms_billing.ir_cron_tms_poll_export_status",
        )

    @api.model
    def _tms_run_batch(self, domain, order, batch_size, method, cron_xmlid, next_due=None):
        """One cron run: ``method`` on the first rows of ``domain`` until the time budget
        is spent; a run that leaves rows schedules the next one at once, in a fresh
        worker, rather than letting Odoo's runner call it again within this one."""
        budget = _cron_time_budget(
            self.env["ir.config_parameter"].sudo().get_param("tms_billing.cron_time_budget")
        )
        deadline = time.monotonic() + budget
        batch = self.search(domain, order=order, limit=batch_size)
        getattr(batch, method)(deadline=deadline)
        remaining = self.search_count(domain) if batch else 0
        if not remaining and next_due and not modules.module.current_test:
            # Odoo wakes a cron worker at once only for a trigger due now, else at its next
            # poll, up to 70 s later: a retry due within this run's budget is waited for.
            wait = next_due()
            if wait is not None and time.monotonic() + wait + 1 < deadline:
                self._tms_commit()
                time.sleep(wait + 1)
                remaining = True
        if remaining:
            self.env.ref(cron_xmlid)._trigger()
            _logger.info("%s: %s rows left for the next run", method, remaining)
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=0)

    def _tms_refresh_status(self, deadline=None):
        """Read back each sent row's external status; a row that fails records its
        error and the others go on."""
        statuses = dict(self._fields["external_status"]._description_selection(self.env))
        for index, export in enumerate(self.filtered(lambda e: e.state == "sent").sudo()):
            if index and deadline and time.monotonic() > deadline:
                break
            try:
                with self.env.cr.savepoint():
                    export._tms_refresh_one(statuses)
            except psycopg2.Error:
                raise
            except Exception as error:
                if not isinstance(error, ExportError):
                    _logger.exception("Status of %s could not be read", export.marker)
                export.write(
                    {
                        "status_checked_at": fields.Datetime.now(),
                        "last_error": self.env._(
                            "Reading the status failed: %(error)s", error=error
                        ),
                    }
                )

    def _tms_refresh_one(self, statuses):
        result = self.backend_id._tms_fetch_invoice_status(self)
        old_status = self.external_status
        status = result.get("status") or old_status
        if status not in statuses:
            status = "unknown"
        self.write(
            {
                "external_status": status,
                "external_status_raw": result.get("raw_status") or False,
                "external_number": result.get("number") or self.external_number,
                "status_checked_at": fields.Datetime.now(),
                "last_error": False,
            }
        )
        if old_status == "draft" and self.external_status != "draft":
            self._tms_wake_credit_notes()
        version = self._tms_document_wanted(result)
        if version:
            self._tms_update_document(version)
        if self.external_status != old_status:
            env = self._tms_log_env()
            statuses = dict(self._fields["external_status"]._description_selection(env))
            if self.document_type == "credit_note":
                message = env._(
                    "%(backend)s: credit note %(number)s is now %(status)s.",
                    backend=self.backend_id.name,
                    number=self.external_number or self.external_id,
                    status=statuses.get(self.external_status, self.external_status),
                )
            else:
                message = env._(
                    "%(backend)s: invoice %(number)s is now %(status)s.",
                    backend=self.backend_id.name,
                    number=self.external_number or self.external_id,
                    status=statuses.get(self.external_status, self.external_status),
                )
            self._tms_log(message)

    # -- the accounting system's document ------------------------------------------

    def _tms_document_after_push(self):
        """After a push: a create makes a draft, which has no document, so nothing is
        read; a push that found the invoice already final there (a look-up) reads its
        status, and with it the document."""
        if self.state == "sent" and self.external_status not in (False, *NO_DOCUMENT_STATES):
            self._tms_refresh_status()

    def _tms_document_wanted(self, result):
        """The version of the document to fetch after a status read, or None."""
        if self.external_status in (False, "unknown", *NO_DOCUMENT_STATES):
            return None
        version = str(result.get("document_version") or self.external_status)
        if self.document_attachment_id and version == self.document_version:
            return None
        if self.document_attempts >= MAX_DOCUMENT_ATTEMPTS:
            return None
        return version

    def _tms_update_document(self, version):
        """Fetch the document there and attach it to the invoice; a failure is recorded
        on the row (never raised), and the next status poll tries again."""
        self.ensure_one()
        export = self.sudo()
        try:
            with self.env.cr.savepoint():
                document = export.backend_id._tms_fetch_document(export)
                if document is None:
                    # None there (yet): no error; the next status change asks again.
                    export.write({"document_due": False, "document_error": False})
                    return False
                export._tms_attach_document(document, version)
        except psycopg2.Error:
            raise
        except Exception as error:
            if not isinstance(error, (ExportError, UserError)):
                _logger.exception("Document of %s could not be fetched", export.marker)
            attempts = export.document_attempts + 1
            message = self.env._(
                "Fetching the document failed: %(error)s",
                error=error.args[0] if isinstance(error, UserError) else error,
            )
            if len(message) > MAX_DOCUMENT_ERROR_LENGTH:
                message = message[: MAX_DOCUMENT_ERROR_LENGTH - 1] + "…"
            export.write(
                {
                    "document_attempts": attempts,
                    "document_error": message,
                    "document_due": attempts < MAX_DOCUMENT_ATTEMPTS,
                }
            )
            return False
        return True

    def _tms_attach_document(self, document, version):
        """Check ``document`` (``{"content": bytes, "filename": str | None}``) and attach
        it to the invoice as the accounting system's document of ``version``."""
        content = document.get("content") or b""
        if len(content) > MAX_DOCUMENT_BYTES:
            raise ExportRejected(
                self.env._(
                    "the document has %(size)s bytes, more than the %(limit)s accepted.",
                    size=len(content),
                    limit=MAX_DOCUMENT_BYTES,
                )
            )
        if not content.startswith(b"%PDF"):
            raise ExportRejected(self.env._("the answer is not a PDF document."))
        statuses = dict(self._fields["external_status"]._description_selection(self.env))
        status = statuses.get(self.external_status, self.external_status)
        reference = self.external_number or self.external_id
        name = re.sub(r'[\\/:*?"<>|]+', "-", f"{self.backend_id.name} {reference} ({status})")
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{name}.pdf",
                "raw": content,
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": self.move_id.id,
                "description": self.env._(
                    "The document of %(reference)s as %(backend)s rendered it (status "
                    "there: %(status)s; version %(version)s; file there: %(filename)s).",
                    reference=reference,
                    backend=self.backend_id.name,
                    status=status,
                    version=version,
                    filename=document.get("filename") or "-",
                ),
            }
        )
        old = self.document_attachment_id
        if old:
            old.description = self.env._(
                "Superseded by %(name)s. %(description)s",
                name=attachment.name,
                description=old.description or "",
            )
        self.write(
            {
                "document_attachment_id": attachment.id,
                "document_version": version,
                "document_due": False,
                "document_error": False,
                "document_attempts": 0,
            }
        )
        return attachment

    def _tms_wake_credit_notes(self):
        """The invoice is no longer a draft there: credit notes of its refunds that
        waited for it (or gave up retrying) are due now, on the same connection."""
        waiting = self.search(
            [
                ("backend_id", "=", self.backend_id.id),
                ("state", "=", "failed"),
                ("lookup_since", "=", False),
                ("move_id.move_type", "=", "out_refund"),
                ("move_id.reversed_entry_id", "=", self.move_id.id),
            ]
        )
        if waiting:
            waiting.write({"next_attempt_at": fields.Datetime.now()})
            self.env.ref("tms_billing.ir_cron_tms_send_exports")._trigger()

    # -- buttons ----------------------------------------------------------------

    def action_send(self):
        """Push now, from the ledger or the invoice form."""
        self.check_access("write")
        sendable = self.filtered(lambda export: export.state != "sent")
        if not sendable:
            raise UserError(self.env._("These invoices were sent already."))
        sendable.sudo().write({"next_attempt_at": fields.Datetime.now()})
        if len(sendable) > SEND_NOW_MAX:
            self.env.ref("tms_billing.ir_cron_tms_send_exports")._trigger()
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "title": self.env._("Queued"),
                    "message": self.env._(
                        "%(count)s invoices are being sent in the background; the export "
                        "ledger shows their progress.",
                        count=len(sendable),
                    ),
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        sent = sendable._tms_send(deadline=time.monotonic() + SEND_NOW_BUDGET)
        left = sendable.filtered(lambda export: export.state == "to_send")
        if left:
            self.env.ref("tms_billing.ir_cron_tms_send_exports")._trigger()
        failed = sendable - sent - left
        if failed:
            notification = {
                "type": "warning",
                "title": self.env._("Not sent"),
                "message": "\n".join(
                    f"{export.display_name}: {export.last_error or export.state}"
                    for export in failed
                ),
                "sticky": True,
            }
        else:
            notification = {
                "type": "success",
                "title": self.env._("Sent"),
                "message": self.env._("%(count)s invoice(s) sent as drafts.", count=len(sent)),
            }
        if left:
            notification["message"] += "\n" + self.env._(
                "%(count)s more are sent in the background.", count=len(left)
            )
        notification["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
        return {"type": "ir.actions.client", "tag": "display_notification", "params": notification}

    def action_check_now(self):
        """Look for the invoices of rows left "sending" now, instead of waiting for the
        cron: a row found there is recorded as sent. A stuck row that is not found is
        sent again at once; a row still in flight is never sent a second time."""
        self.check_access("write")
        rows = self.filtered(lambda export: export.state == "sending")
        if not rows:
            raise UserError(self.env._("Only rows that are being sent can be checked."))
        found, resent, waiting, errors = [], [], [], []
        for export in rows:
            if export.is_stale:
                # As the cron would: claim, look up first, send only if not found.
                (resent if export._tms_send() else errors).append(export)
                continue
            try:
                result = export.backend_id._tms_find_invoice(export)
            except (ExportError, UserError) as error:
                errors.append(export)
                export.sudo().last_error = self.env._(
                    "Looking for the invoice failed: %(error)s", error=error
                )
                continue
            if result:
                export._tms_record_success(result)
                found.append(export)
            else:
                waiting.append(export)
        lines = [
            self.env._("%(invoice)s: found there, recorded as sent.", invoice=e.display_name)
            for e in found
        ]
        lines += [self.env._("%(invoice)s: sent.", invoice=e.display_name) for e in resent]
        lines += [
            self.env._(
                "%(invoice)s: not there yet. It is still being sent; if it stays stuck it "
                "is looked up again after %(minutes)s minutes, never sent twice.",
                invoice=e.display_name,
                minutes=int(self._tms_stale_sending().total_seconds() // 60),
            )
            for e in waiting
        ]
        lines += [f"{e.display_name}: {e.last_error or e.state}" for e in errors]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if errors else "info",
                "title": self.env._("Checked"),
                "message": "\n".join(lines),
                "sticky": bool(errors or waiting),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_refresh_status(self):
        self.check_access("write")
        # Asked by hand: a document that failed too often is tried again.
        self.sudo().filtered("document_attempts").write({"document_attempts": 0})
        self._tms_refresh_status()

    def action_open_external(self):
        self.ensure_one()
        self.check_access("read")
        if not self.external_id:
            raise UserError(self.env._("This invoice has not been sent yet."))
        if not self.external_url:
            raise UserError(
                self.env._(
                    "%(backend)s documents no web address for this document: look for "
                    "%(reference)s there.",
                    backend=self.backend_id.name,
                    reference=self.external_number or self.external_id,
                )
            )
        return {"type": "ir.actions.act_url", "url": self.external_url, "target": "new"}

    def action_cancel_external(self):
        """Ask the accounting system again to cancel the invoices cancelled here whose
        cancellation there failed."""
        self.check_access("write")
        rows = self.filtered(
            lambda export: export.cancel_state == "failed" and export.move_id.state == "cancel"
        )
        if not rows:
            raise UserError(
                self.env._("Only invoices cancelled here whose cancellation there failed.")
            )
        for export in rows:
            export._tms_cancel_external()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if "failed" in rows.mapped("cancel_state") else "info",
                "title": self.env._("Cancellation"),
                "message": "\n".join(
                    f"{export.display_name}: {export.cancel_message or export.cancel_state}"
                    for export in rows
                ),
                "sticky": True,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # -- cancelling there -------------------------------------------------------

    def _tms_draft_stays_message(self):
        env = self._tms_log_env()
        if self.document_type == "credit_note":
            return env._(
                "The credit note %(reference)s in %(backend)s stays there: delete it in "
                "%(backend)s while it is a draft, or correct it there.",
                reference=self.external_number or self.external_id,
                backend=self.backend_id.name,
            )
        return env._(
            "The draft %(reference)s in %(backend)s stays there: delete it in "
            "%(backend)s. If these orders are invoiced again, the new invoice is "
            "sent there once that draft is gone.",
            reference=self.external_number or self.external_id,
            backend=self.backend_id.name,
        )

    def _tms_claim_cancel(self):
        """Take this row for one cancellation attempt: None if another worker has it or
        there is nothing to cancel, else whether the last attempt may have been
        performed (its outcome is then read before anything is asked again)."""
        self.ensure_one()
        self.flush_recordset()
        self.env.cr.execute(
            """
            UPDATE tms_billing_export
               SET cancel_state = 'cancelling',
                   write_date = (now() AT TIME ZONE 'UTC'), write_uid = %s
             WHERE id = %s AND state = 'sent'
               AND (cancel_state IS NULL OR cancel_state = 'failed')
         RETURNING cancel_lookup
            """,
            (self.env.uid, self.id),
        )
        row = self.env.cr.fetchone()
        self.invalidate_recordset()
        return None if row is None else bool(row[0])

    def _tms_cancel_external(self):
        """Cancel this sent invoice there: claim, commit, call, record, commit. The
        provider's answer is recorded and logged; never raises for a provider's error."""
        self.ensure_one()
        lookup_first = self._tms_claim_cancel()
        if lookup_first is None:
            return False
        self._tms_commit()
        backend = self.backend_id
        try:
            outcome = backend._tms_cancel_invoice(self, lookup_first)
        except psycopg2.Error:
            raise
        except (ExportError, UserError) as error:
            unknown = isinstance(error, ExportError) and error.outcome_unknown
            message = self.env._(
                "Cancelling %(reference)s in %(backend)s failed: %(error)s%(hint)s",
                reference=self.external_number or self.external_id,
                backend=backend.name,
                error=error,
                hint=self.env._(
                    " It may have been cancelled: its status there is read before it is "
                    "asked again (Cancel There Again on the export)."
                )
                if unknown or lookup_first
                else self.env._(" Cancel There Again on the export retries it."),
            )
            outcome = {
                "state": "failed",
                "message": message,
                "lookup": bool(unknown or lookup_first),
            }
        except Exception as error:
            _logger.exception("Cancelling %s in %s failed unexpectedly", self.marker, backend.name)
            outcome = {
                "state": "failed",
                "message": self.env._(
                    "Cancelling %(reference)s in %(backend)s failed unexpectedly: %(error)s. "
                    "Check its status there.",
                    reference=self.external_number or self.external_id,
                    backend=backend.name,
                    error=error,
                ),
                "lookup": True,
            }
        values = {
            "cancel_state": outcome["state"],
            "cancel_message": outcome["message"],
            "cancel_lookup": bool(outcome.get("lookup")),
        }
        if outcome.get("reference"):
            values["cancel_reference"] = outcome["reference"]
        if outcome["state"] == "cancelled":
            values["external_status"] = "cancelled"
            values["status_checked_at"] = fields.Datetime.now()
        self.sudo().write(values)
        self._tms_commit()
        self._tms_log(outcome["message"])
        return outcome["state"] == "cancelled"
