from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from ..const import LINE_MODES
from ..engine import LineFacts, aggregate_lines


class TmsBillingWizardInvoice(models.TransientModel):
    """One invoice the wizard is about to create."""

    _name = "tms.billing.wizard.invoice"
    _description = "Transport Invoice Preview"
    _order = "sequence, id"

    wizard_id = fields.Many2one("tms.billing.wizard", required=True, ondelete="cascade")
    sequence = fields.Integer()
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    invoice_partner_id = fields.Many2one("res.partner", string="Invoice Address", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    period = fields.Char(string="Billing Period", readonly=True)
    # A preview of thousands of invoices holds its orders' ids in one column rather
    # than a relation table of one row per order.
    order_id_list = fields.Json(string="Order IDs", readonly=True)
    order_ids = fields.Many2many("sale.order", string="Orders", compute="_compute_order_ids")
    order_count = fields.Integer(string="Orders Count", readonly=True)
    line_mode = fields.Selection(LINE_MODES, string="Invoice Lines", readonly=True)
    # Computed for the rows on display only (the column is optional).
    lines_preview = fields.Text(string="Lines", compute="_compute_lines_preview")
    amount_untaxed = fields.Monetary(string="Untaxed", readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True)
    split_reason = fields.Char(string="Why a separate invoice", readonly=True)

    @api.depends("order_id_list")
    def _compute_order_ids(self):
        for preview in self:
            preview.order_ids = self.env["sale.order"].browse(preview.order_id_list or [])

    @api.depends("order_id_list", "line_mode")
    def _compute_lines_preview(self):
        order_ids = {order_id for preview in self for order_id in preview.order_id_list or []}
        rows = self._line_rows(self.env["sale.order"].browse(order_ids))
        for preview in self:
            lines = [row for order_id in preview.order_id_list or [] for row in rows[order_id]]
            if preview.line_mode == "aggregated":
                lines = self._aggregate_rows(lines)
            preview.lines_preview = "\n".join(self._format_row(row) for row in lines)

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
