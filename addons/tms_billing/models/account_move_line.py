from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from ..engine import LineFacts, aggregate_lines
from .tms_billing_client_access import check_client_create, check_client_write, merge_access


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    tms_unit_name = fields.Char(
        string="Unit",
        compute="_compute_tms_unit_name",
        help="The unit a position counts in: the customer's transport unit for a transport "
        "service, else the product's unit of measure.",
    )
    tms_sale_line_qty = fields.Json(
        string="Quantity per Sale Line",
        copy=False,
        help="For an aggregated transport position: the quantity each sale line put in.",
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

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: each sale line's share of an
        aggregated position decides its invoiced quantity; only the run sets it."""
        return merge_access(
            super()._tms_write_access(), {"nobody": {"tms_unit_name", "tms_sale_line_qty"}}
        )

    @api.depends("product_id.tms_transport_service", "product_uom_id", "move_id.tms_unit_name")
    @api.depends_context("lang")
    def _compute_tms_unit_name(self):
        # In the reader's language: the unit of measure's name is translated.
        for line in self:
            line.tms_unit_name = line._tms_unit_name()

    def _tms_unit_name(self, transport_unit=None):
        """The unit this position counts in: ``transport_unit`` (default: its invoice's)
        for a transport service, else its unit of measure."""
        self.ensure_one()
        transport_unit = transport_unit or self.move_id.tms_unit_name
        if transport_unit and self.product_id.tms_transport_service:
            return transport_unit
        return self.product_uom_id.name or False

    def _tms_aggregation_key(self, values):
        tax_ids = tuple(sorted(self.env["account.move"]._tms_command_ids(values, "tax_ids")))
        return (
            values.get("product_id"),
            values.get("product_uom_id"),
            values.get("price_unit"),
            values.get("discount"),
            tax_ids,
            repr(sorted((values.get("analytic_distribution") or {}).items())),
        )

    def _tms_aggregate_line_commands(self, invoice_vals):
        """Merge the invoice line commands of ``invoice_vals`` into aggregated positions.

        Only plain product lines from one sale line each are merged; sections, notes and
        down payments stay as they are.
        """
        commands = invoice_vals["invoice_line_ids"]
        mergeable, kept = [], []
        for command in commands:
            values = command[2]
            links = values.get("sale_line_ids", [])
            if (
                values.get("display_type", "product") == "product"
                and not values.get("is_downpayment")
                and len(links) == 1
            ):
                mergeable.append(values)
            else:
                kept.append(command)
        by_sale_line = {values["sale_line_ids"][0][1]: values for values in mergeable}
        facts = [
            LineFacts(
                id=sale_line_id, key=self._tms_aggregation_key(values), quantity=values["quantity"]
            )
            for sale_line_id, values in by_sale_line.items()
        ]
        sale_lines = self.env["sale.order.line"].browse(list(by_sale_line))
        merged_commands = []
        for aggregated in aggregate_lines(facts):
            template = dict(by_sale_line[aggregated.line_ids[0]])
            lines = sale_lines.browse(aggregated.line_ids)
            template.update(
                {
                    "name": self._tms_aggregated_label(lines, invoice_vals),
                    "quantity": aggregated.quantity,
                    "sale_line_ids": [Command.set(aggregated.line_ids)],
                    "tms_sale_line_qty": {
                        str(line_id): quantity
                        for line_id, quantity in aggregated.quantity_by_line.items()
                    },
                }
            )
            merged_commands.append(Command.create(template))
        invoice_vals["invoice_line_ids"] = kept + merged_commands

    def _tms_apply_line_edits(self, invoice_vals, edits):
        """Put the user's edits of positions (``invoicing_run.LineEdit``: text, quantity,
        unit price), keyed by the sorted ids of the sale lines a position bills, on the
        invoice line commands."""
        remaining = dict(edits)
        for command in invoice_vals["invoice_line_ids"]:
            values = command[2]
            ids = self.env["account.move"]._tms_command_ids(values, "sale_line_ids")
            edit = remaining.pop(tuple(sorted(ids)), None)
            if not edit:
                continue
            shares = values.get("tms_sale_line_qty")
            if shares and values.get("quantity"):
                # Each sale line keeps its part of the aggregated position.
                factor = edit.quantity / values["quantity"]
                values["tms_sale_line_qty"] = {
                    line_id: quantity * factor for line_id, quantity in shares.items()
                }
            values.update(name=edit.name, quantity=edit.quantity, price_unit=edit.price_unit)
        if remaining:
            raise UserError(
                self.env._(
                    "A position adjusted in the preview is no longer on its invoice (the "
                    "order's lines changed): open the preview again."
                )
            )

    def _tms_aggregated_label(self, sale_lines, invoice_vals):
        product = sale_lines[:1].product_id
        orders = sale_lines.order_id
        unit = product.tms_transport_service and invoice_vals.get("tms_unit_name")
        label = unit or product.display_name
        if product and product.display_name != label:
            label = f"{label}: {product.display_name}"
        return self.env._(
            "%(label)s, orders %(orders)s", label=label, orders=", ".join(orders.mapped("name"))
        )
