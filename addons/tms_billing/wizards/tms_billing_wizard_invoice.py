from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tools import SQL, format_amount

from ..engine import LineFacts, aggregate_lines
from ..engine.vocabulary import LINE_MODES, TAX_SITUATIONS
from ..invoicing_run import Adjustment, LineEdit
from ..models.tms_billing_client_access import merge_access


class TmsBillingWizardInvoice(models.TransientModel):
    """One invoice the wizard is about to create, and the user's adjustments to it."""

    _name = "tms.billing.wizard.invoice"
    _inherit = ["tms.billing.client.access"]
    _description = "Transport Invoice Preview"
    _order = "sequence, id"

    wizard_id = fields.Many2one("tms.billing.wizard", required=True, ondelete="cascade")
    sequence = fields.Integer()
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    invoice_partner_id = fields.Many2one(
        "res.partner",
        string="Invoice Address",
        domain="['&', ('commercial_partner_id', '=', partner_id), '|', '|', "
        "('id', '=', partner_id), ('id', '=', planned_invoice_partner_id), "
        "('type', '=', 'invoice')]",
        help="The customer's invoice contacts. Only this invoice goes to the address "
        "chosen here: the orders keep their own.",
    )
    # The plan's values, kept when the user first adjusts the invoice (a preview of
    # thousands of invoices does not store them twice); empty: nothing adjusted.
    planned_invoice_partner_id = fields.Many2one(
        "res.partner", string="Planned Invoice Address", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    period = fields.Char(string="Billing Period", readonly=True)
    # A preview of thousands of invoices holds its orders' ids in one column rather
    # than a relation table of one row per order.
    order_id_list = fields.Json(string="Order IDs", readonly=True)
    planned_order_id_list = fields.Json(string="Planned Order IDs", readonly=True)
    order_ids = fields.Many2many(
        "sale.order",
        string="Orders",
        compute="_compute_order_ids",
        inverse="_inverse_order_ids",
        domain="[('id', 'in', planned_order_ids)]",
        help="Remove an order to leave it out of this run: it stays to invoice.",
    )
    planned_order_ids = fields.Many2many(
        "sale.order", string="Planned Orders", compute="_compute_order_ids"
    )
    order_count = fields.Integer(string="Orders Count", readonly=True)
    line_mode = fields.Selection(LINE_MODES, string="Invoice Lines", readonly=True)
    # Computed for the rows on display only (the column is optional).
    lines_preview = fields.Text(string="Lines", compute="_compute_lines_preview")
    line_ids = fields.One2many("tms.billing.wizard.line", "preview_id", string="Positions")
    note = fields.Text(
        string="Note on this invoice",
        help="Printed on this invoice, after the customer's invoice note and the note of the run.",
    )
    # As planned, then kept up to date by the adjustments (``_tms_update_amounts``): a
    # stored compute would be computed again for each of thousands of new previews.
    amount_untaxed = fields.Monetary(string="Untaxed", readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True)
    split_reason = fields.Char(string="Why a separate invoice", readonly=True)
    tax_situation = fields.Selection(TAX_SITUATIONS, readonly=True)
    adjustment_summary = fields.Char(
        string="Adjusted", compute="_compute_adjustment_summary", readonly=True
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the user adjusts the address, the
        note, the orders kept and the positions; the rest is the plan's."""
        return merge_access(
            super()._tms_write_access(),
            {
                "tms_billing.group_tms_billing_user": {
                    "invoice_partner_id",
                    "note",
                    "order_ids",
                    "line_ids",
                },
                "nobody": {
                    "wizard_id",
                    "sequence",
                    "partner_id",
                    "planned_invoice_partner_id",
                    "company_id",
                    "currency_id",
                    "period",
                    "order_id_list",
                    "planned_order_id_list",
                    "planned_order_ids",
                    "order_count",
                    "line_mode",
                    "lines_preview",
                    "amount_untaxed",
                    "amount_total",
                    "split_reason",
                    "tax_situation",
                    "adjustment_summary",
                },
            },
        )

    @api.model
    def _tms_create_access(self):
        """Override of `tms_billing.client.access`: previews are the plan's, made by
        the wizard; no client adds one."""
        return {"nobody": set(self._tms_guarded_field_names())}

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: adjusting a preview is for Transport
        Billing users, on their own previews."""
        transport = {"tms_billing.group_tms_billing_user"}
        return merge_access(
            super()._tms_method_access(),
            {
                "action_tms_adjust": transport,
                "action_tms_back": transport,
                "action_tms_reset": transport,
                "action_tms_leave_out": transport,
            },
        )

    @api.depends("order_id_list", "planned_order_id_list")
    def _compute_order_ids(self):
        for preview in self:
            preview.order_ids = self.env["sale.order"].browse(preview.order_id_list or [])
            preview.planned_order_ids = self.env["sale.order"].browse(
                preview._tms_planned_order_list()
            )

    def _inverse_order_ids(self):
        for preview in self:
            chosen = preview.order_ids._origin.ids
            planned = preview._tms_planned_order_list()
            # In the plan's sequence; an order from elsewhere is refused on write.
            preview.sudo().order_id_list = [
                order_id for order_id in planned if order_id in chosen
            ] + [order_id for order_id in chosen if order_id not in planned]

    def _tms_amounts(self, order_ids):
        """Untaxed and total amount of this invoice as Odoo will compute it: of its
        positions once the user adjusts them, else of the lines ``order_ids`` put on it."""
        if self.line_ids:
            lines = [
                {
                    "product_id": line.product_id.id,
                    "tax_ids": line.tax_ids.ids,
                    "price_unit": line.price_unit,
                    "quantity": line.quantity,
                    "discount": line.discount,
                }
                for line in self.line_ids
            ]
            # The adjusted positions are the invoice's, already merged.
            return self.env["account.move"]._tms_invoice_totals(
                lines, self.currency_id, self.company_id
            )
        else:
            orders = self.env["sale.order"].browse(order_ids)
            rows = self._line_rows(orders)
            lines = [row for order_id in order_ids for row in rows[order_id]]
        return self._tms_totals_of(lines, self.line_mode, self.currency_id, self.company_id)

    @api.model
    def _tms_totals_of(self, rows, line_mode, currency, company):
        """``(untaxed, total)`` of an invoice of ``rows`` (``_line_rows``), aggregated
        as the invoice will be in the ``aggregated`` line mode."""
        if line_mode == "aggregated":
            rows = self._aggregate_rows(rows)
        return self.env["account.move"]._tms_invoice_totals(rows, currency, company)

    def _tms_update_amounts(self):
        for preview in self:
            untaxed, total = preview._tms_amounts(preview.order_id_list or [])
            if (untaxed, total) != (preview.amount_untaxed, preview.amount_total):
                preview.sudo().write({"amount_untaxed": untaxed, "amount_total": total})

    @api.onchange("line_ids")
    def _onchange_line_ids(self):
        # The totals follow the edits before they are saved.
        self.amount_untaxed, self.amount_total = self._tms_amounts(self.order_id_list or [])

    @api.depends("invoice_partner_id", "note", "order_id_list", "line_ids.name")
    @api.depends_context("lang")
    def _compute_adjustment_summary(self):
        for preview in self:
            preview.adjustment_summary = ", ".join(preview._tms_adjustment_texts()) or False

    @api.depends("order_id_list", "line_mode")
    def _compute_lines_preview(self):
        order_ids = {order_id for preview in self for order_id in preview.order_id_list or []}
        rows = self._line_rows(self.env["sale.order"].browse(order_ids))
        for preview in self:
            if preview.line_ids:
                preview.lines_preview = "\n".join(
                    f"{line.order_names}  {line.quantity:g} × {line.name.splitlines()[0]}  "
                    f"{preview._tms_format_amount(line.price_unit)}"
                    for line in preview.line_ids
                )
                continue
            lines = [row for order_id in preview.order_id_list or [] for row in rows[order_id]]
            if preview.line_mode == "aggregated":
                lines = self._aggregate_rows(lines)
            preview.lines_preview = "\n".join(self._format_row(row) for row in lines)

    # -- adjusting ----------------------------------------------------------------

    def _tms_planned_order_list(self):
        return (self.planned_order_id_list or self.order_id_list or []) if self else []

    def _tms_planned_address(self):
        return self.planned_invoice_partner_id or self.invoice_partner_id

    def _tms_remember_plan(self):  # pylint: disable=missing-return
        """Keep the plan's address and orders before the first adjustment."""
        for preview in self.filtered(lambda preview: not preview.planned_order_id_list):
            # Not through this model's write, which calls this method first.
            super(TmsBillingWizardInvoice, preview.sudo()).write(  # pylint: disable=super-method-mismatch
                {
                    "planned_order_id_list": preview.order_id_list,
                    "planned_invoice_partner_id": preview.invoice_partner_id.id,
                }
            )

    def write(self, vals):
        """Override of `base` to keep exclusions and positions in step with the orders."""
        self._tms_remember_plan()
        previous = {preview: set(preview.order_id_list or []) for preview in self}
        result = super().write(vals)
        # Changing the orders goes through ``order_id_list`` (the inverse of order_ids).
        if "order_id_list" in vals:
            for preview, before in previous.items():
                preview._tms_orders_changed(before)
        if {"order_id_list", "line_ids"} & vals.keys():
            self._tms_update_amounts()
        return result

    def _tms_orders_changed(self, before):
        """Keep exclusions and positions in step with the orders the user kept."""
        planned = set(self._tms_planned_order_list())
        kept = set(self.order_id_list or [])
        if not kept <= planned:
            raise ValidationError(
                self.env._("Only orders of this invoice can be kept on it; add no other.")
            )
        if not kept:
            raise ValidationError(
                self.env._(
                    "An invoice needs at least one order. To leave all of them out, use "
                    "'Leave out' on the invoice in the preview."
                )
            )
        self.wizard_id._tms_set_left_out(before - kept, kept - before)
        self.sudo().order_count = len(kept)
        if self.line_ids:
            self._tms_build_lines()

    @api.onchange("order_ids")
    def _onchange_order_ids(self):
        # The positions of orders taken out go at once (edits of kept ones stay); those
        # of orders put back are built again when the invoice is saved.
        kept = set(self.order_ids._origin.ids) or set(self.order_ids.ids)
        dropped = self.line_ids.filtered(
            lambda line: (
                not set(line.sale_line_id_list or [])
                & set(self.env["sale.order"].browse(kept).order_line.ids)
            )
        )
        if dropped:
            self.line_ids -= dropped
        ordered = [order_id for order_id in self._tms_planned_order_list() if order_id in kept]
        self.amount_untaxed, self.amount_total = self._tms_amounts(ordered)

    @api.onchange("invoice_partner_id")
    def _onchange_invoice_partner_id(self):
        address = self.invoice_partner_id
        if not address or address == self._tms_planned_address():
            return None
        others = self.wizard_id.preview_invoice_ids.filtered(
            lambda preview: (
                preview._origin != self._origin
                and preview.partner_id == self.partner_id
                and preview.period == self.period
                and preview.invoice_partner_id == address
            )
        )
        if not others:
            return None
        return {
            "warning": {
                "title": self.env._("Two invoices to one address"),
                "message": self.env._(
                    "Another invoice of this run goes to %(address)s for the same period. "
                    "They stay two invoices: the orders of this one have another invoice "
                    "address. To bill them together, change the invoice address on the "
                    "orders and open the preview again.",
                    address=address.display_name,
                ),
            }
        }

    @api.constrains("invoice_partner_id")
    def _check_invoice_partner_id(self):
        for preview in self:
            address = preview.invoice_partner_id
            if not address or address == preview._tms_planned_address():
                continue
            if address.commercial_partner_id != preview.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "%(address)s is not an address of %(customer)s.",
                        address=address.display_name,
                        customer=preview.partner_id.display_name,
                    )
                )
            # As the plan requires of an order's invoice address (no_invoice_address).
            missing = [
                address._fields[name]._description_string(self.env)
                for name in ("street", "zip", "city", "country_id")
                if not address[name]
            ]
            if missing:
                raise ValidationError(
                    self.env._(
                        "The invoice address %(address)s is incomplete: %(missing)s.",
                        address=address.display_name,
                        missing=", ".join(missing),
                    )
                )

    def _tms_check_adjust_access(self):
        # Adjusting is part of invoicing: for those who may run the wizard.
        self.env["tms.billing.wizard"].check_access("create")
        self.check_access("write")

    def action_tms_adjust(self):
        """Open this invoice of the preview to adjust it."""
        self._tms_check_adjust_access()
        self.ensure_one()
        self._tms_remember_plan()
        if not self.line_ids:
            self._tms_build_lines()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Adjust the invoice to %(customer)s", customer=self.partner_id.name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (self.env.ref("tms_billing.tms_billing_wizard_invoice_view_form_adjust").id, "form")
            ],
            "target": "new",
        }

    def action_tms_back(self):
        """Back to the whole preview (the adjustments are saved)."""
        self._tms_check_adjust_access()
        self.ensure_one()
        return self.wizard_id._tms_action_open()

    def action_tms_reset(self):
        """Undo every adjustment of this invoice."""
        self._tms_check_adjust_access()
        self.ensure_one()
        self.line_ids.unlink()
        self.write({"invoice_partner_id": self._tms_planned_address().id, "note": False})
        # The plan's orders: set back by the preview itself, not by the caller.
        self.sudo().order_id_list = self._tms_planned_order_list()
        return self.action_tms_adjust()

    def action_tms_leave_out(self):
        """Take every order of this invoice out of the run: they stay to invoice."""
        self._tms_check_adjust_access()
        for preview in self:
            preview.wizard_id._tms_set_left_out(set(preview.order_id_list or []), set())
        self.unlink()

    def _tms_build_lines(self):
        """Build the positions of this invoice as it will have them, keeping edits."""
        self.ensure_one()
        # The positions are the plan's, built here for the preview the caller owns.
        self.sudo().line_ids = [Command.clear()] + [
            Command.create(values) for values in self._tms_line_values(self.order_id_list)
        ]

    def _tms_line_values(self, order_ids):
        """The positions of an invoice of ``order_ids``, from Odoo's own invoice line
        values (aggregated as the invoice will aggregate them); the user's edits of a
        position billing the same sale lines are kept."""
        orders = self.env["sale.order"].browse(
            [order_id for order_id in self._tms_planned_order_list() if order_id in order_ids]
        )
        sale_lines = orders.order_line.filtered(
            lambda line: not line.display_type and line.qty_to_invoice
        )
        commands = [
            Command.create(line._tms_prepare_invoice_line(sequence=index))
            for index, line in enumerate(sale_lines)
        ]
        if self.line_mode == "aggregated":
            customer = self.partner_id
            unit_name = customer._tms_billing_settings(self.company_id)["tms_unit_name"]
            invoice_vals = {"invoice_line_ids": commands, "tms_unit_name": unit_name}
            self.env["account.move.line"]._tms_aggregate_line_commands(invoice_vals)
            commands = invoice_vals["invoice_line_ids"]
        edited = {tuple(line.sale_line_id_list or []): line for line in self.line_ids}
        Move = self.env["account.move"]
        result = []
        for sequence, (_command, _id, values) in enumerate(commands):
            key = tuple(sorted(Move._tms_command_ids(values, "sale_line_ids")))
            lines = sale_lines.browse(key)
            planned = {
                "planned_name": values["name"],
                "planned_quantity": values["quantity"],
                "planned_price_unit": values["price_unit"],
            }
            previous = edited.get(key)
            result.append(
                {
                    "sequence": sequence,
                    "sale_line_id_list": list(key),
                    "order_names": ", ".join(lines.order_id.mapped("name")),
                    "product_id": values.get("product_id"),
                    "discount": values.get("discount") or 0.0,
                    "tax_ids": [Command.set(Move._tms_command_ids(values, "tax_ids"))],
                    "name": previous.name if previous else values["name"],
                    "quantity": previous.quantity if previous else values["quantity"],
                    "price_unit": previous.price_unit if previous else values["price_unit"],
                    **planned,
                }
            )
        return result

    def _tms_adjustment_texts(self):
        """What the user changed on this invoice, in words."""
        self.ensure_one()
        texts = []
        if self.invoice_partner_id != self._tms_planned_address():
            texts.append(
                self.env._(
                    "invoice address %(address)s", address=self.invoice_partner_id.display_name
                )
            )
        if self.note and self.note.strip():
            texts.append(self.env._("note added"))
        left_out = len(self._tms_planned_order_list()) - len(self.order_id_list or [])
        if left_out:
            texts.append(self.env._("%(count)s order(s) left out", count=left_out))
        for line in self.line_ids:
            changes = line._tms_changes()
            if changes:
                texts.append(
                    self.env._(
                        "%(position)s: %(changes)s",
                        position=line.planned_name.splitlines()[0],
                        changes=", ".join(changes),
                    )
                )
        return texts

    def _tms_adjustment(self):
        """The adjustments the created invoice carries, or None when there are none."""
        self.ensure_one()
        edits = {
            tuple(line.sale_line_id_list): LineEdit(
                name=line.name, quantity=line.quantity, price_unit=line.price_unit
            )
            for line in self.line_ids
            if line._tms_changes()
        }
        address = self.invoice_partner_id
        note = self.note.strip() if self.note else None
        if address == self._tms_planned_address() and not note and not edits:
            return None
        return Adjustment(
            order_ids=frozenset(self.order_id_list),
            invoice_partner_id=address.id or None,
            note=note,
            line_edits=edits,
        )

    def _tms_format_amount(self, amount):
        return format_amount(self.env, amount, self.currency_id)

    def _aggregate_rows(self, rows):
        """The rows as the invoice will merge them: equal product, price, discount and
        taxes become one position (see ``account.move.line._tms_aggregation_key``)."""
        merged = aggregate_lines(
            LineFacts(id=index, key=row["key"], quantity=row["quantity"])
            for index, row in enumerate(rows)
        )
        result = []
        for aggregated in merged:
            members = [rows[index] for index in aggregated.line_ids]
            names = list(dict.fromkeys(row["order_name"] for row in members))
            result.append(
                dict(members[0], quantity=aggregated.quantity, order_name=", ".join(names))
            )
        return result

    def _format_row(self, row):
        return f"{row['order_name']}  {row['quantity']:g} × {row['product']}  {row['price']}"

    def _line_rows(self, orders):
        """Every order's invoiceable lines as plain rows, by order id."""
        if not orders:
            return {}
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        self.env["sale.order.line"].flush_model(
            [
                "order_id",
                "display_type",
                "qty_to_invoice",
                "price_unit",
                "product_id",
                "product_uom",
                "discount",
                "tax_id",
                "sequence",
            ]
        )
        # Thousands of lines: one query, not the ORM's per-record field access.
        rows = self.env.execute_query(
            SQL(
                """
                SELECT l.order_id, l.qty_to_invoice, l.price_unit, l.product_id,
                       l.product_uom, l.discount,
                       ARRAY(SELECT r.account_tax_id FROM account_tax_sale_order_line_rel r
                              WHERE r.sale_order_line_id = l.id
                           ORDER BY r.account_tax_id) AS tax_ids
                  FROM sale_order_line l
                 WHERE l.order_id IN %s AND l.display_type IS NULL AND l.qty_to_invoice != 0
              ORDER BY l.order_id, l.sequence, l.id
                """,
                tuple(orders.ids),
            )
        )
        products = self.env["product.product"].browse({row[3] for row in rows if row[3]})
        product_names = {product.id: product.display_name for product in products}
        orders_by_id = {order.id: order for order in orders}
        result = defaultdict(list)
        for order_id, quantity, price, product_id, uom_id, discount, tax_ids in rows:
            order = orders_by_id[order_id]
            result[order_id].append(
                {
                    "order_name": order.name,
                    "quantity": quantity,
                    "product": product_names.get(product_id, ""),
                    "price": self._format_price(price, order.currency_id, lang),
                    "key": (product_id, uom_id, price, discount or 0.0, tuple(tax_ids)),
                    "product_id": product_id,
                    "tax_ids": tax_ids,
                    "price_unit": price,
                    "discount": discount or 0.0,
                }
            )
        return result

    def _format_price(self, amount, currency, lang):
        # currency.format() looks the language up on every call, far too slow for a
        # preview of thousands of lines: format with the language's separators.
        digits = currency.decimal_places
        number = f"{amount:,.{digits}f}".translate(
            {ord(","): lang.thousands_sep or "", ord("."): lang.decimal_point}
        )
        if currency.position == "before":
            return f"{currency.symbol}\N{NO-BREAK SPACE}{number}"
        return f"{number}\N{NO-BREAK SPACE}{currency.symbol}"
