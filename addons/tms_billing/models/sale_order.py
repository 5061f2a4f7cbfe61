from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_date

from ..engine import OrderFacts, due_exclusion, exclusion_reason, plan_invoices
from ..engine.vocabulary import BILLING_STATES, REASONS
from ..web_address import is_web_address
from .tms_billing_client_access import check_client_create, check_client_write, merge_access

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
    tms_route = fields.Char(
        string="Route", compute="_compute_tms_route", help="Loading place → unloading place."
    )
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

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base` to refuse what the caller may not create with (the
        project's fields: ``_tms_write_access``)."""
        check_client_create(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        """Override of `base` to refuse what the caller may not write (the project's
        fields: ``_tms_write_access``)."""
        check_client_write(self, vals)
        return super().write(vals)

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

    @api.depends("tms_loading_place", "tms_unloading_place")
    def _compute_tms_route(self):
        for order in self:
            places = [order.tms_loading_place, order.tms_unloading_place]
            order.tms_route = " → ".join(place or "?" for place in places) if any(places) else False

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: whoever edits the order enters its
        transport data; its billing state and events are the project's own."""
        return merge_access(
            super()._tms_write_access(),
            {
                "*": {
                    "tms_loading_place",
                    "tms_loading_date",
                    "tms_unloading_place",
                    "tms_unloading_date",
                    "tms_delivery_date",
                    "tms_pod_url",
                },
                "nobody": {
                    "tms_billing_state",
                    "tms_billing_event_ids",
                    "tms_is_transport",
                    "tms_route",
                },
            },
        )

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: invoicing orders is for Transport
        Billing users."""
        return merge_access(
            super()._tms_method_access(),
            {
                "action_tms_open_billing_wizard": {"tms_billing.group_tms_billing_user"},
                "action_tms_invoice_due": {"tms_billing.group_tms_billing_user"},
            },
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
