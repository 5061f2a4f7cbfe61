import logging

import psycopg2

from odoo import fields, models
from odoo.exceptions import UserError

from ..export_errors import ExportError

_logger = logging.getLogger(__name__)

CANCEL_STATES = [
    ("cancelling", "Cancelling"),
    ("cancelled", "Cancelled there"),
    ("kept", "Left there"),
    ("failed", "Cancelling failed"),
]


class TmsBillingExport(models.Model):
    """The cancellation there of an invoice cancelled here, where the provider documents
    one (sevDesk): recorded like the push, intent, call, result."""

    _inherit = "tms.billing.export"

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

    def _tms_draft_stays_message(self):
        env = self._tms_log_env()
        if self.document_type == "credit_note":
            return env._(
                "The credit note %(reference)s in %(backend)s stays there: delete it in "
                "%(backend)s while it is a draft, or correct it there.",
                reference=self._tms_reference(),
                backend=self.backend_id.name,
            )
        return env._(
            "The draft %(reference)s in %(backend)s stays there: delete it in "
            "%(backend)s. If these orders are invoiced again, the new invoice is "
            "sent there once that draft is gone.",
            reference=self._tms_reference(),
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
            outcome = backend._tms_cancel_invoice(self._tms_document_ref(), lookup_first)
            if outcome.get("draft"):
                outcome["message"] = self._tms_draft_stays_message()
        except psycopg2.Error:
            raise
        except (ExportError, UserError) as error:
            unknown = isinstance(error, ExportError) and error.outcome_unknown
            message = self.env._(
                "Cancelling %(reference)s in %(backend)s failed: %(error)s%(hint)s",
                reference=self._tms_reference(),
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
                    reference=self._tms_reference(),
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
