from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from ..models.tms_billing_client_access import merge_access


class TmsBillingWizardLine(models.TransientModel):
    """One position of a previewed invoice, as the user adjusts it before creation.

    Positions are only built for the invoices a user opens to adjust: a preview of
    thousands of invoices holds none.
    """

    _name = "tms.billing.wizard.line"
    _inherit = ["tms.billing.client.access"]
    _description = "Transport Invoice Preview Position"
    _order = "sequence, id"

    preview_id = fields.Many2one(
        "tms.billing.wizard.invoice", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer()
    # The sale lines the position bills: one, or several when lines are aggregated.
    sale_line_id_list = fields.Json(string="Sale Line IDs", readonly=True)
    order_names = fields.Char(string="Orders", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    name = fields.Text(string="Description", required=True)
    quantity = fields.Float(digits="Product Unit of Measure", required=True)
    price_unit = fields.Float(string="Unit Price", digits="Product Price", required=True)
    discount = fields.Float(digits="Discount", readonly=True)
    tax_ids = fields.Many2many("account.tax", string="Taxes", readonly=True)
    currency_id = fields.Many2one(related="preview_id.currency_id")
    price_subtotal = fields.Monetary(string="Amount", compute="_compute_amounts")
    price_total = fields.Monetary(string="Total", compute="_compute_amounts")
    # As planned, to tell what the user changed.
    planned_name = fields.Text(readonly=True)
    planned_quantity = fields.Float(digits="Product Unit of Measure", readonly=True)
    planned_price_unit = fields.Float(digits="Product Price", readonly=True)

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: a position's text, quantity and unit
        price are the user's to adjust; what it bills (sale lines, product, taxes) and
        the plan it started from are not."""
        return merge_access(
            super()._tms_write_access(),
            {
                "tms_billing.group_tms_billing_user": {"name", "quantity", "price_unit"},
                "nobody": {
                    "preview_id",
                    "sequence",
                    "sale_line_id_list",
                    "order_names",
                    "product_id",
                    "discount",
                    "tax_ids",
                    "currency_id",
                    "price_subtotal",
                    "price_total",
                    "planned_name",
                    "planned_quantity",
                    "planned_price_unit",
                },
            },
        )

    @api.model
    def _tms_create_access(self):
        """Override of `tms_billing.client.access`: positions are built from the
        orders by the preview; no client adds one."""
        return {"nobody": set(self._tms_guarded_field_names())}

    def write(self, vals):
        """Override of `base` so that the invoice's totals follow the edited position."""
        result = super().write(vals)
        if {"quantity", "price_unit"} & vals.keys():
            self.preview_id._tms_update_amounts()
        return result

    @api.depends("quantity", "price_unit", "discount", "tax_ids")
    def _compute_amounts(self):
        for line in self:
            taxes = line.tax_ids.compute_all(
                line.price_unit * (1 - (line.discount or 0.0) / 100.0),
                currency=line.currency_id or None,
                quantity=line.quantity,
                product=line.product_id,
                partner=line.preview_id.invoice_partner_id,
            )
            line.price_subtotal = taxes["total_excluded"]
            line.price_total = taxes["total_included"]

    @api.constrains("name", "quantity", "price_unit")
    def _check_adjustment(self):
        for line in self:
            if not (line.name or "").strip() or "\x00" in line.name:
                raise ValidationError(self.env._("Every position needs a description."))
            digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
            if float_compare(line.quantity, line.planned_quantity, precision_digits=digits) > 0:
                raise ValidationError(
                    self.env._(
                        "%(position)s: at most %(quantity)g is left to invoice. To bill more, "
                        "change the order first.",
                        position=line.name.splitlines()[0],
                        quantity=line.planned_quantity,
                    )
                )
            if line.quantity <= 0 or line.price_unit < 0:
                raise ValidationError(
                    self.env._(
                        "%(position)s: the quantity must be above zero and the price not "
                        "negative. To bill less, lower them; to bill nothing for an order, "
                        "take the order out of the invoice.",
                        position=line.name.splitlines()[0],
                    )
                )

    def _tms_changes(self):
        """What the user changed on this position, in words (empty if nothing)."""
        self.ensure_one()
        changes = []
        if self.name.strip() != (self.planned_name or "").strip():
            changes.append(self.env._("text changed"))
        if self.quantity != self.planned_quantity:
            changes.append(
                self.env._(
                    "quantity %(before)g → %(after)g",
                    before=self.planned_quantity,
                    after=self.quantity,
                )
            )
        if self.price_unit != self.planned_price_unit:
            changes.append(
                self.env._(
                    "unit price %(before)s → %(after)s",
                    before=self.preview_id._tms_format_amount(self.planned_price_unit),
                    after=self.preview_id._tms_format_amount(self.price_unit),
                )
            )
        return changes
