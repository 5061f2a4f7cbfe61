from datetime import date

import babel.dates

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import format_date, html2plaintext
from odoo.tools.misc import babel_locale_parse, get_lang

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from ..const import EXTERNAL_FINAL_STATES, LINE_MODES, TAX_MODES
from ..engine.grouping import GroupKey

# What makes up the draft an accounting system received: changed there once it is sent.
EXPORTED_CONTENT = frozenset(
    {
        "partner_id",
        "invoice_line_ids",
        "line_ids",
        "invoice_date",
        "invoice_payment_term_id",
        "currency_id",
        "fiscal_position_id",
        "narration",
        "delivery_date",
    }
)


class AccountMove(models.Model):
    _inherit = "account.move"

    tms_billing_group = fields.Char(
        string="Transport Billing Group",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The grouping key of the orders on this invoice.",
    )
    tms_period_start = fields.Date(string="Billing Period Start", copy=False)
    tms_period_end = fields.Date(string="Billing Period End", copy=False)
    tms_tax_mode = fields.Selection(TAX_MODES, string="Net/Gross Mode", copy=False)
    tms_line_mode = fields.Selection(LINE_MODES, string="Invoice Lines", copy=False)
    tms_unit_name = fields.Char(string="Transport Unit Name", copy=False)
    tms_order_ids = fields.Many2many(
        "sale.order",
        string="Transport Orders",
        compute="_compute_tms_order_ids",
    )
    tms_order_count = fields.Integer(compute="_compute_tms_order_ids")
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
                        f"{export.backend_id.name} ({export.external_number or export.external_id})"
                        if export.external_id
                        else export.backend_id.name
                        for export in exports
                    ),
                )
            ) or False

    @api.depends("line_ids.sale_line_ids")
    def _compute_tms_order_ids(self):
        for move in self:
            move.tms_order_ids = move.line_ids.sale_line_ids.order_id
            move.tms_order_count = len(move.tms_order_ids)

    def _search_default_journal(self):
        """Override of `account` to remember the answer for an invoicing run (speed only)."""
        # Searched once per new invoice by Odoo; the invoices of a transport run share a
        # few companies and currencies, so remember the answer for the run.
        memo = self.env["sale.order"]._tms_run_memo("default_journal")
        if memo is None or len(self) != 1 or self.statement_line_ids:
            return super()._search_default_journal()
        currency_known = self.env.cache.contains(self, self._fields["currency_id"])
        key = (
            (self.company_id or self.env.company).id,
            tuple(self._get_valid_journal_types()),
            currency_known and self.currency_id.id,
            self.env.context.get("default_currency_id"),
        )
        if key not in memo:
            memo[key] = super()._search_default_journal().id
        return self.env["account.journal"].browse(memo[key])

    def message_post_with_source(
        self,
        source_ref,
        render_values=None,
        message_type="notification",
        subtype_xmlid=False,
        subtype_id=False,
        **kwargs,
    ):
        """Override of `mail` to post the "created from" notes of a run at once."""
        # Odoo posts "created from" on each new invoice, one message_post per invoice;
        # a transport run collects these notes and logs them in one batch at its end.
        pending = self.env["sale.order"]._tms_run_memo("origin_messages")
        if (
            pending is not None
            and source_ref == "mail.message_origin_link"
            and message_type == "notification"
            and subtype_xmlid == "mail.mt_note"
            and not subtype_id
            and not kwargs
        ):
            for move in self:
                pending[move.id] = render_values
            return self.env["mail.message"]
        return super().message_post_with_source(
            source_ref,
            render_values=render_values,
            message_type=message_type,
            subtype_xmlid=subtype_xmlid,
            subtype_id=subtype_id,
            **kwargs,
        )

    def _tms_log_origin_messages(self, pending):
        """Log the "created from" notes collected during a run, as Odoo words them."""
        bodies = {}
        render = self.env["mail.render.mixin"]._render_template_qweb_view
        for move in self.filtered(lambda move: move.id in pending):
            bodies.update(
                render(
                    "mail.message_origin_link",
                    self._name,
                    move.ids,
                    add_context=pending[move.id],
                )
            )
        if bodies:
            self.browse(list(bodies))._message_log_batch(bodies=bodies)

    @api.model
    def _tms_prefill_line_amounts(self, invoice_vals):
        """Put on new invoice lines the amounts and tax tags Odoo's tax sync gives them.

        Odoo creates invoice lines with a zero balance and then, while it adds the tax
        lines, writes each line's amounts one by one: a quarter of the creation time of
        collective invoices. Computed here for all lines at once with Odoo's own tax
        engine, the sync finds nothing to write; should a value differ, the sync still
        writes it, so the result is Odoo's either way. Only invoices in the company's
        currency are prefilled (no rate to apply).
        """
        company = self.env["res.company"].browse(invoice_vals["company_id"])
        currency = self.env["res.currency"].browse(invoice_vals.get("currency_id"))
        move_type = invoice_vals.get("move_type", "out_invoice")
        if currency != company.currency_id or move_type not in ("out_invoice", "out_refund"):
            return
        AccountTax = self.env["account.tax"]
        is_refund = move_type == "out_refund"
        sign = 1 if is_refund else -1
        product_lines = [
            command[2]
            for command in invoice_vals.get("invoice_line_ids", [])
            if command[0] == Command.CREATE
            and command[2].get("display_type", "product") == "product"
        ]
        base_lines = [
            AccountTax._prepare_base_line_for_taxes_computation(
                None,
                product_id=self.env["product.product"].browse(values.get("product_id")),
                tax_ids=self.env["account.tax"].browse(self._tms_command_ids(values, "tax_ids")),
                price_unit=values.get("price_unit", 0.0),
                quantity=values.get("quantity", 0.0),
                discount=values.get("discount", 0.0),
                currency_id=currency,
                rate=1.0,
                sign=sign,
                is_refund=is_refund,
            )
            for values in product_lines
        ]
        AccountTax._add_tax_details_in_base_lines(base_lines, company)
        AccountTax._round_base_lines_tax_details(base_lines, company)
        AccountTax._add_accounting_data_in_base_lines_tax_details(base_lines, company)
        for values, base_line in zip(product_lines, base_lines, strict=True):
            details = base_line["tax_details"]
            amount_currency = (
                details["total_excluded_currency"] + details["delta_total_excluded_currency"]
            )
            balance = details["total_excluded"] + details["delta_total_excluded"]
            values.setdefault("amount_currency", sign * amount_currency)
            values.setdefault("balance", sign * balance)
            values.setdefault("tax_tag_ids", [Command.set(base_line["tax_tag_ids"].ids)])

    @api.model
    def _tms_command_ids(self, values, field_name):
        """The ids a list of x2many commands in ``values`` sets."""
        ids = []
        for command in values.get(field_name) or []:
            if command[0] == Command.SET:
                ids = list(command[2])
            elif command[0] == Command.LINK:
                ids.append(command[1])
        return ids

    def _tms_transport_moves(self):
        return self.filtered("tms_billing_group")

    def write(self, vals):
        """Override of `base` to keep what an accounting system holds read-only here."""
        if (
            EXPORTED_CONTENT & vals.keys()
            and not self.env.context.get("tms_posting")
            and not self.env.context.get("tms_invoice_values")  # invoices being created
            and any(move.tms_export_locked for move in self)
        ):
            move = next(move for move in self if move.tms_export_locked)
            raise UserError(move.tms_export_banner)
        return super().write(vals)

    def _post(self, soft=True):
        """Override of `account` to send confirmed invoices and refunds where they go."""
        # Confirming an invoice sent as a draft is no change to what was sent.
        posted = super(AccountMove, self.with_context(tms_posting=True))._post(soft=soft)
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
        """Override of `account` to cancel there too, or say how, and free the orders."""
        moves = self._tms_transport_moves().filtered(lambda move: move.state != "cancel")
        result = super().button_cancel()
        for export in self.sudo().tms_export_ids.filtered(lambda export: export.state == "sent"):
            if export.backend_id._tms_can_cancel_invoice(export):
                # The provider documents a cancellation: asked there, two-phase.
                export._tms_cancel_external()
                continue
            # Neither lexoffice's nor sevDesk's documented API deletes a draft invoice:
            # say where it still is; the orders' next invoice waits until it is gone.
            export._tms_log(export._tms_draft_stays_message())
        if moves:
            self.env["sale.order"]._tms_log_reset(
                moves, lambda env: env._("Invoice cancelled: the orders are to invoice again.")
            )
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
        """Override of `account` to refuse deleting a sent invoice and free the orders."""
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            # Refused before anything is logged: no "deleted" event for a kept invoice.
            self._unlink_except_tms_exported()
        moves = self._tms_transport_moves()
        if moves:
            # The link to the orders disappears with the lines: log while it exists.
            self.env["sale.order"]._tms_log_reset(
                moves, lambda env: env._("Invoice deleted: the orders are to invoice again.")
            )
        return super().unlink()

    def action_tms_view_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Transport Orders"),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.tms_order_ids.ids)],
        }

    # -- exports to accounting systems ----------------------------------------

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

    def _tms_tax_situation(self):
        """How this invoice is taxed, as the accounting systems are told it."""
        self.ensure_one()
        return self.commercial_partner_id._tms_tax_situation(
            self.company_id, self.fiscal_position_id
        )

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
                    reference=export.external_number or export.external_id,
                    backend=backend.name,
                )
            )

    def _tms_prepare_export_draft(self, export):
        """This invoice, or this refund as a credit note, as the plain draft every
        provider's mapper takes: ``kind`` is "invoice" or "credit_note"; a credit note
        names the invoice it refunds by its id there (``preceding_id``)."""
        self.ensure_one()
        backend = export.backend_id
        if self.move_type == "out_refund":
            return self._tms_prepare_credit_note_draft(export)
        if self.state == "cancel" or self.move_type != "out_invoice":
            raise UserError(
                self.env._(
                    "%(invoice)s is not an open customer invoice.", invoice=self.display_name
                )
            )
        self._tms_check_no_earlier_draft(backend)
        return self._tms_export_draft_values(export, kind="invoice")

    def _tms_prepare_credit_note_draft(self, export):
        """The refund as a credit note of the invoice it reverses, on ``export``'s
        connection, where that invoice must have been sent."""
        if self.state != "posted":
            raise UserError(
                self.env._(
                    "%(refund)s is not a confirmed refund: only confirmed refunds are sent "
                    "as credit notes.",
                    refund=self.display_name,
                )
            )
        origin = self.reversed_entry_id
        preceding = self._tms_refund_origin_exports().filtered(
            lambda row: row.backend_id == export.backend_id
        )
        if not preceding:
            raise UserError(
                self.env._(
                    "%(refund)s refunds %(invoice)s, which was not sent to %(backend)s: the "
                    "credit note can only follow its invoice there.",
                    refund=self.display_name,
                    invoice=origin.display_name or "-",
                    backend=export.backend_id.name,
                )
            )
        draft = self._tms_export_draft_values(export, kind="credit_note", origin=origin)
        draft.update(
            {
                "preceding_id": preceding.external_id,
                "preceding_number": preceding.external_number or origin.name,
            }
        )
        return draft

    def _tms_export_draft_values(self, export, kind, origin=None):
        """The draft of this move; a refund takes the delivery dates and billing period
        of the invoice it reverses, and its net/gross mode and unit name when it has none
        of its own."""
        origin = origin or self.browse()
        backend = export.backend_id
        partner = self.commercial_partner_id
        contact_id = backend._tms_external_ref(partner)
        if not contact_id and backend.auto_create_contacts:
            # Part of a push whose access was checked at its entry.
            links = self.env["tms.billing.partner.link"].sudo()
            link = links._tms_create_contact(partner, backend)
            contact_id = link.external_id
        if not contact_id:
            raise UserError(
                self.env._(
                    "%(customer)s is not linked to a contact in %(backend)s: link it on the "
                    "customer's Transport Billing page.",
                    customer=partner.display_name,
                    backend=backend.name,
                )
            )
        address = self.partner_id
        # A credit note is of the invoice's deliveries: their dates are the invoice's
        # (sevDesk refuses other ones), not the refund's own date.
        dates = origin or self
        tax_mode = self.tms_tax_mode or origin.tms_tax_mode or "net"
        gross = tax_mode == "gross"
        term = self.invoice_payment_term_id
        lines = [
            line._tms_prepare_export_line(gross)
            for line in self.invoice_line_ids
            if line.display_type == "product"
        ]
        if origin and not self.tms_unit_name and origin.tms_unit_name:
            for line in lines:
                line["unit_name"] = origin.tms_unit_name
        return {
            "kind": kind,
            "marker": export.marker,
            "language": (partner.lang or self.env.lang or "de_DE")[:2],
            "tax_situation": self._tms_tax_situation(),
            "fiscal_position": self.fiscal_position_id.name or None,
            "reference": self.ref or self.invoice_origin or None,
            "customer_reference": self.ref or None,
            "invoice_date": self.invoice_date or fields.Date.context_today(self),
            "currency": self.currency_id.name,
            "tax_mode": tax_mode,
            "period_start": dates.tms_period_start or None,
            "period_end": dates.tms_period_end or None,
            "delivery_date": dates.delivery_date or None,
            "title": None,
            "introduction": self.invoice_origin or None,
            "remark": html2plaintext(self.narration).strip() if self.narration else None,
            "payment_term": term
            and {"label": term.name, "days": max(term.line_ids.mapped("nb_days") or [0])},
            "timezone": self.env.user.tz or "Europe/Berlin",
            "contact_id": contact_id or None,
            "address": {
                "name": address.commercial_company_name or address.name,
                "supplement": address.name
                if address.parent_id and address.commercial_company_name
                else None,
                **address._tms_address_values(),
            },
            "lines": lines,
        }

    # -- the printed invoice and e-invoices ----------------------------------------

    def _tms_is_single_invoice(self):
        """Whether this transport invoice bills one order on its own (a single invoice)."""
        self.ensure_one()
        return bool(GroupKey.single_order_id_of(self.tms_billing_group))

    def _tms_service_period(self):
        """The billing period ``(start, end)`` of a collective transport invoice, else None.

        A single invoice has its delivery day (``delivery_date``) instead."""
        self.ensure_one()
        if (
            not self.tms_billing_group
            or self._tms_is_single_invoice()
            or not (self.tms_period_start and self.tms_period_end)
        ):
            return None
        return self.tms_period_start, self.tms_period_end

    def _tms_report_service_period(self):
        """The billing period as the invoice's reader writes dates: "01.10.2026 - 31.10.2026"."""
        period = self._tms_service_period()
        if not period:
            return ""
        start, end = period
        return f"{format_date(self.env, start)} – {format_date(self.env, end)}"

    def _tms_line_orders(self, line):
        """The transport orders behind an invoice line, by delivery date."""
        # Only the names and delivery dates of the orders of an invoice the user reads.
        orders = line.sudo().sale_line_ids.order_id
        return orders.sorted(lambda order: (order.tms_delivery_date or date.max, order.name))

    def _tms_orders_with_dates(self, line, skeleton):
        """ "SO001 (01.10.), SO002 (03.10.)": the orders of ``line`` with their delivery
        dates in the reader's language, ``skeleton`` a CLDR date skeleton."""
        locale = babel_locale_parse(get_lang(self.env).code)
        texts = []
        for order in self._tms_line_orders(line):
            day = order.tms_delivery_date
            texts.append(
                f"{order.name} ({babel.dates.format_skeleton(skeleton, day, locale=locale)})"
                if day
                else order.name
            )
        return ", ".join(texts)

    def _tms_report_line_orders(self, line):
        """For a position aggregating orders: those orders with their delivery days."""
        self.ensure_one()
        if self.tms_line_mode != "aggregated" or line.display_type != "product":
            return ""
        return self._tms_orders_with_dates(line, "ddMM")

    def _tms_line_orders_note(self, line):
        """The note of an aggregated position in an e-invoice: its orders and their dates."""
        self.ensure_one()
        if self.tms_line_mode != "aggregated" or len(self._tms_line_orders(line)) < 2:
            return ""
        return self.env._(
            "Orders: %(orders)s", orders=self._tms_orders_with_dates(line, "ddMMyyyy")
        )
