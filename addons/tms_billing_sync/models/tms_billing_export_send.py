import logging
import time
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError

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
MAX_ATTEMPTS = 8
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
# A provider may answer with an error page of any size: what is kept of it.
MAX_ERROR_LENGTH = 4000


class TmsBillingExport(models.Model):
    """The push: claim a row, commit, call, record the result, commit."""

    _inherit = "tms.billing.export"

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
                result = backend._tms_find_invoice(self._tms_document_ref())
                if not result and self._tms_lookup_too_early():
                    raise ExportOutcomeUnknown(
                        self.env._(
                            "Not found there yet; it is looked for again before it is ever "
                            "sent a second time."
                        )
                    )
                pending_lookup = False
            if not result:
                self.move_id._tms_check_exportable(self)
                contact_id = self._tms_ensure_contact()
                draft = self.move_id._tms_prepare_export_draft(self, contact_id)
                called = True
                result = backend._tms_send_invoice(draft)
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
            self.env.ref("tms_billing_sync.ir_cron_tms_send_exports")._trigger(next_attempt)
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
            "tms_billing_sync.ir_cron_tms_send_exports",
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

    def action_send(self):
        """Push now, from the ledger or the invoice form."""
        self.check_access("write")
        sendable = self.filtered(lambda export: export.state != "sent")
        if not sendable:
            raise UserError(self.env._("These invoices were sent already."))
        sendable.sudo().write({"next_attempt_at": fields.Datetime.now()})
        if len(sendable) > SEND_NOW_MAX:
            self.env.ref("tms_billing_sync.ir_cron_tms_send_exports")._trigger()
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
            self.env.ref("tms_billing_sync.ir_cron_tms_send_exports")._trigger()
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
