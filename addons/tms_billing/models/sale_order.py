import logging
from contextlib import contextmanager
from datetime import date

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date, plaintext2html

from ..const import BILLING_STATES
from ..engine import REASONS, OrderFacts, due_exclusion, exclusion_reason, plan_invoices
from ..web_address import is_web_address

_logger = logging.getLogger(__name__)

# Where the memos of the invoicing run live (see ``_tms_invoicing_run``).
RUN_MEMO_KEY = "tms_billing_run_memo"

# Orders billed per cron batch: one transaction each, committed by the cron runner.
CRON_BATCH_SIZE = 2000
# Invoice lines created in one call to account.move's create.
CREATE_CHUNK_LINES = 1000
# The order fields the engine's facts are built from (with the customer and the
# invoice address).
FACT_FIELDS = [
    "name",
    "state",
    "invoice_status",
    "tms_billing_state",
    "tms_delivery_date",
    "company_id",
    "currency_id",
    "partner_id",
    "partner_invoice_id",
    "payment_term_id",
]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    tms_loading_place = fields.Char(string="Loading Place", tracking=True)
    tms_loading_date = fields.Date(string="Loading Date", tracking=True)
    tms_unloading_place = fields.Char(string="Unloading Place", tracking=True)
    tms_unloading_date = fields.Date(string="Unloading Date", tracking=True)
    tms_delivery_date = fields.Date(
        string="Delivered On",
        tracking=True,
        copy=False,
        index=True,
        help="The date the transport was delivered; billing periods are based on it.",
    )
    tms_pod_url = fields.Char(string="Proof of Delivery", copy=False, help="Link to the POD.")
    tms_billing_state = fields.Selection(
        BILLING_STATES,
        string="Billing Status",
        compute="_compute_tms_billing_state",
        store=True,
        index=True,
    )
    tms_billing_event_ids = fields.One2many(
        "tms.billing.event", "order_id", string="Billing Events"
    )
    tms_is_transport = fields.Boolean(
        string="Transport Order",
        compute="_compute_tms_is_transport",
        help="An order with transport data (places or dates): it is invoiced by its "
        "customer's billing rules, with 'Create transport invoices'.",
    )

    @api.depends(
        "tms_loading_place",
        "tms_unloading_place",
        "tms_loading_date",
        "tms_unloading_date",
        "tms_delivery_date",
    )
    def _compute_tms_is_transport(self):
        for order in self:
            order.tms_is_transport = bool(
                order.tms_loading_place
                or order.tms_unloading_place
                or order.tms_loading_date
                or order.tms_unloading_date
                or order.tms_delivery_date
            )

    @api.constrains("tms_loading_date", "tms_unloading_date", "tms_delivery_date")
    def _check_tms_transport_dates(self):
        for order in self:
            loading = order.tms_loading_date
            if loading and order.tms_unloading_date and order.tms_unloading_date < loading:
                raise ValidationError(
                    self.env._(
                        "%(order)s: the goods cannot be unloaded before they are loaded.",
                        order=order.name,
                    )
                )
            if loading and order.tms_delivery_date and order.tms_delivery_date < loading:
                raise ValidationError(
                    self.env._(
                        "%(order)s: the delivery date cannot be before the loading date.",
                        order=order.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base` to refuse transport texts Odoo cannot store (NUL)."""
        for vals in vals_list:
            self._tms_check_texts(vals)
        return super().create(vals_list)

    def write(self, vals):
        """Override of `base` to refuse transport texts Odoo cannot store (NUL)."""
        self._tms_check_texts(vals)
        return super().write(vals)

    @api.model
    def _tms_check_texts(self, vals):
        """Texts the database cannot store are refused with a message, not a crash."""
        for name, value in vals.items():
            if name.startswith("tms_") and isinstance(value, str) and "\x00" in value:
                raise ValidationError(
                    self.env._(
                        "%(field)s contains a character that cannot be stored (NUL).",
                        field=self._fields[name]._description_string(self.env),
                    )
                )

    @api.constrains("tms_pod_url")
    def _check_tms_pod_url(self):
        # Printed on the invoice and sent to the accounting system as a link: a web
        # address, never a script.
        for order in self:
            if order.tms_pod_url and not is_web_address(order.tms_pod_url):
                raise ValidationError(
                    self.env._(
                        "%(order)s: the proof of delivery is a web address starting with https://.",
                        order=order.name,
                    )
                )

    @api.depends("state", "invoice_status", "tms_delivery_date", "order_line.qty_invoiced")
    def _compute_tms_billing_state(self):
        for order in self:
            if order.state == "cancel":
                order.tms_billing_state = "cancel"
            elif order.state != "sale":
                order.tms_billing_state = "quotation"
            elif order.invoice_status in ("invoiced", "upselling"):
                # Odoo calls an order whose quantities are all zero "fully invoiced"
                # though it never had an invoice: there is nothing to invoice.
                invoiced = any(line.qty_invoiced for line in order.order_line)
                order.tms_billing_state = "invoiced" if invoiced else "nothing"
            elif not order.tms_delivery_date:
                order.tms_billing_state = "not_delivered"
            elif order.invoice_status == "to invoice":
                order.tms_billing_state = "to_invoice"
            else:
                order.tms_billing_state = "nothing"

    # ------------------------------------------------------------------
    # Facts for the engine
    # ------------------------------------------------------------------

    def _tms_amounts_to_invoice(self):
        """Untaxed and total amount still to invoice per order, from the lines."""
        if not self:
            return {}
        self.env["sale.order.line"].flush_model(
            [
                "order_id",
                "display_type",
                "product_uom_qty",
                "qty_to_invoice",
                "price_subtotal",
                "price_total",
            ]
        )
        self.flush_recordset(["currency_id"])
        # One aggregate query instead of reading every line of thousands of orders,
        # rounded as currency.round() does (half away from zero, in exact decimals).
        rows = self.env.execute_query(
            SQL(
                """
                SELECT l.order_id,
                       ROUND(SUM(l.price_subtotal * l.qty_to_invoice / l.product_uom_qty)
                             / c.rounding) * c.rounding,
                       ROUND(SUM(l.price_total * l.qty_to_invoice / l.product_uom_qty)
                             / c.rounding) * c.rounding
                  FROM sale_order_line l
                  JOIN sale_order o ON o.id = l.order_id
                  JOIN res_currency c ON c.id = o.currency_id
                 WHERE l.order_id IN %s AND l.display_type IS NULL
                   AND l.product_uom_qty != 0 AND l.qty_to_invoice != 0
              GROUP BY l.order_id, c.rounding
                """,
                tuple(self.ids),
            )
        )
        amounts = dict.fromkeys(self.ids, (0.0, 0.0))
        amounts.update(
            {order_id: (float(untaxed), float(total)) for order_id, untaxed, total in rows}
        )
        return amounts

    def _tms_order_facts(self, amounts=None):
        amounts = amounts or self._tms_amounts_to_invoice()
        rows = self._tms_fact_rows()
        companies = self.env["res.company"].browse({row["company_id"] for row in rows.values()})
        payment_methods = {}
        for company in companies:
            recipients = self.env["res.partner"].browse(
                {
                    row["partner_invoice_id"]
                    for row in rows.values()
                    if row["company_id"] == company.id
                }
            )
            payment_methods.update(
                {
                    (company.id, recipient.id): recipient.property_inbound_payment_method_line_id.id
                    for recipient in recipients.with_company(company)
                }
            )
        # Records browsed together read their fields together.
        customers = {
            customer.id: customer
            for customer in self.env["res.partner"].browse(
                {row["customer_id"] for row in rows.values()}
            )
        }
        companies_by_id = {company.id: company for company in companies}
        today = fields.Date.context_today(self)
        billed_until = self._tms_billed_until(rows)
        policies = {}
        facts = []
        for order_id in self.ids:
            row = rows[order_id]
            policy_key = (row["customer_id"], row["company_id"])
            if policy_key not in policies:
                policies[policy_key] = customers[row["customer_id"]]._tms_billing_policy(
                    companies_by_id[row["company_id"]]
                )
            facts.append(
                OrderFacts(
                    id=order_id,
                    name=row["name"],
                    customer_id=row["customer_id"],
                    company_id=row["company_id"],
                    currency_id=row["currency_id"],
                    invoice_partner_id=row["partner_invoice_id"],
                    payment_term_id=row["payment_term_id"] or 0,
                    payment_method_id=payment_methods[
                        (row["company_id"], row["partner_invoice_id"])
                    ]
                    or 0,
                    policy=policies[policy_key],
                    delivery_date=row["tms_delivery_date"],
                    confirmed=row["state"] == "sale",
                    # An order of zero quantities is "invoiced" to Odoo, but never was.
                    invoice_status="no"
                    if row["tms_billing_state"] == "nothing"
                    else row["invoice_status"],
                    amount_to_invoice=amounts[order_id][1],
                    invoice_address_complete=row["address_complete"],
                    delivery_in_future=bool(
                        row["tms_delivery_date"] and row["tms_delivery_date"] > today
                    ),
                    has_negative_lines=row["has_negative_lines"],
                    billed_until=billed_until.get(policy_key),
                )
            )
        return facts

    @api.model
    def _tms_billed_until(self, rows):
        """The last day already billed, by (customer, company): the latest period end of
        the customers' invoices that are not cancelled. The next period starts after it
        when the customer's interval changed (see ``period_after_billed``)."""
        customer_ids = tuple({row["customer_id"] for row in rows.values()})
        if not customer_ids:
            return {}
        self.env["account.move"].flush_model(
            ["move_type", "state", "commercial_partner_id", "company_id", "tms_period_end"]
        )
        result = self.env.execute_query(
            SQL(
                """
                SELECT commercial_partner_id, company_id, MAX(tms_period_end)
                  FROM account_move
                 WHERE move_type = 'out_invoice' AND state != 'cancel'
                   AND tms_period_end IS NOT NULL AND commercial_partner_id IN %s
              GROUP BY commercial_partner_id, company_id
                """,
                customer_ids,
            )
        )
        return {(customer_id, company_id): day for customer_id, company_id, day in result}

    def _tms_fact_rows(self):
        """The orders' fields the engine needs, by order id, read in one query rather
        than field by field for thousands of orders."""
        if not self:
            return {}
        self.flush_recordset(FACT_FIELDS)
        self.env["res.partner"].flush_model(
            ["commercial_partner_id", "street", "zip", "city", "country_id"]
        )
        self.env["sale.order.line"].flush_model(
            ["order_id", "display_type", "is_downpayment", "product_uom_qty", "price_unit"]
        )
        rows = self.env.execute_query_dict(
            SQL(
                """
                SELECT o.id, o.name, o.state, o.invoice_status, o.tms_billing_state,
                       o.tms_delivery_date,
                       o.company_id, o.currency_id, o.partner_invoice_id, o.payment_term_id,
                       COALESCE(p.commercial_partner_id, p.id) AS customer_id,
                       COALESCE(r.street, '') != '' AND COALESCE(r.zip, '') != ''
                           AND COALESCE(r.city, '') != '' AND r.country_id IS NOT NULL
                           AS address_complete,
                       EXISTS (
                           SELECT 1 FROM sale_order_line l
                            WHERE l.order_id = o.id AND l.display_type IS NULL
                              AND NOT COALESCE(l.is_downpayment, FALSE)
                              AND (l.product_uom_qty < 0 OR l.price_unit < 0)
                       ) AS has_negative_lines
                  FROM sale_order o
                  JOIN res_partner p ON p.id = o.partner_id
                  JOIN res_partner r ON r.id = o.partner_invoice_id
                 WHERE o.id IN %s
                """,
                tuple(self.ids),
            )
        )
        return {row["id"]: row for row in rows}

    def _tms_plan(self, due_on=None):
        """The engine's plan for these orders, with the amounts it was built on.

        With ``due_on``, billable orders a periodic run on that day leaves alone are
        excluded too, with the reason why.
        """
        amounts = self._tms_amounts_to_invoice()
        # In the sequence the orders appear on invoices: by delivery date, then name.
        facts = sorted(
            self._tms_order_facts(amounts),
            key=lambda fact: (fact.delivery_date or date.max, fact.name),
        )
        not_due = {}
        if due_on:
            for fact in facts:
                reason = not exclusion_reason(fact) and due_exclusion(fact, due_on)
                if reason:
                    not_due[fact.id] = reason
            facts = [fact for fact in facts if fact.id not in not_due]
        plan = plan_invoices(facts)
        plan.excluded.update(not_due)
        return plan, amounts

    @api.model
    def _tms_reason_text(self, code):
        text = REASONS.get(code)
        return self.env._(text) if text else code  # pylint: disable=translation-required

    @api.model
    def _tms_reason_texts(self):
        """The wording of every engine reason code, in the user's language."""
        # The texts are marked for translation where they are written (engine.reasons).
        return {code: self.env._(text) for code, text in REASONS.items()}  # pylint: disable=translation-required

    # ------------------------------------------------------------------
    # Invoicing through Odoo's own pipeline
    # ------------------------------------------------------------------

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

    def _tms_invoice_values(self, planned, note=None, invoice_date=None):
        """Values every order of one planned invoice puts on it, so grouping keeps them."""
        company = self.env["res.company"].browse(planned.key.company_id)
        customer = self.env["res.partner"].browse(planned.customer_id)
        settings = customer._tms_billing_settings(company)
        notes = [text for text in (settings["tms_invoice_note"], note) if text]
        dates = [order.delivery_date for order in planned.orders]
        # A single invoice covers its delivery day, not the customer's interval.
        period = planned.period if not planned.key.single_order_id else None
        values = {
            "tms_billing_group": planned.key.as_string(),
            "tms_period_start": (period and period.start) or min(dates),
            "tms_period_end": (period and period.end) or max(dates),
            "tms_tax_mode": planned.key.tax_mode,
            "tms_line_mode": planned.line_mode,
            "tms_unit_name": settings["tms_unit_name"],
            "delivery_date": max(dates),
        }
        if notes:
            values["narration"] = "".join(str(text) for text in notes)
        if invoice_date:
            values["invoice_date"] = invoice_date
        return values

    # ------------------------------------------------------------------
    # The invoicing run
    #
    # ``_tms_create_invoices`` runs Odoo's own invoice creation inside
    # ``_tms_invoicing_run()``. For that time, a few hooks remember look-ups that Odoo
    # repeats per order or per line although their answer cannot change within one run
    # (``_tms_run_memo`` users: the default journal and the origin messages in
    # account_move.py, the fiscal position in account_fiscal_position.py, the analytic
    # distribution in account_analytic_distribution_model.py). They change speed, not
    # results: outside a run each hook calls Odoo's code unchanged.
    # ------------------------------------------------------------------

    @api.model
    @contextmanager
    def _tms_invoicing_run(self):
        """The span of one invoicing run; yields the run's memos (dicts by name)."""
        memos = {}
        self.env.cr.cache[RUN_MEMO_KEY] = memos
        try:
            yield memos
        finally:
            self.env.cr.cache.pop(RUN_MEMO_KEY, None)

    @api.model
    def _tms_run_memo(self, name):
        """The memo ``name`` of the current invoicing run, or None outside a run."""
        memos = self.env.cr.cache.get(RUN_MEMO_KEY)
        return None if memos is None else memos.setdefault(name, {})

    def _tms_create_invoices(
        self, invoice_date=None, note=None, skip_locked=False, due_on=None, adjustments=None
    ):
        """Invoice these orders as the engine plans it; all or nothing.

        Returns ``(invoices, plan)``. Orders the plan leaves out are reported in the
        plan and left untouched; with ``due_on`` only the orders due that day are billed.
        ``adjustments`` are the preview's, by the set of order ids of their invoice:
        ``{frozenset(ids): {"invoice_partner_id", "note", "line_edits"}}``.
        """
        orders = self._tms_lock(skip_locked=skip_locked)
        plan, _amounts = orders._tms_plan(due_on=due_on)
        if invoice_date:
            self._tms_check_invoice_date(plan, invoice_date)
        adjustments = dict(adjustments or {})
        if not plan.invoices and not adjustments:
            return self.env["account.move"], plan
        values_by_order = {}
        origins = {}
        refs = {}
        client_refs = {order.id: order.client_order_ref for order in orders}
        line_edits = {}
        for planned in plan.invoices:
            values = orders._tms_invoice_values(planned, note=note, invoice_date=invoice_date)
            adjustment = adjustments.pop(frozenset(planned.order_ids), None)
            if adjustment:
                values = self._tms_adjusted_invoice_values(values, adjustment)
                line_edits[values["tms_billing_group"]] = adjustment["line_edits"]
            values_by_order.update(dict.fromkeys(planned.order_ids, values))
            origins[values["tms_billing_group"]] = ", ".join(o.name for o in planned.orders)
            # Odoo joins every order's reference, empty ones too (", PO-2231").
            refs[values["tms_billing_group"]] = ", ".join(
                dict.fromkeys(
                    ref for ref in (client_refs[o_id] for o_id in planned.order_ids) if ref
                )
            )
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
        billable = orders.browse(list(values_by_order))
        # Odoo reads these per order (each in its own company environment): read them
        # for all orders at once instead.
        billable.order_line.mapped("tax_id")
        billable.order_line.mapped("invoice_lines")
        with self._tms_invoicing_run() as memos:
            moves = billable.with_context(
                tms_invoice_values=values_by_order,
                tms_invoice_origins=origins,
                tms_invoice_refs=refs,
                tms_line_edits=line_edits,
            )._create_invoices()
        moves._tms_log_origin_messages(memos.get("origin_messages", {}))
        billable._tms_log_invoiced(moves)
        self.env["tms.billing.export"]._tms_queue_auto(moves)
        return moves, plan

    @api.model
    def _tms_adjusted_invoice_values(self, values, adjustment):
        """``values`` of one invoice with the address and note the user chose."""
        values = dict(values)
        address = self.env["res.partner"].browse(adjustment["invoice_partner_id"])
        if address:
            values["partner_id"] = address.id
        if adjustment.get("note"):
            values["narration"] = (values.get("narration") or "") + plaintext2html(
                adjustment["note"]
            )
        return values

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

    def _prepare_invoice(self):
        """Override of `sale` to put the plan's values (period, modes, group) on the invoice."""
        values = super()._prepare_invoice()
        tms_values = self.env.context.get("tms_invoice_values", {}).get(self.id)
        if tms_values:
            values.update(tms_values)
        return values

    def _get_invoice_grouping_keys(self):
        """Override of `sale` to group a run's orders by the plan's invoice, not Odoo's keys."""
        keys = super()._get_invoice_grouping_keys()
        if self.env.context.get("tms_invoice_values"):
            keys = [*keys, "tms_billing_group"]
        return keys

    def _create_account_invoices(self, invoice_vals_list, final):
        """Override of `sale` to give a run's invoices the plan's origin and reference,
        aggregate and adjust their lines, and create them in chunks."""
        if self.env.context.get("tms_invoice_values"):
            origins = self.env.context.get("tms_invoice_origins", {})
            refs = self.env.context.get("tms_invoice_refs", {})
            for invoice_vals in invoice_vals_list:
                # Odoo joins the origins of grouped orders in set order; keep the plan's.
                group = invoice_vals.get("tms_billing_group")
                invoice_vals["invoice_origin"] = origins.get(group, invoice_vals["invoice_origin"])
                if group in refs:
                    invoice_vals["ref"] = refs[group][:2000] or False
                if invoice_vals.get("tms_line_mode") == "aggregated":
                    self.env["account.move.line"]._tms_aggregate_line_commands(invoice_vals)
                edits = self.env.context.get("tms_line_edits", {}).get(group)
                if edits:
                    self.env["account.move.line"]._tms_apply_line_edits(invoice_vals, edits)
                self.env["account.move"]._tms_prefill_line_amounts(invoice_vals)
            # Odoo links every new line to its sale lines at a cost that grows with the
            # number of lines created together times the sale lines: create in chunks.
            moves = self.env["account.move"]
            for chunk in self._tms_invoice_chunks(invoice_vals_list):
                moves |= super()._create_account_invoices(chunk, final)
            return moves
        return super()._create_account_invoices(invoice_vals_list, final)

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

    # ------------------------------------------------------------------
    # Buttons, server action and cron
    # ------------------------------------------------------------------

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
    def _cron_tms_invoice_due_orders(self, batch_size=CRON_BATCH_SIZE):
        """Bill every order due today, one batch of customers per run."""
        today = fields.Date.context_today(self)
        candidates = self.search([("tms_billing_state", "=", "to_invoice")], order="partner_id, id")
        due = candidates._tms_due_orders(today)
        batch = due[:batch_size]
        # Never cut a customer's orders in two: the rest go to the next run.
        if len(due) > batch_size:
            last_customer = batch[-1].partner_id.commercial_partner_id
            batch |= due[batch_size:].filtered(
                lambda order: order.partner_id.commercial_partner_id == last_customer
            )
        moves = self.env["account.move"]
        for company in batch.company_id:
            company_batch = batch.filtered(lambda o, c=company: o.company_id == c)
            moves |= company_batch.with_company(company)._tms_create_invoices(skip_locked=True)[0]
        remaining = len(due) - len(batch)
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        _logger.info("Transport billing: %s invoices for %s orders", len(moves), len(batch))
        return moves

    def _tms_format_line_label(self):
        """The text of an order's transport line: route, dates, reference and POD."""
        self.ensure_one()
        parts = [self.name]
        route = " → ".join(p for p in (self.tms_loading_place, self.tms_unloading_place) if p)
        if route:
            parts.append(route)
        if self.tms_loading_date:
            parts.append(
                self.env._("loaded %(date)s", date=format_date(self.env, self.tms_loading_date))
            )
        if self.tms_delivery_date:
            parts.append(
                self.env._("delivered %(date)s", date=format_date(self.env, self.tms_delivery_date))
            )
        if self.client_order_ref:
            parts.append(self.env._("your ref. %(ref)s", ref=self.client_order_ref))
        label = ", ".join(parts)
        if self.tms_pod_url:
            label += "\n" + self.env._("POD: %(url)s", url=self.tms_pod_url)
        return label
