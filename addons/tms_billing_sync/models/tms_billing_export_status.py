import logging
import time
from datetime import timedelta

import psycopg2

from odoo import fields, models
from odoo.exceptions import UserError, ValidationError

from ..export_errors import ExportError
from ..ledger_states import EXTERNAL_FINALISED_STATES, EXTERNAL_GONE_STATES

_logger = logging.getLogger(__name__)

# Sent rows whose status is read back per cron call, and how often each is read.
POLL_BATCH_SIZE = 100
POLL_EVERY = timedelta(hours=1)


class TmsBillingExport(models.Model):
    """The status there of a sent invoice, read back until it is final."""

    _inherit = "tms.billing.export"

    def _tms_refresh_status(self, deadline=None):
        """Read back each sent row's external status; a row that fails records its
        error and the others go on."""
        statuses = dict(self._fields["external_status"]._description_selection(self.env))
        for index, export in enumerate(self.filtered(lambda e: e.state == "sent").sudo()):
            if index and deadline and time.monotonic() > deadline:
                break
            # Recorded in the company's language, whoever reads it back.
            export = export.with_env(export._tms_log_env())
            try:
                with self.env.cr.savepoint():
                    export._tms_refresh_one(statuses)
            except psycopg2.Error:
                raise
            except Exception as error:
                # A provider's error, or a refusal worded for the user (a connection
                # without a provider), is the row's error; anything else is a bug.
                if not isinstance(error, ExportError | UserError):
                    _logger.exception("Status of %s could not be read", export.marker)
                export.write(
                    {
                        "status_checked_at": fields.Datetime.now(),
                        "last_error": export.env._(
                            "Reading the status failed: %(error)s", error=error
                        ),
                    }
                )

    def _tms_refresh_one(self, statuses):
        result = self.backend_id._tms_fetch_invoice_status(self._tms_document_ref())
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
                    number=self._tms_reference(),
                    status=statuses.get(self.external_status, self.external_status),
                )
            else:
                message = env._(
                    "%(backend)s: invoice %(number)s is now %(status)s.",
                    backend=self.backend_id.name,
                    number=self._tms_reference(),
                    status=statuses.get(self.external_status, self.external_status),
                )
            self._tms_log(message)
            self._tms_follow_there()

    def _tms_follow_there(self):
        """The invoice here follows its document there, so that it is booked once: a
        draft finalised there is confirmed here, one cancelled or deleted there is
        cancelled here. Payments are recorded there; the status there shows here."""
        move = self.move_id.sudo()
        if self.document_type != "invoice":
            return
        env = self._tms_log_env()
        if self.external_status in EXTERNAL_FINALISED_STATES and move.state == "draft":
            follow, message = (
                move.action_post,
                env._(
                    "Finalised in %(backend)s as %(reference)s: confirmed here.",
                    backend=self.backend_id.name,
                    reference=self._tms_reference(),
                ),
            )
        elif self.external_status in EXTERNAL_GONE_STATES and move.state != "cancel":

            def follow():
                if move.state == "posted":
                    move.button_draft()
                move.button_cancel()

            message = env._(
                "%(status)s in %(backend)s: cancelled here. Its orders can be invoiced again.",
                status=dict(self._fields["external_status"]._description_selection(env))[
                    self.external_status
                ],
                backend=self.backend_id.name,
            )
        else:
            return
        try:
            with self.env.cr.savepoint():
                follow()
        except (UserError, ValidationError) as error:
            message = env._(
                "%(backend)s: %(reference)s is %(status)s there, but this invoice could not "
                "follow: %(error)s",
                backend=self.backend_id.name,
                reference=self._tms_reference(),
                status=dict(self._fields["external_status"]._description_selection(env))[
                    self.external_status
                ],
                error=error,
            )
        self._tms_log(message)

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
            self.backend_id._tms_trigger()

    def action_refresh_status(self):
        self.check_access("write")
        # Asked by hand: a document that failed too often is tried again.
        self.sudo().filtered("document_attempts").write({"document_attempts": 0})
        self._tms_refresh_status()
