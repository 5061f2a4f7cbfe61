import functools
import re
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_date

from ..engine import (
    EU_MEMBER_STATES,
    PRESUMPTIONS,
    OrderFacts,
    VatCompany,
    VatCustomer,
    VatGoods,
    VatRoute,
    due_exclusion,
    exclusion_reason,
    fiscal_position_fits,
    plan_invoices,
    vat_route_decision,
)
from ..engine.vocabulary import (
    BILLING_STATES,
    FISCAL_POSITION_MISMATCH,
    REASONS,
    REFUSALS,
    TAX_SITUATIONS,
)
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
    "fiscal_position_id",
    "tms_loading_country_id",
    "tms_unloading_country_id",
    "tms_goods_customs",
    "tms_customer_goods_role",
]

# What the VAT table (engine/vat_route.py) asks of an order beyond its customer: where
# the goods are loaded and unloaded, and the facts of § 4 Nr. 3 UStG about the goods.
VAT_ROUTE_FIELDS = (
    "tms_loading_country_id",
    "tms_unloading_country_id",
    "tms_goods_customs",
    "tms_customer_goods_role",
)
GOODS_CUSTOMS = [
    ("export_import", "Exported or imported goods"),
    ("none", "Neither exported nor imported"),
]
CUSTOMER_GOODS_ROLES = [
    ("consignor", "Sender or consignee of the goods"),
    ("carrier", "Carrier or forwarder (subcontracting)"),
]


