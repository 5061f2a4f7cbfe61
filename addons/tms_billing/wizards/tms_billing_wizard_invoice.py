from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL


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
    # Computed for the rows on display only (the column is optional).
    lines_preview = fields.Text(string="Lines", compute="_compute_lines_preview")
    amount_untaxed = fields.Monetary(string="Untaxed", readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True)
    split_reason = fields.Char(string="Why a separate invoice", readonly=True)

    @api.depends("order_id_list")
    def _compute_order_ids(self):
        for preview in self:
            preview.order_ids = self.env["sale.order"].browse(preview.order_id_list or [])

    @api.depends("order_id_list")
    def _compute_lines_preview(self):
        order_ids = {order_id for preview in self for order_id in preview.order_id_list or []}
        texts = self._format_lines(self.env["sale.order"].browse(order_ids))
        for preview in self:
            preview.lines_preview = "\n".join(
                text for order_id in preview.order_id_list or [] for text in texts[order_id]
            )

    def _format_lines(self, orders):
        """The preview text of every order's invoiceable lines, by order id."""
        if not orders:
            return {}
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        self.env["sale.order.line"].flush_model(
            ["order_id", "display_type", "qty_to_invoice", "price_unit", "product_id", "sequence"]
        )
        # Thousands of lines: one query, not the ORM's per-record field access.
        rows = self.env.execute_query(
            SQL(
                """
                SELECT order_id, qty_to_invoice, price_unit, product_id
                  FROM sale_order_line
                 WHERE order_id IN %s AND display_type IS NULL AND qty_to_invoice != 0
              ORDER BY order_id, sequence, id
                """,
                tuple(orders.ids),
            )
        )
        products = self.env["product.product"].browse({row[3] for row in rows if row[3]})
        product_names = {product.id: product.display_name for product in products}
        orders_by_id = {order.id: order for order in orders}
        texts = defaultdict(list)
        for order_id, quantity, price, product_id in rows:
            order = orders_by_id[order_id]
            texts[order_id].append(
                f"{order.name}  {quantity:g} × {product_names.get(product_id, '')}"
                f"  {self._format_price(price, order.currency_id, lang)}"
            )
        return texts

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
