from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.tms_billing.call_scope import CallScope
from odoo.addons.tms_billing.invoicing_run import InvoicingRun
from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access

from ..ledger_states import EXTERNAL_FINAL_STATES, EXTERNAL_GONE_STATES, EXTERNAL_STATES
from .account_move_draft import DRAFT_MOVE_FIELDS

# The ids of the moves Odoo is confirming: confirming a draft that was sent is no change
# to what was sent, though Odoo writes its lines and date. Set by ``_post`` alone.
_POSTING = CallScope("posting")


class AccountMove(models.Model):
    _inherit = "account.move"

    tms_export_ids = fields.One2many(
        "tms.billing.export", "move_id", string="Accounting System Exports", readonly=True
    )
    tms_export_locked = fields.Boolean(
        string="Sent as Draft",
        compute="_compute_tms_export_locked",
        help="The draft reached an accounting system: what it is made of is changed there.",
    )
    tms_export_banner = fields.Char(
        string="Accounting System Notice", compute="_compute_tms_export_locked"
    )
    tms_external_number = fields.Char(
        string="Number There",
        compute="_compute_tms_external",
        help="The invoice's number in the accounting system it was sent to.",
    )
    tms_external_status = fields.Selection(
        EXTERNAL_STATES,
        string="Status There",
        compute="_compute_tms_external",
        help="The invoice's status in the accounting system it was sent to: it is "
        "finalised, sent and paid there.",
    )

    @api.depends("tms_export_ids.external_number", "tms_export_ids.external_status")
    def _compute_tms_external(self):
        for move in self:
            export = move.sudo().tms_export_ids.filtered("external_id")[:1]
            move.tms_external_number = export.external_number
            move.tms_external_status = export.external_status

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing`: the invoice's ledger rows are the ledger's, written
        by its own actions; the lock and its banner follow from them."""
        return merge_access(
            super()._tms_write_access(),
            {
                "nobody": {
                    "tms_export_ids",
                    "tms_export_locked",
                    "tms_export_banner",
                    "tms_external_number",
                    "tms_external_status",
                }
            },
        )

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing`: sending invoices, reading their status back and
        opening the draft there are for whoever sends invoices (Invoicing, Transport
        Billing)."""
        ledger = {"account.group_account_invoice", "tms_billing.group_tms_billing_user"}
        return merge_access(
            super()._tms_method_access(),
            {
                "action_tms_send_exports": ledger,
                "action_tms_refresh_export_status": ledger,
                "action_tms_open_export": ledger,
            },
        )

    @api.depends("tms_export_ids.state", "tms_export_ids.lookup_since", "state")
    def _compute_tms_export_locked(self):
        for move in self:
            exports = move.sudo().tms_export_ids.filtered(
                lambda export: export.state == "sent" or export.lookup_since
            )
            move.tms_export_locked = bool(exports) and move.state == "draft"
            move.tms_export_banner = (
                move.tms_export_locked
                and self.env._(
                    "This draft was sent to %(systems)s. Changes made here would not reach "
                    "it: change it there, or cancel it here and invoice the orders again.",
                    systems=", ".join(
                        f"{export.backend_id.name} ({export._tms_reference(self.env)})"
                        if export.external_id
                        else export.backend_id.name
                        for export in exports
                    ),
                )
            ) or False

    def _tms_being_posted(self):
        posting = _POSTING.get(self.env)
        return posting is not None and set(self.ids) <= posting

    def _tms_check_unlocked(self, names):
        """Refuse changing ``names`` (fields the draft there was built from) of these
        moves while a draft of them is there. Confirming such a draft, and a run creating
        its invoices, change nothing that was sent."""
        if (
            names
            and not InvoicingRun.current(self.env)
            and not self._tms_being_posted()
            and any(move.tms_export_locked for move in self)
        ):
            move = next(move for move in self if move.tms_export_locked)
            raise UserError(move.tms_export_banner)

    def write(self, vals):
        """Override of `base` to keep what an accounting system holds read-only here."""
        self._tms_check_unlocked(DRAFT_MOVE_FIELDS & vals.keys())
        return super().write(vals)

    def _post(self, soft=True):
        """Override of `account` to send confirmed invoices and refunds where they go."""
        with _POSTING.enter(self.env, frozenset(self.ids)):
            posted = super()._post(soft=soft)
        transport = posted._tms_transport_moves().filtered(
            lambda move: move.move_type == "out_invoice"
        )
        Export = self.env["tms.billing.export"]
        Export._tms_queue_auto(transport, timing="post")
        # A refund goes where its invoice went, as a credit note, once it is confirmed:
        # for connections that send at creation too, since a refund draft may still
        # change here.
        Export._tms_queue_credit_notes(posted, timings=("post", "create"))
        return posted

    def _tms_invoices_created(self):
        """Override of `tms_billing` to queue new invoices for the connections that send
        them at creation."""
        result = super()._tms_invoices_created()
        self.env["tms.billing.export"]._tms_queue_auto(self)
        return result

    def _tms_refund_origin_exports(self):
        """The rows by which the invoice this refund reverses reached an accounting
        system (sent, with its id there): where the refund goes as a credit note."""
        self.ensure_one()
        if self.move_type != "out_refund" or not self.reversed_entry_id:
            return self.env["tms.billing.export"]
        return self.reversed_entry_id.sudo().tms_export_ids.filtered(
            lambda export: export.state == "sent" and export.external_id
        )

    def button_cancel(self):
        """Override of `account` to cancel there too, or say how."""
        # A document already gone there (cancelled or deleted there, which this
        # cancellation may follow) has nothing left to cancel.
        exports = self.sudo().tms_export_ids.filtered(
            lambda export: (
                export.state == "sent" and export.external_status not in EXTERNAL_GONE_STATES
            )
        )
        result = super().button_cancel()
        for export in exports:
            if export.backend_id._tms_can_cancel_invoice(export._tms_document_ref()):
                # The provider documents a cancellation: asked there, two-phase.
                export._tms_cancel_external()
                continue
            # Neither lexoffice's nor sevDesk's documented API deletes a draft invoice:
            # say where it still is; the orders' next invoice waits until it is gone.
            export._tms_log(export._tms_draft_stays_message())
        return result

    def _unlink_except_tms_exported(self):
        """A draft that reached an accounting system stays: deleting it would lose the
        ledger row, and invoicing the orders again would create a second draft there.
        Called by ``unlink`` before it logs anything (hence no ``@api.ondelete``, which
        would run it a second time, after the logging)."""
        exported = self.sudo().tms_export_ids.filtered(
            lambda export: export.external_id or export.lookup_since
        )
        if exported:
            export = exported[0]
            raise UserError(
                self.env._(
                    "%(invoice)s was sent to %(backend)s as %(reference)s and cannot be "
                    "deleted: cancel it here, and delete or cancel the draft in "
                    "%(backend)s.",
                    invoice=export.move_id.display_name,
                    backend=export.backend_id.name,
                    reference=export.external_number
                    or export.external_id
                    or self.env._("a draft that may exist"),
                )
            )

    def unlink(self):
        """Override of `account` to refuse deleting an invoice sent to an accounting system."""
        # Refused before anything is logged: no "deleted" event for a kept invoice. No
        # context key (uninstalling included) lets it pass: uninstalling an addon deletes
        # no invoice.
        self._unlink_except_tms_exported()
        return super().unlink()

    # -- buttons ------------------------------------------------------------------

    def action_tms_send_exports(self):
        """Send these invoices to their companies' accounting systems now: for whoever
        may send ledger rows, though not necessarily edit invoices."""
        self.check_access("read")
        self.env["tms.billing.export"].check_access("create")
        moves = self.filtered(
            lambda move: move.state != "cancel" and move.move_type == "out_invoice"
        )
        # A refund is sent as a credit note, and only where its invoice went: confirmed
        # (a draft refund may still change), of an invoice sent there.
        refunds = self.filtered(
            lambda move: move.state == "posted" and move._tms_refund_origin_exports()
        )
        if not moves and not refunds:
            raise UserError(
                self.env._(
                    "Only customer invoices that are not cancelled, and confirmed refunds of "
                    "invoices sent to an accounting system, are sent."
                )
            )
        Export = self.env["tms.billing.export"]
        exports = Export._tms_queue(moves) if moves else Export
        exports |= Export._tms_queue_credit_notes(refunds)
        if not exports:
            raise UserError(
                self.env._(
                    "No accounting system is configured for %(companies)s.",
                    companies=", ".join(moves.company_id.mapped("name")),
                )
            )
        return exports.action_send()

    def action_tms_refresh_export_status(self):
        self.check_access("read")
        self.tms_export_ids.check_access("write")
        self.tms_export_ids._tms_refresh_status()

    def action_tms_open_export(self):
        self.ensure_one()
        self.check_access("read")
        export = self.tms_export_ids.filtered("external_url")[:1]
        if not export:
            failed = self.tms_export_ids.filtered(lambda export: export.state == "failed")[:1]
            raise UserError(
                self.env._(
                    "%(invoice)s is not in an accounting system yet%(reason)s.",
                    invoice=self.display_name,
                    reason=(failed.last_error and f": {failed.last_error}") or "",
                )
            )
        return export.action_open_external()

    def _tms_check_no_earlier_draft(self, backend):
        """Orders invoiced again after a cancellation must not end up in two drafts
        there: the cancelled invoice's draft is looked at now, and while it still exists
        this one waits for it to be deleted there (neither API deletes drafts)."""
        earlier = (
            self.env["tms.billing.export"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", backend.id),
                    ("move_id", "!=", self.id),
                    ("move_id.state", "=", "cancel"),
                    ("state", "=", "sent"),
                    ("external_status", "not in", EXTERNAL_FINAL_STATES),
                    ("move_id.line_ids.sale_line_ids.order_id", "in", self.tms_order_ids.ids),
                ]
            )
        )
        if not earlier:
            return
        earlier._tms_refresh_status()
        still_there = earlier.filtered(
            lambda export: export.external_status not in EXTERNAL_FINAL_STATES
        )
        if still_there:
            export = still_there[0]
            raise UserError(
                self.env._(
                    "These transports were sent before as draft %(reference)s in "
                    "%(backend)s, whose invoice was cancelled here: delete that draft in "
                    "%(backend)s, then send this invoice again. Otherwise %(backend)s "
                    "would hold two drafts for the same transports.",
                    reference=export._tms_reference(),
                    backend=backend.name,
                )
            )
