import logging
import time
from datetime import timedelta

import psycopg2

from odoo import api, fields, models, modules
from odoo.exceptions import UserError

from ..deadline import CALL_DEADLINE, FIRST_ROW_SECONDS
from ..export_errors import (
    ExportAuthFailed,
    ExportDeadlineReached,
    ExportError,
    ExportOutcomeUnknown,
    ExportRejected,
    retry_delay,
)
from ..lanes import run_in_lanes
from ..settle import ABSENT, after_failed_look_up, after_miss

_logger = logging.getLogger(__name__)

# Certain failures are retried this many times, then wait for a person.
MAX_ATTEMPTS = 8
# After a create whose outcome is unknown, a look-up that fails is tried again after
# this many seconds (backing off, at most LOOKUP_BACKOFF_CAP); when a look-up that finds
# nothing settles the outcome is the evidence rule's (settle.py).
LOOKUP_DELAY = 10
LOOKUP_BACKOFF_CAP = 3600
# "Send now" pushes this many invoices at once in the request, starting none after
# SEND_NOW_BUDGET seconds; more are queued for the cron. With calls of at most 60 s
# (MAX_TIMEOUT of the connection) a request stays well inside Odoo's limit of 120 s.
SEND_NOW_MAX = 5
SEND_NOW_BUDGET = 30
# Odoo's tests run in one transaction that other cursors see through a shared lock:
# lanes there take turns, so tests keep one lane unless they set this.
LANES_IN_TESTS = False
# A provider may answer with an error page of any size: what is kept of it.
MAX_ERROR_LENGTH = 4000


