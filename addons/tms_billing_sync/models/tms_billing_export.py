import logging
import uuid
from datetime import UTC, timedelta

from odoo import api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import format_date, formatLang

from odoo.addons.tms_billing.models.tms_billing_client_access import grant_access, merge_access

from ..ledger_states import EXPORT_STATES, EXTERNAL_STATES

_logger = logging.getLogger(__name__)

# The ledger of one invoice in one accounting system, by lifecycle: this file holds the
# row and its queueing; tms_billing_export_send.py the push, _status.py the status read
# back, _document.py the accounting system's document, _cancel.py the cancellation there.

# A row left "sending" this long belongs to a worker that died mid-push; the system
# parameter tms_billing.stale_sending_minutes changes it.
STALE_SENDING = timedelta(minutes=15)
# What a client may give when it queues an invoice; everything else on a row is set by
# the ledger's own methods, as superuser after their entry checks: a user or RPC client
# cannot mark an invoice "sent" that never was.
CLIENT_CREATE_FIELDS = frozenset({"move_id", "backend_id"})
# How far the clocks of Odoo and of a provider may differ, for look-ups by creation time.
LOOKUP_CLOCK_MARGIN = timedelta(minutes=5)
DOCUMENT_TYPES = [("invoice", "Invoice"), ("credit_note", "Credit Note")]


def positive_number(value, default):
    """``value`` as a positive number, else ``default``."""
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
    _inherit = ["tms.billing.client.access"]
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
    _sql_constraints = [
        (
            "move_backend_unique",
            "UNIQUE(move_id, backend_id)",
            "An invoice is exported once per accounting system.",
        ),
        ("marker_unique", "UNIQUE(marker)", "The export reference must be unique."),
    ]

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the ledger changes through its own
        actions only, as superuser after their entry checks; a user or RPC client cannot
        mark an invoice "sent" that never was."""
        return merge_access(
            super()._tms_write_access(),
            {"nobody": set(self._tms_guarded_field_names())},
        )

    @api.model
    def _tms_create_access(self):
        """Override of `tms_billing.client.access`: a client queues an invoice for a
        connection, nothing more."""
        return grant_access(self._tms_write_access(), "*", CLIENT_CREATE_FIELDS)

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: sending, checking, reading the
        status back, cancelling there again and opening the draft there are for whoever
        sends invoices (Invoicing, Transport Billing)."""
        ledger = {"account.group_account_invoice", "tms_billing.group_tms_billing_user"}
        return merge_access(
            super()._tms_method_access(),
            {
                "action_send": ledger,
                "action_check_now": ledger,
                "action_refresh_status": ledger,
                "action_cancel_external": ledger,
                "action_open_external": ledger,
                "action_found_there": ledger,
                "action_send_again": ledger,
            },
        )

    def unlink(self):
        """Override of `base`: what reached an accounting system, or may have, stays in
        the ledger; without its row the invoice would be unlocked and sent a second
        time. Checked here rather than with ``api.ondelete``, which a client's context
        key (``_force_unlink``) would switch off."""
        self._tms_unlink_except_sent()
        return super().unlink()

    def _tms_unlink_except_sent(self):
        kept = self.filtered(
            lambda export: export.state in ("sent", "sending") or export.lookup_since
        )
        if kept:
            raise UserError(
                self.env._(
                    "%(export)s reached %(backend)s, or may have: its row stays in the ledger.",
                    export=kept[0].display_name,
                    backend=kept[0].backend_id.name,
                )
            )

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
        backends._tms_trigger()
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
        if timings is not None:
            exports.backend_id._tms_trigger()
        return exports

    def _tms_document_ref(self):
        """This row's document there, as a provider is given it (``DocumentRef``)."""
        self.ensure_one()
        move = self.move_id
        # Only the attempts since the last certain outcome can have created it; a
        # margin covers the two clocks.
        since = (self.lookup_since or self.create_date) - LOOKUP_CLOCK_MARGIN
        # Documents the ledger already holds under another marker cannot be this one.
        known = self.sudo().search(
            [
                ("backend_id", "=", self.backend_id.id),
                ("id", "!=", self.id),
                ("external_id", "!=", False),
                ("sent_at", ">=", since),
            ]
        )
        preceding = (
            move._tms_refund_preceding_export(self)
            if self.document_type == "credit_note"
            else self.browse()
        )
        return {
            "kind": self.document_type,
            "marker": self.marker,
            "external_id": self.external_id or None,
            "external_number": self.external_number or None,
            "contact_id": self.backend_id._tms_external_ref(move.commercial_partner_id) or None,
            "preceding_id": preceding.external_id or None,
            "created_since": since.replace(tzinfo=UTC),
            "known_ids": frozenset(known.mapped("external_id")),
            "expected_total": move.amount_total,
        }

    def _tms_reference(self, env=None):
        """How people find this document there: its number once it has one, else (a
        lexoffice draft has none) its date and amount, as the draft list there shows
        them, never its technical id."""
        self.ensure_one()
        if self.external_number:
            return self.external_number
        env = env or self._tms_log_env()
        move = self.move_id.sudo()
        kind = env._("credit note draft") if self.document_type == "credit_note" else env._("draft")
        return env._(
            "%(kind)s of %(date)s over %(amount)s",
            kind=kind,
            date=format_date(env, move.invoice_date or move.date),
            amount=formatLang(env, move.amount_total, currency_obj=move.currency_id),
        )

    def _tms_commit(self):
        """Make the ledger's state durable before or after an external call."""
        if not modules.module.current_test:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _tms_stale_sending(self):
        minutes = (
            self.env["ir.config_parameter"].sudo().get_param("tms_billing.stale_sending_minutes")
        )
        return timedelta(minutes=positive_number(minutes, STALE_SENDING.total_seconds() / 60))

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
                    reference=self._tms_reference(),
                )
            )
        return {"type": "ir.actions.act_url", "url": self.external_url, "target": "new"}
