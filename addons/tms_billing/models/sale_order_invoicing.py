import logging

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date, plaintext2html

from ..engine import due_exclusion
from ..engine.vocabulary import SINGLE
from ..invoicing_run import GROUP_KEY, InvoicingRun, PlannedMove

_logger = logging.getLogger(__name__)

# Invoice lines created in one call to account.move's create.
CREATE_CHUNK_LINES = 1000


class SaleOrder(models.Model):
    """Invoicing transport orders: the engine plans, Odoo's own pipeline creates."""

    _inherit = "sale.order"

    def _tms_lock(self, skip_locked=False):
        """Lock the orders so two runs cannot invoice them twice.

        Interactive runs fail fast when another run holds an order; cron runs skip
        such orders and return the ones they could lock.
        """
        if not self:
            return self
        # In id order, so that of two runs on the same orders the first to take the
        # first order wins, rather than each holding a part and both giving up.
        clause = SQL("SKIP LOCKED") if skip_locked else SQL("NOWAIT")
        try:
            with self.env.cr.savepoint(flush=False):
                # A lock held elsewhere is expected: not a bad query to log as an error.
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM sale_order WHERE id IN %s ORDER BY id FOR NO KEY UPDATE %s",
                        tuple(self.ids),
                        clause,
                    ),
                    log_exceptions=False,
                )
                locked_ids = {row[0] for row in self.env.cr.fetchall()}
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "Some of these orders are being invoiced by another user or job right "
                    "now. Please try again in a moment."
                )
            ) from None
        # Another run may have committed invoices while we waited: read afresh.
        self.invalidate_recordset()
        self.order_line.invalidate_recordset()
        return self.filtered(lambda order: order.id in locked_ids)

    def _tms_planned_move(self, planned, key, note=None, invoice_date=None):
        """One invoice of the plan, with the values its orders put on Odoo's invoice."""
        company = self.env["res.company"].browse(planned.key.company_id)
        customer = self.env["res.partner"].browse(planned.customer_id)
        settings = customer._tms_billing_settings(company)
        notes = [text for text in (settings["tms_invoice_note"], note) if text]
        dates = [order.delivery_date for order in planned.orders]
        single = bool(planned.key.single_order_id)
        # A single invoice covers its delivery day, not the customer's interval.
        period = planned.period if not single else None
        values = {
            "tms_invoicing_mode": SINGLE if single else "collective",
            "tms_period_start": (period and period.start) or min(dates),
            "tms_period_end": (period and period.end) or max(dates),
            "tms_tax_mode": planned.key.tax_mode,
            "tms_line_mode": planned.line_mode,
            "tms_unit_name": settings["tms_unit_name"],
            "tms_tax_situation": planned.key.tax_situation or False,
            "delivery_date": max(dates),
        }
        if notes:
            values["narration"] = "".join(str(text) for text in notes)
        if invoice_date:
            values["invoice_date"] = invoice_date
        # Read with the run's other orders: one query for all of them, not one per order.
        refs = self.browse(planned.order_ids).with_prefetch(self._prefetch_ids)
        refs = [order.client_order_ref for order in refs]
        return PlannedMove(
            key=key,
            order_ids=tuple(planned.order_ids),
            values=values,
            origin=", ".join(order.name for order in planned.orders),
            # Odoo joins every order's reference, empty ones too (", PO-2231").
            ref=", ".join(dict.fromkeys(ref for ref in refs if ref)) or None,
        )

    def _tms_create_invoices(
        self, invoice_date=None, note=None, skip_locked=False, due_on=None, adjustments=()
    ):
        """Invoice these orders as the engine plans it; all or nothing.

        Returns ``(invoices, plan)``. Orders the plan leaves out are reported in the
        plan and left untouched; with ``due_on`` only the orders due that day are billed.
        ``adjustments`` are the preview's (``invoicing_run.Adjustment``), each for the
        invoice of exactly its orders.
        """
        orders = self._tms_lock(skip_locked=skip_locked)
        plan, _amounts = orders._tms_plan(due_on=due_on)
        if invoice_date:
            self._tms_check_invoice_date(plan, invoice_date)
        adjustments = {adjustment.order_ids: adjustment for adjustment in adjustments}
        if not plan.invoices and not adjustments:
            return self.env["account.move"], plan
        planned_moves = []
        for index, planned in enumerate(plan.invoices):
            planned_move = orders._tms_planned_move(
                planned, key=f"{index:06d}", note=note, invoice_date=invoice_date
            )
            adjustment = adjustments.pop(frozenset(planned.order_ids), None)
            if adjustment:
                planned_move = self._tms_adjusted_move(planned_move, adjustment)
            planned_moves.append(planned_move)
        if adjustments:
            # The orders changed since the preview (another user, a delivery date...):
            # its adjustments no longer fit an invoice of the plan.
            raise UserError(
                self.env._(
                    "The orders of an adjusted invoice changed since the preview (%(orders)s): "
                    "open the preview again.",
                    orders=", ".join(self.browse(sorted(next(iter(adjustments)))).mapped("name")),
                )
            )
        billable = orders.browse([o_id for move in planned_moves for o_id in move.order_ids])
        # Odoo reads these per order (each in its own company environment): read them
        # for all orders at once instead.
        billable.order_line.mapped("tax_id")
        billable.order_line.mapped("invoice_lines")
        with InvoicingRun(planned_moves).running(self.env) as run:
            moves = billable._create_invoices()
        moves._tms_log_origin_messages(run.memo("origin_messages"))
        billable._tms_log_invoiced(moves)
        moves._tms_invoices_created()
        return moves, plan

    @api.model
    def _tms_adjusted_move(self, planned_move, adjustment):
        """``planned_move`` with the address, note and positions the user chose."""
        values = dict(planned_move.values)
        address = self.env["res.partner"].browse(adjustment.invoice_partner_id)
        if address:
            values["partner_id"] = address.id
        if adjustment.note:
            values["narration"] = (values.get("narration") or "") + plaintext2html(adjustment.note)
        return PlannedMove(
            key=planned_move.key,
            order_ids=planned_move.order_ids,
            values=values,
            origin=planned_move.origin,
            ref=planned_move.ref,
            line_edits=dict(adjustment.line_edits),
        )

    @api.model
    def _tms_check_invoice_date(self, plan, invoice_date):
        """An invoice bills transports delivered by its date, never later ones; and it
        is dated when it is issued, not years ahead."""
        if invoice_date > fields.Date.context_today(self) + relativedelta(years=1):
            raise UserError(
                self.env._(
                    "The invoice date %(invoice_date)s is more than a year ahead: an "
                    "invoice is dated when it is issued.",
                    invoice_date=format_date(self.env, invoice_date),
                )
            )
        late = [
            order
            for planned in plan.invoices
            for order in planned.orders
            if order.delivery_date > invoice_date
        ]
        if late:
            last = max(late, key=lambda order: order.delivery_date)
            raise UserError(
                self.env._(
                    "The invoice date %(invoice_date)s is before the delivery of %(order)s "
                    "(%(delivery_date)s): date the invoices on or after their last delivery.",
                    invoice_date=format_date(self.env, invoice_date),
                    order=last.name,
                    delivery_date=format_date(self.env, last.delivery_date),
                )
            )

    # -- Odoo's invoice creation, carrying out the run's plan -------------------------

    def _prepare_invoice(self):
        """Override of `sale` to put the plan's values (period, modes) on the invoice."""
        values = super()._prepare_invoice()
        run = InvoicingRun.current(self.env)
        planned = run and run.move_of_order(self.id)
        if planned:
            values.update(planned.values)
            values[GROUP_KEY] = planned.key
        return values

    def _get_invoice_grouping_keys(self):
        """Override of `sale` to group a run's orders by the plan's invoice, not Odoo's keys."""
        keys = super()._get_invoice_grouping_keys()
        if InvoicingRun.current(self.env):
            keys = [*keys, GROUP_KEY]
        return keys

    def _create_account_invoices(self, invoice_vals_list, final):
        """Override of `sale` to give a run's invoices the plan's origin and reference,
        aggregate and adjust their lines, and create them in chunks."""
        run = InvoicingRun.current(self.env)
        if not run:
            return super()._create_account_invoices(invoice_vals_list, final)
        Line = self.env["account.move.line"]
        for invoice_vals in invoice_vals_list:
            planned = run.move_of_key(invoice_vals.pop(GROUP_KEY, None))
            if not planned:
                continue
            # Odoo joins the origins of grouped orders in set order; keep the plan's.
            invoice_vals["invoice_origin"] = planned.origin
            invoice_vals["ref"] = (planned.ref or "")[:2000] or False
            if invoice_vals.get("tms_line_mode") == "aggregated":
                Line._tms_aggregate_line_commands(invoice_vals)
            if planned.line_edits:
                Line._tms_apply_line_edits(invoice_vals, planned.line_edits)
            self.env["account.move"]._tms_prefill_line_amounts(invoice_vals)
        # Odoo links every new line to its sale lines at a cost that grows with the
        # number of lines created together times the sale lines: create in chunks.
        moves = self.env["account.move"]
        for chunk in self._tms_invoice_chunks(invoice_vals_list):
            moves |= super()._create_account_invoices(chunk, final)
        return moves

    @api.model
    def _tms_invoice_chunks(self, invoice_vals_list):
        """Split invoice values into chunks of about CREATE_CHUNK_LINES lines."""
        chunk, lines = [], 0
        for invoice_vals in invoice_vals_list:
            if chunk and lines + len(invoice_vals["invoice_line_ids"]) > CREATE_CHUNK_LINES:
                yield chunk
                chunk, lines = [], 0
            chunk.append(invoice_vals)
            lines += len(invoice_vals["invoice_line_ids"])
        if chunk:
            yield chunk

    def _tms_log_invoiced(self, moves):
        move_by_order = {}
        message_by_move = {}
        for move in moves:
            env = move.company_id._tms_log_env(self.env)
            message_by_move[move] = env._(
                "Invoice created: %(invoice)s", invoice=move.with_env(env).display_name
            )
            for order in move.line_ids.sale_line_ids.order_id:
                move_by_order[order.id] = move
        events = []
        bodies = {}
        for order in self:
            move = move_by_order.get(order.id)
            if not move:
                continue
            message = message_by_move[move]
            events.append(
                {"order_id": order.id, "move_id": move.id, "kind": "invoiced", "message": message}
            )
            bodies[order.id] = message
        self.env["tms.billing.event"].sudo().create(events)
        self.browse(list(bodies))._message_log_batch(bodies=bodies)

    def _tms_log_reset(self, moves, message):
        """Log that ``moves`` no longer bill their orders; ``message(env)`` words it in
        ``env``'s language (the company's, see ``res.company._tms_log_lang``)."""
        events = []
        bodies = {}
        for move in moves:
            text = message(move.company_id._tms_log_env(self.env))
            for order in move.line_ids.sale_line_ids.order_id:
                events.append(
                    {"order_id": order.id, "move_id": move.id, "kind": "reset", "message": text}
                )
                bodies[order.id] = text
        self.env["tms.billing.event"].sudo().create(events)
        self.browse(list(bodies))._message_log_batch(bodies=bodies)

    # -- buttons, server action and cron ---------------------------------------------

    def action_tms_open_billing_wizard(self):
        """Open the invoicing wizard on these orders with its preview computed.

        The wizard is saved before the form opens: the form then reads one page of
        a preview of thousands of invoices, rather than receiving all of it from an
        onchange and computing it a second time when the invoices are created.
        """
        if not self:
            raise UserError(self.env._("Select the orders to invoice first."))
        wizard = self.env["tms.billing.wizard"].create({"order_id_list": self.ids})
        return wizard._tms_action_open()

    def action_tms_invoice_due(self):
        """Server action: bill the selected orders that are due today, like the cron."""
        # Invoicing is for Transport Billing users, who may run the invoicing wizard.
        self.env["tms.billing.wizard"].check_access("create")
        orders = self.exists()
        orders.check_access("read")
        moves = orders._tms_invoice_due(fields.Date.context_today(self))
        if not moves:
            raise UserError(self.env._("None of the selected orders is due for invoicing today."))
        return self.action_view_invoice(moves)

    def _tms_due_orders(self, today):
        """The orders among ``self`` (delivered, to invoice) that a run on ``today`` bills."""
        # Being due depends on the policy and the delivery date only: no amounts needed.
        facts = self._tms_order_facts(amounts=dict.fromkeys(self.ids, (0.0, 0.0)))
        due_ids = [fact.id for fact in facts if not due_exclusion(fact, today)]
        return self.browse(due_ids)

    def _tms_invoice_due(self, today, skip_locked=False):
        billable = self.filtered(lambda order: order.tms_billing_state == "to_invoice")
        moves, _plan = billable._tms_create_invoices(skip_locked=skip_locked, due_on=today)
        return moves

    @api.model
    def _cron_tms_invoice_due_orders(self, chunk_orders=None):
        """The daily cron: queue the customers with orders to invoice in chunks and start
        the worker crons that bill them (see ``tms.billing.cron.chunk``)."""
        Chunk = self.env["tms.billing.cron.chunk"].sudo()
        chunks = Chunk._tms_queue(**({"chunk_orders": chunk_orders} if chunk_orders else {}))
        Chunk._tms_start_workers()
        _logger.info(
            "Transport billing: %s orders of %s customers queued in %s chunks",
            sum(chunks.mapped("order_count")),
            sum(len(chunk.customer_id_list) for chunk in chunks),
            len(chunks),
        )
        return chunks
