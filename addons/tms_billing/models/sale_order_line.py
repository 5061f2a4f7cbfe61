import math

from odoo import api, models
from odoo.exceptions import ValidationError

from ..invoicing_run import InvoicingRun

# What a transport's price and quantity are made of: numbers, never NaN or infinity
# (which an RPC client can send, and Odoo's amount computations do not survive).
NUMERIC_FIELDS = ("price_unit", "product_uom_qty", "discount")


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base` to refuse quantities and prices that are not numbers."""
        for vals in vals_list:
            self._tms_check_numbers(vals)
        return super().create(vals_list)

    def write(self, vals):
        """Override of `base` to refuse quantities and prices that are not numbers."""
        self._tms_check_numbers(vals)
        return super().write(vals)

    @api.model
    def _tms_check_numbers(self, vals):
        for name in NUMERIC_FIELDS:
            value = vals.get(name)
            if isinstance(value, float) and not math.isfinite(value):
                raise ValidationError(
                    self.env._(
                        "%(field)s must be a number.",
                        field=self._fields[name]._description_string(self.env),
                    )
                )

    def _prepare_invoice_line(self, **optional_values):
        """Override of `sale` to label a run's lines with the order's route and dates."""
        values = super()._prepare_invoice_line(**optional_values)
        run = InvoicingRun.current(self.env)
        if run and run.move_of_order(self.order_id.id):
            self._tms_label_invoice_line(values)
        return values

    def _tms_prepare_invoice_line(self, **optional_values):
        """The invoice line values of this sale line as a transport invoice has them,
        also outside a run (the preview's positions)."""
        values = self._prepare_invoice_line(**optional_values)
        if not InvoicingRun.current(self.env):
            self._tms_label_invoice_line(values)
        return values

    def _tms_label_invoice_line(self, values):
        """Name the line's transport: the order's main line its route and dates, the
        others their order's number."""
        if self.display_type:
            return
        order = self.order_id
        main_line = order.order_line.filtered(
            lambda line: not line.display_type and line.qty_to_invoice
        )[:1]
        if self == main_line:
            values["name"] = order._tms_format_line_label()
        elif values.get("name"):
            values["name"] = f"{order.name}: {values['name']}"
        else:
            # Odoo leaves the text empty when it only repeats the product's name.
            values["name"] = order.name

    # An aggregated invoice line serves several sale lines; each may only count its
    # own share of it (``tms_sale_line_qty``), not the whole line, or every sale line
    # of the group would read as invoiced many times over.

    def _tms_aggregated_share(self, invoice_line):
        """The fraction of ``invoice_line`` that belongs to this sale line (1.0 if not shared)."""
        allocation = invoice_line.tms_sale_line_qty
        if not allocation:
            return 1.0
        total = sum(allocation.values())
        return allocation.get(str(self.id), 0.0) / total if total else 0.0

    def _tms_correct_for_shares(self, field_name, contribution):
        """Replace the full contribution of shared invoice lines by this line's share."""
        for line in self:
            correction = 0.0
            for invoice_line in line._get_invoice_lines():
                if invoice_line.tms_sale_line_qty:
                    share = line._tms_aggregated_share(invoice_line)
                    correction += (share - 1.0) * contribution(line, invoice_line)
            if correction:
                line[field_name] += correction

    @api.depends("invoice_lines.move_id.state", "invoice_lines.quantity")
    def _compute_qty_invoiced(self):
        """Override of `sale` to count only this line's share of an aggregated position."""
        res = super()._compute_qty_invoiced()
        self._tms_correct_for_shares("qty_invoiced", self._tms_quantity_counted)
        return res

    @api.depends("invoice_lines.move_id.state", "invoice_lines.quantity")
    def _compute_qty_invoiced_posted(self):
        """Override of `sale` to count only this line's share of an aggregated position."""
        res = super()._compute_qty_invoiced_posted()
        self._tms_correct_for_shares("qty_invoiced_posted", self._tms_posted_quantity_counted)
        return res

    @api.depends(
        "invoice_lines",
        "invoice_lines.price_total",
        "invoice_lines.move_id.state",
        "invoice_lines.move_id.move_type",
    )
    def _compute_untaxed_amount_invoiced(self):
        """Override of `sale` to count only this line's share of an aggregated position."""
        res = super()._compute_untaxed_amount_invoiced()
        self._tms_correct_for_shares("untaxed_amount_invoiced", self._tms_untaxed_counted)
        return res

    @api.depends("invoice_lines", "invoice_lines.price_total", "invoice_lines.move_id.state")
    def _compute_amount_invoiced(self):
        """Override of `sale` to count only this line's share of an aggregated position."""
        res = super()._compute_amount_invoiced()
        self._tms_correct_for_shares("amount_invoiced", self._tms_total_counted)
        return res

    # What Odoo's computes add for one invoice line, mirrored so the share can replace it.

    @staticmethod
    def _tms_quantity_counted(line, invoice_line):
        move = invoice_line.move_id
        if move.state == "cancel" and move.payment_state != "invoicing_legacy":
            return 0.0
        sign = {"out_invoice": 1.0, "out_refund": -1.0}.get(move.move_type, 0.0)
        return sign * invoice_line.product_uom_id._compute_quantity(
            invoice_line.quantity, line.product_uom
        )

    @staticmethod
    def _tms_posted_quantity_counted(line, invoice_line):
        move = invoice_line.move_id
        if move.state != "posted" and move.payment_state != "invoicing_legacy":
            return 0.0
        quantity = invoice_line.product_uom_id._compute_quantity(
            invoice_line.quantity, line.product_uom
        )
        return quantity * -move.direction_sign

    @staticmethod
    def _tms_converted(line, invoice_line, amount):
        move = invoice_line.move_id
        return invoice_line.currency_id._convert(
            amount, line.currency_id, line.company_id, move.invoice_date or move.date
        )

    @classmethod
    def _tms_untaxed_counted(cls, line, invoice_line):
        move = invoice_line.move_id
        if move.state != "posted" and move.payment_state != "invoicing_legacy":
            return 0.0
        sign = {"out_invoice": 1.0, "out_refund": -1.0}.get(move.move_type, 0.0)
        return sign * cls._tms_converted(line, invoice_line, invoice_line.price_subtotal)

    @classmethod
    def _tms_total_counted(cls, line, invoice_line):
        move = invoice_line.move_id
        if move.state != "posted" and move.payment_state != "invoicing_legacy":
            return 0.0
        amount = cls._tms_converted(line, invoice_line, invoice_line.price_total)
        return amount * -move.direction_sign