class TmsBillingExport(models.Model):
    """The push: claim a row, commit, call, record the result, commit."""

    _inherit = "tms.billing.export"

    # The look-ups after an unknown outcome that count as evidence (settle.py).
    lookup_misses = fields.Integer(
        string="Look-ups Without Result",
        readonly=True,
        copy=False,
        help="Look-ups made late enough after an unknown outcome that found nothing: "
        "enough of them settle that nothing was created.",
    )
    lookup_miss_at = fields.Datetime(
        string="Last Look-up Without Result", readonly=True, copy=False
    )

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

    def _tms_send(self, deadline=None):
        """Push each row once (claim, commit, call, record, commit); never raises for a
        provider's error, which is recorded on the row instead. Rows left when
        ``deadline`` (a ``time.monotonic()`` value) has passed stay due."""
        sent = self.browse()
        for index, export in enumerate(self):
            # At least one row per run, so that every run makes progress.
            if index and deadline and time.monotonic() > deadline:
                break
            outcome = export._tms_send_one()
            if outcome is None:
                # No time was left for its call: nothing was performed; the run ends.
                break
            if outcome:
                sent |= export
        return sent

    def _tms_send_in_lanes(self, deadline=None):
        """``_tms_send`` on up to the connection's ``_tms_call_lanes()`` rows at once,
        each in a transaction of its own (``lanes.py``): one slow answer does not leave
        the key idle. The rows are of one connection."""
        lanes = self.backend_id[:1]._tms_call_lanes()
        if lanes <= 1 or len(self) <= 1 or (modules.module.current_test and not LANES_IN_TESTS):
            return self._tms_send(deadline=deadline)
        # A customer not yet linked there gets its contact from its first row, before
        # its other rows run side by side (they would each find the contact "being
        # created" and wait for it).
        backend = self.backend_id[:1]
        unlinked = {
            partner
            for partner in self.move_id.commercial_partner_id
            if not backend._tms_external_ref(partner)
        }
        firsts = self.browse()
        for export in self:
            partner = export.move_id.commercial_partner_id
            if partner in unlinked:
                unlinked.discard(partner)
                firsts |= export
        sent = firsts._tms_send(deadline=deadline)
        rest = self - firsts
        if not rest or (firsts and deadline and time.monotonic() > deadline):
            return sent
        registry, uid, context, su = self.env.registry, self.env.uid, self.env.context, self.env.su
        call_deadline = CALL_DEADLINE.get(self.env)

        def work(export_id):
            with registry.cursor() as cr:
                env = api.Environment(cr, uid, context, su=su)
                with CALL_DEADLINE.enter(env, call_deadline):
                    return env[self._name].browse(export_id)._tms_send_one()

        self.env.flush_all()
        self._tms_commit()
        results = run_in_lanes(rest.ids, work, lanes, deadline)
        # What the lanes committed is read afresh, in a transaction that sees it.
        self._tms_commit()
        self.env.invalidate_all()
        return sent | self.browse([row_id for row_id, outcome in results.items() if outcome])

    def _tms_send_one(self):
        """One attempt of this row: claim, commit, call, record, commit. True when sent
        (or found there), False when it failed or another worker has it, None when no
        time was left for its call (the row is as it was)."""
        self.ensure_one()
        # What the row records (its last error, the refusals of the provider's checks)
        # is read by everyone in the company: in its language, whoever sends.
        export = self.with_env(self._tms_log_env())
        lookup_first = export._tms_claim()
        if lookup_first is None:
            return False
        export._tms_commit()
        outcome = export._tms_send_claimed(lookup_first)
        if outcome is None:
            return None
        if outcome:
            # Recorded and committed: the document is a read that follows.
            export._tms_document_after_push()
        export._tms_commit()
        return outcome

    def _tms_send_claimed(self, lookup_first):
        """One attempt of a claimed row: True when sent (or found there), False when it
        failed (recorded), None when no time was left to call (given back as it was)."""
        backend = self.backend_id
        pending_lookup, called = lookup_first, False
        try:
            result = None
            if lookup_first:
                result = backend._tms_find_invoice(self._tms_document_ref())
                if not result:
                    self._tms_record_miss()
                pending_lookup = False
            if not result:
                self.move_id._tms_check_exportable(self)
                contact_id = self._tms_ensure_contact()
                draft = self.move_id._tms_prepare_export_draft(self, contact_id)
                called = True
                result = backend._tms_send_invoice(draft)
        except psycopg2.Error:
            raise
        except ExportDeadlineReached:
            self._tms_give_back()
            return None
        except ExportError as error:
            if pending_lookup and not isinstance(error, ExportAuthFailed):
                # A look-up that fails leaves the outcome as unknown as it was: never
                # refuse the invoice on it, look again later, and say it was the look-up.
                error = ExportOutcomeUnknown(
                    self.env._("Looking for the invoice failed: %(error)s", error=error),
                    next_at=error.next_at,
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

    def _tms_record_miss(self):
        """A look-up after an unknown outcome found nothing: settled by the evidence rule
        (settle.py), or the row waits for the next look-up, raised as still unknown."""
        now = fields.Datetime.now()
        miss = after_miss(
            now,
            self.lookup_since,
            self.backend_id.timeout or 0.0,
            self.lookup_misses,
            self.lookup_miss_at or None,
        )
        self.sudo().write({"lookup_misses": miss.counted, "lookup_miss_at": miss.counted_at})
        if miss.verdict == ABSENT:
            # Settled: nothing was created. The attempt that follows is a new one, whose
            # own outcome is the one to look for should its answer be lost too.
            self.sudo().write({"lookup_since": now, "lookup_misses": 0, "lookup_miss_at": False})
            self._tms_commit()
            _logger.info(
                "Export %s: not found there after %s misses, sent again", self.marker, miss.counted
            )
            return
        raise ExportOutcomeUnknown(
            self.env._(
                "Not found there yet. A new document may show there late: it is looked for "
                "again from %(time)s and only sent again once it stays missing.",
                time=fields.Datetime.context_timestamp(self, miss.next_look).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            ),
            next_at=miss.next_look,
        )

    def _tms_give_back(self):
        """A claimed row whose call was not made (no time left): as it was, due now."""
        self.sudo().write(
            {
                "state": "failed" if self.lookup_since or self.last_error else "to_send",
                "attempts": max(0, self.attempts - 1),
                "next_attempt_at": fields.Datetime.now(),
            }
        )
        self._tms_commit()

    def _tms_ensure_contact(self):
        """The customer's contact there: linked, or created now when the connection
        creates missing contacts (two-phase, as a push); refused otherwise."""
        backend = self.backend_id
        partner = self.move_id.commercial_partner_id
        contact_id = backend._tms_external_ref(partner)
        if not contact_id and backend.auto_create_contacts:
            # Part of a push whose access was checked at its entry.
            links = self.env["tms.billing.partner.link"].sudo()
            contact_id = links._tms_create_contact(partner, backend).external_id
        if not contact_id:
            raise UserError(
                self.env._(
                    "%(customer)s is not linked to a contact in %(backend)s: link it on the "
                    "customer's Transport Billing page.",
                    customer=partner.display_name,
                    backend=backend.name,
                )
            )
        return contact_id

    def _tms_record_success(self, result):
        self.sudo().write(
            {
                "state": "sent",
                "lookup_since": False,
                "lookup_misses": 0,
                "lookup_miss_at": False,
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
            reference=self._tms_reference(),
        )
        self._tms_log(message)

    def _tms_record_failure(self, error, needs_lookup):
        now = fields.Datetime.now()
        # An unknown outcome is looked up until it is settled; certain failures are
        # retried MAX_ATTEMPTS times. Whose look-ups keep failing for a day goes to a
        # person (state "Check there").
        hand_over = needs_lookup and after_failed_look_up(now, self.lookup_since)
        next_at = getattr(error, "next_at", None)
        retry = error.retry and not hand_over and (needs_lookup or self.attempts < MAX_ATTEMPTS)
        error = (
            str(error)
            if not hand_over
            else self.env._(
                "The outcome of a send stayed unknown for a day (%(error)s). Check there whether "
                "the invoice exists: if it does, link it; if not, send it again.",
                error=error,
            )
        )
        if len(error) > MAX_ERROR_LENGTH:
            error = error[: MAX_ERROR_LENGTH - 1] + "…"
        next_attempt = False
        if retry:
            next_attempt = next_at
            if not next_attempt:
                # A pending look-up is a read: it comes soon. Anything else backs off.
                base = LOOKUP_DELAY if needs_lookup else 60
                cap = LOOKUP_BACKOFF_CAP if needs_lookup else 6 * 3600
                next_attempt = now + timedelta(
                    seconds=retry_delay(self.attempts, base=base, cap=cap)
                )
            self.backend_id._tms_trigger(next_attempt)
        self.sudo().write(
            {
                "state": "to_check" if hand_over else "failed",
                "lookup_since": self.lookup_since if needs_lookup else False,
                "lookup_misses": self.lookup_misses if needs_lookup else 0,
                "lookup_miss_at": self.lookup_miss_at if needs_lookup else False,
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

    def action_send(self):
        """Push now, from the ledger or the invoice form: up to SEND_NOW_MAX rows in this
        request, within SEND_NOW_BUDGET; says what this call sent, what the connections'
        jobs sent meanwhile, and what is queued for them."""
        self.check_access("write")
        sendable = self.filtered(lambda export: export.state not in ("sent", "to_check"))
        if not sendable:
            raise UserError(
                self.env._(
                    "These invoices were sent already, or wait for someone to check them "
                    "there (Check there)."
                )
            )
        sendable.sudo().write({"next_attempt_at": fields.Datetime.now()})
        if len(sendable) > SEND_NOW_MAX:
            # Too many to wait for in a request: the connections' jobs send them.
            sendable.backend_id._tms_trigger()
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
        now_rows = sendable
        started = time.monotonic()
        deadline = started + SEND_NOW_BUDGET
        # As a run: the first row's calls have room (FIRST_ROW_SECONDS), the rest end by
        # the deadline.
        with CALL_DEADLINE.enter(self.env, max(deadline, started + FIRST_ROW_SECONDS)):
            sent = now_rows._tms_send(deadline=deadline)
        sendable.invalidate_recordset()
        meanwhile = (now_rows - sent).filtered(lambda export: export.state == "sent")
        in_flight = (now_rows - sent).filtered(
            lambda export: export.state == "sending" and not export.is_stale
        )
        failed = (now_rows - sent - meanwhile - in_flight).filtered(
            lambda export: export.state in ("failed", "to_check")
        )
        queued = sendable - sent - meanwhile - in_flight - failed
        if queued or in_flight:
            (queued | in_flight).backend_id._tms_trigger()
        lines = []
        if sent:
            lines.append(self.env._("%(count)s sent as drafts now.", count=len(sent)))
        if meanwhile:
            lines.append(
                self.env._(
                    "%(count)s sent meanwhile by the background job: %(invoices)s.",
                    count=len(meanwhile),
                    invoices=", ".join(meanwhile.mapped("display_name")),
                )
            )
        if in_flight:
            lines.append(
                self.env._(
                    "%(count)s being sent by the background job right now.", count=len(in_flight)
                )
            )
        if queued:
            lines.append(
                self.env._(
                    "%(count)s queued: sent in the background, the export ledger shows their "
                    "progress.",
                    count=len(queued),
                )
            )
        lines += [
            f"{export.display_name}: {export.last_error or export.state}" for export in failed
        ]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if failed else ("success" if sent else "info"),
                "title": self.env._("Not sent") if failed else self.env._("Sending"),
                "message": "\n".join(lines),
                "sticky": bool(failed),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

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
                result = export.backend_id._tms_find_invoice(export._tms_document_ref())
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
