import logging
import re

import psycopg2

from odoo import fields, models
from odoo.exceptions import UserError

from ..export_errors import ExportError, ExportRejected

_logger = logging.getLogger(__name__)

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


class TmsBillingExport(models.Model):
    _inherit = "tms.billing.export"

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
                document = export.backend_id._tms_fetch_document(export._tms_document_ref())
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
        reference = self._tms_reference()
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