# A postcode as countries write them: letters, digits, spaces and hyphens (the longest,
# e.g. "SW1A 1AA" or "1000-001", well within).
POSTCODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z -]{0,11}")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    _tms_text_lengths = {
        "tms_loading_zip": 12,
        "tms_unloading_zip": 12,
        "tms_loading_city": 128,
        "tms_unloading_city": 128,
    }

    tms_loading_place = fields.Char(string="Loading Place", tracking=True)
    tms_loading_zip = fields.Char(string="Loading ZIP")
    tms_loading_city = fields.Char(string="Loading City")
    tms_loading_country_id = fields.Many2one(
        "res.country",
        string="Loading Country",
        tracking=True,
        help="Where the transport begins; with the country of unloading it decides the "
        "VAT of the transport (§ 3b, § 4 Nr. 3 UStG).",
    )
    tms_loading_date = fields.Date(string="Loading Date", tracking=True)
    tms_unloading_place = fields.Char(string="Unloading Place", tracking=True)
    tms_unloading_zip = fields.Char(string="Unloading ZIP")
    tms_unloading_city = fields.Char(string="Unloading City")
    tms_unloading_country_id = fields.Many2one(
        "res.country", string="Unloading Country", tracking=True
    )
    tms_unloading_date = fields.Date(string="Unloading Date", tracking=True)
    tms_goods_customs = fields.Selection(
        GOODS_CUSTOMS,
        string="Goods",
        tracking=True,
        help="Whether the goods are exported from the EU or imported into it (the "
        "transport's cost in their import VAT base): such a transport is tax-free "
        "(§ 4 Nr. 3 Buchst. a UStG). Empty: presumed when exactly one end of the route "
        "is outside the EU.",
    )
    tms_customer_goods_role = fields.Selection(
        CUSTOMER_GOODS_ROLES,
        string="Customer's Role",
        tracking=True,
        help="A transport of exported goods is tax-free only when supplied to their "
        "sender or consignee, not to a carrier or forwarder who subcontracts it (EuGH "
        "C-288/16). Empty: unknown; presumed sender or consignee for private customers.",
    )
    tms_route = fields.Char(
        string="Route",
        compute="_compute_tms_route",
        help="Loading place → unloading place, each with its country.",
    )
    tms_tax_situation = fields.Selection(
        TAX_SITUATIONS,
        string="Tax Situation",
        compute="_compute_tms_vat_route",
        help="How the transport is taxed, from its customer, its route and the company "
        "(VAT by route); its fiscal position follows.",
    )
    tms_vat_note = fields.Text(
        string="VAT by Route",
        compute="_compute_tms_vat_route",
        help="The rule of the VAT table that decides, its legal sources and what it "
        "presumes; or why the transport cannot be billed yet.",
    )
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

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base` to refuse what the caller may not create with (the
        project's fields: ``_tms_write_access``)."""
        check_client_create(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        """Override of `base` to refuse what the caller may not write (the project's
        fields: ``_tms_write_access``), and to update the taxes of a transport whose
        route gives it another fiscal position."""
        check_client_write(self, vals)
        route_changes = "fiscal_position_id" not in vals and any(
            name in vals for name in VAT_ROUTE_FIELDS
        )
        positions = {order.id: order.fiscal_position_id for order in self} if route_changes else {}
        result = super().write(vals)
        if positions:
            self.filtered(
                lambda order: order.fiscal_position_id != positions[order.id]
            )._tms_update_route_taxes()
        return result

    @api.depends(
        "tms_loading_place",
        "tms_unloading_place",
        "tms_loading_city",
        "tms_unloading_city",
        "tms_loading_country_id",
        "tms_unloading_country_id",
        "tms_loading_date",
        "tms_unloading_date",
        "tms_delivery_date",
    )
    def _compute_tms_is_transport(self):
        for order in self:
            order.tms_is_transport = bool(
                order.tms_loading_place
                or order.tms_unloading_place
                or order.tms_loading_city
                or order.tms_unloading_city
                or order.tms_loading_country_id
                or order.tms_unloading_country_id
                or order.tms_loading_date
                or order.tms_unloading_date
                or order.tms_delivery_date
            )

    @api.depends(
        "tms_loading_place",
        "tms_loading_city",
        "tms_loading_country_id",
        "tms_unloading_place",
        "tms_unloading_city",
        "tms_unloading_country_id",
    )
    def _compute_tms_route(self):
        for order in self:
            order.tms_route = order._tms_route_text()

    def _tms_route_text(self):
        """ "Hamburg (DE) → Zürich (CH)": where the goods are loaded and unloaded, each
        end its place (else its city) and its country's code."""
        self.ensure_one()
        ends = []
        for place, city, country in (
            (self.tms_loading_place, self.tms_loading_city, self.tms_loading_country_id),
            (self.tms_unloading_place, self.tms_unloading_city, self.tms_unloading_country_id),
        ):
            name = (place or city or "").strip()
            code = country.code or ""
            end = f"{name} ({code})" if name and code else name or code
            if end:
                ends.append(end)
        return " → ".join(ends)

    # ------------------------------------------------------------------
    # VAT by route: the tax situation and the fiscal position of a transport
    # ------------------------------------------------------------------

    @api.model
    def _tms_vat_decider(self):
        """``decide(*facts)``: the VAT table's decision (engine/vat_route.py) for the
        facts of one order (``_tms_vat_facts``), or None where the table does not apply
        (a company not established in Germany). Cached: a run asks it for thousands of
        orders of a few customers."""
        europe = self.env.ref("base.europe", raise_if_not_found=False)
        eu_countries = frozenset(europe.country_ids.mapped("code")) if europe else EU_MEMBER_STATES

        @functools.cache
        def decide(company, small, country, business, vat_id, loading, unloading, customs, role):
            if company != "DE":
                return None
            return vat_route_decision(
                VatCustomer(country or None, bool(business), bool(vat_id)),
                VatRoute(loading or None, unloading or None),
                VatCompany(company, bool(small)),
                VatGoods(
                    export_import=None if not customs else customs == "export_import",
                    customer_ships_or_receives=None if not role else role == "consignor",
                ),
                eu_countries,
            )

        return decide

    def _tms_vat_facts(self):
        """What the VAT table asks of this order, as ``_tms_vat_decider`` takes it: the
        company's country and status, the customer's country, business and VAT ID, the
        countries of loading and unloading, and the goods."""
        self.ensure_one()
        company = self.company_id
        customer = self.partner_id.commercial_partner_id
        return (
            company.account_fiscal_country_id.code or company.country_id.code,
            company.tms_small_business,
            customer.country_id.code,
            customer.is_company,
            bool(customer.vat),
            self.tms_loading_country_id.code,
            self.tms_unloading_country_id.code,
            self.tms_goods_customs,
            self.tms_customer_goods_role,
        )

    def _tms_position_fits(self, position, situation, known=None):
        """Whether ``position`` taxes this order as its tax situation wants."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        return fiscal_position_fits(
            situation,
            position._tms_situation_for(customer, self.company_id, known),
            position.country_id.code,
            self.tms_loading_country_id.code,
        )

    @api.depends("partner_id", "company_id", "fiscal_position_id", *VAT_ROUTE_FIELDS)
    @api.depends_context("lang")
    def _compute_tms_vat_route(self):
        decide = self._tms_vat_decider()
        known = self.fiscal_position_id._tms_known_situations()
        for order in self:
            decision = decide(*order._tms_vat_facts()) if order.partner_id else None
            order.tms_tax_situation = decision and decision.situation
            order.tms_vat_note = decision and order._tms_vat_note(decision, known)

    def _tms_vat_note(self, decision, known=None):
        """The decision in words: its row and sources, the invoice's statement, what it
        presumes; a refusal's reason; or that the fiscal position does not fit."""
        self.ensure_one()
        if decision.refused:
            return self.env._(REFUSALS[decision.refusal])  # pylint: disable=translation-required
        treatment = decision.treatment
        lines = [f"{decision.row.key}: {'; '.join(decision.row.sources)}"]
        german = (self.env.lang or "").startswith("de")
        wording = treatment.wording_de if german else treatment.wording_en
        if wording:
            lines.append(wording)
        lines += [
            self.env._(PRESUMPTIONS[key])  # pylint: disable=translation-required
            for key in decision.presumptions
        ]
        if not self._tms_position_fits(self.fiscal_position_id, decision.situation, known):
            lines.append(self._tms_reason_text(FISCAL_POSITION_MISMATCH))
        return "\n".join(lines)

    @api.depends(*VAT_ROUTE_FIELDS)
    def _compute_fiscal_position_id(self):
        """Override of `sale` to give a transport the fiscal position of its tax
        situation (VAT by route) where Odoo's position for its customer is of another:
        Hamburg to Zürich is tax-free for the German shipper whom Odoo taxes at home."""
        result = super()._compute_fiscal_position_id()
        decide = self._tms_vat_decider()
        Position = self.env["account.fiscal.position"]
        # Read once for the thousands of orders an import creates, not per order.
        known = self.fiscal_position_id._tms_known_situations()
        candidates = {}
        for order in self.filtered("partner_id"):
            decision = decide(*order._tms_vat_facts())
            if not decision or decision.refused:
                continue
            if order._tms_position_fits(order.fiscal_position_id, decision.situation, known):
                continue
            company = order.company_id
            if company not in candidates:
                candidates[company] = Position._tms_positions_by_situation(company)
            position = Position._tms_position_of(
                candidates[company], decision.situation, order.tms_loading_country_id.code
            )
            if position:
                if order.order_line:
                    order.show_update_fpos = True
                order.fiscal_position_id = position
        return result

    def _tms_update_route_taxes(self):
        """The taxes of these orders' lines not yet invoiced, as their fiscal position
        (which their route changed) maps them; Odoo's own *Update Taxes*, without the
        click an import or an RPC client cannot make."""
        for order in self:
            lines = order.order_line.filtered(
                lambda line: not line.display_type and not line.qty_invoiced
            )
            if not lines:
                continue
            lines._compute_tax_id()
            order.show_update_fpos = False
            order._message_log(
                body=self.env._(
                    "Taxes updated for the route: fiscal position %(position)s.",
                    position=order.fiscal_position_id.display_name or "-",
                )
            )

    def action_tms_apply_vat_route(self):
        """Give these orders the fiscal position of their tax situation again, and
        their lines not yet invoiced its taxes (after a change of the customer)."""
        self.check_access("write")
        for order in self:
            before = order.fiscal_position_id
            order._compute_fiscal_position_id()
            if order.fiscal_position_id != before or order.show_update_fpos:
                order._tms_update_route_taxes()
        return True

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: whoever edits the order enters its
        transport data; its billing state and events are the project's own."""
        return merge_access(
            super()._tms_write_access(),
            {
                "*": {
                    "tms_loading_place",
                    "tms_loading_zip",
                    "tms_loading_city",
                    "tms_loading_country_id",
                    "tms_loading_date",
                    "tms_unloading_place",
                    "tms_unloading_zip",
                    "tms_unloading_city",
                    "tms_unloading_country_id",
                    "tms_unloading_date",
                    "tms_goods_customs",
                    "tms_customer_goods_role",
                    "tms_delivery_date",
                    "tms_pod_url",
                },
                "nobody": {
                    "tms_billing_state",
                    "tms_billing_event_ids",
                    "tms_is_transport",
                    "tms_route",
                    "tms_tax_situation",
                    "tms_vat_note",
                },
            },
        )

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: invoicing orders is for Transport
        Billing users; applying the route's fiscal position, for whoever may edit the
        order (Sales rights)."""
        return merge_access(
            super()._tms_method_access(),
            {
                "action_tms_open_billing_wizard": {"tms_billing.group_tms_billing_user"},
                "action_tms_invoice_due": {"tms_billing.group_tms_billing_user"},
                "action_tms_apply_vat_route": {"*"},
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

    @api.constrains("tms_loading_zip", "tms_unloading_zip")
    def _check_tms_route_postcodes(self):
        # Printed on the invoice's lines and read by the accounting systems.
        for order in self:
            for postcode in (order.tms_loading_zip, order.tms_unloading_zip):
                if postcode and not POSTCODE.fullmatch(postcode.strip()):
                    raise ValidationError(
                        self.env._(
                            "%(order)s: %(postcode)s is not a postcode (letters, digits, "
                            "spaces and hyphens, at most 12).",
                            order=order.name,
                            postcode=postcode[:40],
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
        vat_route = self._tms_vat_route_of_rows(rows, companies_by_id, customers)
        policies = {}
        facts = []
        for order_id in self.ids:
            row = rows[order_id]
            policy_key = (row["customer_id"], row["company_id"])
            if policy_key not in policies:
                policies[policy_key] = customers[row["customer_id"]]._tms_billing_policy(
                    companies_by_id[row["company_id"]]
                )
            tax_situation, vat_refusal = vat_route(row)
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
                    tax_situation=tax_situation,
                    fiscal_position_id=row["fiscal_position_id"] or 0,
                    vat_refusal=vat_refusal,
                )
            )
        return facts

    @api.model
    def _tms_vat_route_of_rows(self, rows, companies, customers):
        """``vat_route(row)``: ``(tax situation, refusal)`` of an order's fact row (the
        VAT table's decision, and whether the order's fiscal position fits it), each
        asked once per distinct facts of a run's thousands of orders."""
        decide = self._tms_vat_decider()
        company_facts = {
            company.id: (
                company.account_fiscal_country_id.code or company.country_id.code,
                company.tms_small_business,
            )
            for company in companies.values()
        }
        positions = self.env["account.fiscal.position"].browse(
            {row["fiscal_position_id"] for row in rows.values() if row["fiscal_position_id"]}
        )
        known = positions._tms_known_situations()
        fits = {}

        def vat_route(row):
            decision = decide(
                *company_facts[row["company_id"]],
                row["customer_country"],
                row["customer_is_company"],
                row["customer_has_vat"],
                row["loading_country"],
                row["unloading_country"],
                row["tms_goods_customs"],
                row["tms_customer_goods_role"],
            )
            if decision is None:
                return "", None
            if decision.refused:
                return "", decision.refusal
            situation = decision.situation
            key = (
                situation,
                row["fiscal_position_id"],
                row["customer_id"],
                row["company_id"],
                row["loading_country"],
            )
            if key not in fits:
                position = positions.browse(row["fiscal_position_id"] or [])
                fits[key] = fiscal_position_fits(
                    situation,
                    position._tms_situation_for(
                        customers[row["customer_id"]], companies[row["company_id"]], known
                    ),
                    position.country_id.code,
                    row["loading_country"],
                )
            return situation, None if fits[key] else FISCAL_POSITION_MISMATCH

        return vat_route

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
            ["commercial_partner_id", "street", "zip", "city", "country_id", "vat", "is_company"]
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
                       o.fiscal_position_id, o.tms_goods_customs, o.tms_customer_goods_role,
                       lc.code AS loading_country, uc.code AS unloading_country,
                       cc.code AS customer_country, c.is_company AS customer_is_company,
                       COALESCE(c.vat, '') != '' AS customer_has_vat,
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
                  JOIN res_partner c ON c.id = COALESCE(p.commercial_partner_id, p.id)
                  JOIN res_partner r ON r.id = o.partner_invoice_id
             LEFT JOIN res_country cc ON cc.id = c.country_id
             LEFT JOIN res_country lc ON lc.id = o.tms_loading_country_id
             LEFT JOIN res_country uc ON uc.id = o.tms_unloading_country_id
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
        route = self._tms_route_text()
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
