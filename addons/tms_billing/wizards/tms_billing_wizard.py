from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import format_date, html2plaintext


class TmsBillingWizard(models.TransientModel):
    """Preview the transport invoices for a selection of orders, then create them."""

    _name = "tms.billing.wizard"
    _description = "Create Transport Invoices"

    order_ids = fields.Many2many(
        "sale.order",
        required=True,
        default=lambda self: self._default_order_ids(),
    )
    invoice_date = fields.Date(
        help="Leave empty to date the invoices when they are confirmed.",
    )
    note = fields.Html(string="Note on the invoices")
    preview_invoice_ids = fields.One2many(
        "tms.billing.wizard.invoice",
        "wizard_id",
        string="Invoices to create",
        compute="_compute_preview",
        store=True,
    )
    exclusion_ids = fields.One2many(
        "tms.billing.wizard.exclusion",
        "wizard_id",
        string="Orders not invoiced",
        compute="_compute_preview",
        store=True,
    )
    invoice_count = fields.Integer(compute="_compute_counts")
    exclusion_count = fields.Integer(compute="_compute_counts")

    def _default_order_ids(self):
        if self.env.context.get("active_model") == "sale.order":
            return self.env["sale.order"].browse(self.env.context.get("active_ids", []))
        return self.env["sale.order"]

    @api.depends("preview_invoice_ids", "exclusion_ids")
    def _compute_counts(self):
        for wizard in self:
            wizard.invoice_count = len(wizard.preview_invoice_ids)
            wizard.exclusion_count = len(wizard.exclusion_ids)

    @api.depends("order_ids")
    def _compute_preview(self):
        for wizard in self:
            orders = wizard.order_ids._origin
            orders.check_access("read")
            plan, amounts = orders._tms_plan()
            wizard.preview_invoice_ids = [Command.clear()] + [
                Command.create(wizard._prepare_preview_invoice(planned, sequence, amounts))
                for sequence, planned in enumerate(plan.invoices)
            ]
            wizard.exclusion_ids = [Command.clear()] + [
                Command.create({"order_id": order_id, "reason": orders._tms_reason_text(reason)})
                for order_id, reason in plan.excluded.items()
            ]

    def _prepare_preview_invoice(self, planned, sequence, amounts):
        orders = self.env["sale.order"].browse(planned.order_ids)
        currency = self.env["res.currency"].browse(planned.key.currency_id)
        return {
            "sequence": sequence,
            "partner_id": planned.customer_id,
            "invoice_partner_id": planned.key.invoice_partner_id,
            "company_id": planned.key.company_id,
            "currency_id": currency.id,
            "period": self._format_period(planned),
            "order_ids": [Command.set(orders.ids)],
            "order_count": len(orders),
            "lines_preview": self._format_lines(orders, currency),
            "amount_untaxed": sum(amounts[order_id][0] for order_id in planned.order_ids),
            "amount_total": sum(amounts[order_id][1] for order_id in planned.order_ids),
            "split_reason": ", ".join(
                sorted(orders._tms_reason_text(reason) for reason in planned.split_reasons)
            ),
        }

    def _format_period(self, planned):
        period = planned.period
        if planned.key.single_order_id:
            return format_date(self.env, planned.orders[0].delivery_date)
        if not period.start:
            return self.env._("Irregular")
        return self.env._(
            "%(start)s – %(end)s",
            start=format_date(self.env, period.start),
            end=format_date(self.env, period.end),
        )

    def _format_lines(self, orders, currency):
        rows = []
        for order in orders:
            for line in order.order_line:
                if line.display_type or not line.qty_to_invoice:
                    continue
                rows.append(
                    f"{order.name}  {line.qty_to_invoice:g} × {line.product_id.display_name}"
                    f"  {currency.format(line.price_unit)}"
                )
        return "\n".join(rows)

    def action_create_invoices(self):
        self.ensure_one()
        note = self.note if self.note and html2plaintext(self.note).strip() else None
        moves, plan = self.order_ids._tms_create_invoices(invoice_date=self.invoice_date, note=note)
        if not moves:
            reasons = "\n".join(
                f"{self.env['sale.order'].browse(order_id).name}: "
                f"{self.env['sale.order']._tms_reason_text(reason)}"
                for order_id, reason in plan.excluded.items()
            )
            raise UserError(self.env._("No invoice can be created for these orders:\n%s", reasons))
        return self._action_after_create(moves)

    def _action_after_create(self, moves):
        return self.order_ids.action_view_invoice(moves)
