import functools
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tools import SQL, format_date, html2plaintext

from ..models.tms_billing_client_access import merge_access


class TmsBillingWizard(models.TransientModel):
    """Preview the transport invoices for a selection of orders, then create them."""

    _name = "tms.billing.wizard"
    _inherit = ["tms.billing.client.access"]
    _description = "Create Transport Invoices"

    # Thousands of selected orders are kept as a list of ids in one column rather than
    # as rows of a relation table, as the preview rows keep theirs.
    order_id_list = fields.Json(
        string="Order IDs", default=lambda self: self._default_order_id_list()
    )
    order_ids = fields.Many2many(
        "sale.order",
        string="Orders",
        compute="_compute_order_ids",
        inverse="_inverse_order_ids",
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
    # The form shows one page of the preview: the totals cover all of it, in the
    # invoices' currency (none when they are in several).
    currency_id = fields.Many2one("res.currency", compute="_compute_totals")
    amount_untaxed = fields.Monetary(string="Untaxed total", compute="_compute_totals")
    amount_total = fields.Monetary(string="Total", compute="_compute_totals")

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the user chooses the orders, the date
        and the note; the preview is computed from them."""
        return merge_access(
            super()._tms_write_access(),
            {
                "tms_billing.group_tms_billing_user": {
                    "order_id_list",
                    "order_ids",
                    "invoice_date",
                    "note",
                },
                "nobody": {
                    "preview_invoice_ids",
                    "exclusion_ids",
                    "invoice_count",
                    "exclusion_count",
                    "currency_id",
                    "amount_untaxed",
                    "amount_total",
                },
            },
        )

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: creating the invoices of a preview is
        for Transport Billing users, on their own previews."""
        return merge_access(
            super()._tms_method_access(),
            {"action_create_invoices": {"tms_billing.group_tms_billing_user"}},
        )

    def _default_order_id_list(self):
        if self.env.context.get("active_model") == "sale.order":
            return list(self.env.context.get("active_ids") or [])
        return []

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base` to check the caller may read the orders it previews."""
        # The preview is a stored compute, run as superuser: the caller's right to read
        # the orders is checked here, at the entry, before anything is computed.
        for vals in vals_list:
            self._check_invoice_date_value(vals)
            ids = self._checked_order_ids(vals.get("order_id_list", self._default_order_id_list()))
            self.env["sale.order"].browse(ids).exists().check_access("read")
        return super().create(vals_list)

    def write(self, vals):
        """Override of `base` to check the caller may read the orders it previews."""
        self._check_invoice_date_value(vals)
        if "order_id_list" in vals:
            ids = self._checked_order_ids(vals["order_id_list"])
            self.env["sale.order"].browse(ids).exists().check_access("read")
        return super().write(vals)

    @api.model
    def _check_invoice_date_value(self, vals):
        """A date as a client sent it, in the server's format (YYYY-MM-DD)."""
        value = vals.get("invoice_date")
        if isinstance(value, str):
            try:
                fields.Date.to_date(value)
            except ValueError:
                raise ValidationError(
                    self.env._("%(value)s is not a date (YYYY-MM-DD).", value=value)
                ) from None

    @api.model
    def _checked_order_ids(self, ids):
        """The selection as a client sent it: a list of order ids, nothing else."""
        if not ids:
            return []
        if not isinstance(ids, list) or not all(type(order_id) is int for order_id in ids):
            raise ValidationError(self.env._("The orders to invoice are a list of order ids."))
        return ids

    @api.depends("order_id_list")
    def _compute_order_ids(self):
        for wizard in self:
            wizard.order_ids = self.env["sale.order"].browse(wizard.order_id_list or []).exists()

    def _inverse_order_ids(self):
        for wizard in self:
            wizard.order_id_list = wizard.order_ids._origin.ids

    @api.depends("preview_invoice_ids", "exclusion_ids")
    def _compute_counts(self):
        for wizard in self:
            wizard.invoice_count = len(wizard.preview_invoice_ids)
            wizard.exclusion_count = len(wizard.exclusion_ids)

    @api.depends("preview_invoice_ids")
    def _compute_totals(self):
        for wizard in self:
            previews = wizard.preview_invoice_ids
            single = len(previews.currency_id) == 1
            wizard.currency_id = previews.currency_id if single else False
            wizard.amount_untaxed = sum(previews.mapped("amount_untaxed")) if single else 0.0
            wizard.amount_total = sum(previews.mapped("amount_total")) if single else 0.0

    @api.depends("order_id_list")
    def _compute_preview(self):
        for wizard in self:
            orders = wizard.order_ids._origin
            plan, _amounts = orders._tms_plan()
            rows = self.env["tms.billing.wizard.invoice"]._line_rows(orders)
            texts = orders._tms_reason_texts()
            # A plan spans a few dozen days and periods: format each once, not once per
            # invoice.
            format_day = functools.cache(functools.partial(format_date, wizard.env))
            format_period = functools.cache(
                functools.partial(wizard._format_period, format_day=format_day)
            )
            wizard.preview_invoice_ids = [Command.clear()] + [
                Command.create(
                    wizard._prepare_preview_invoice(
                        planned, sequence, rows, texts, format_day, format_period
                    )
                )
                for sequence, planned in enumerate(wizard._tms_preview_order(plan.invoices))
            ]
            wizard.exclusion_ids = [Command.clear()] + [
                Command.create({"order_id": order_id, "reason": texts[reason]})
                for order_id, reason in plan.excluded.items()
            ]

    def _tms_preview_order(self, planned_invoices):
        """The planned invoices as the preview lists them: by customer, then period."""
        names = {
            partner.id: (partner.name or "").casefold()
            for partner in self.env["res.partner"].browse(
                {planned.customer_id for planned in planned_invoices}
            )
        }
        return sorted(
            planned_invoices,
            key=lambda planned: (
                names[planned.customer_id],
                planned.customer_id,
                planned.period.start
                or min(
                    (order.delivery_date for order in planned.orders if order.delivery_date),
                    default=date.min,
                ),
            ),
        )

    def _tms_set_left_out(self, left_out_ids, back_ids):
        """Orders the user takes out of this run (they stay to invoice) or puts back."""
        self.ensure_one()
        if back_ids:
            self.sudo().exclusion_ids.filtered(
                lambda exclusion: exclusion.left_out and exclusion.order_id.id in back_ids
            ).unlink()
        if left_out_ids:
            reason = self.env["sale.order"]._tms_reason_text("left_out")
            # Rows of the preview the caller owns (checked by its entry), not the caller's
            # to write.
            self.env["tms.billing.wizard.exclusion"].sudo().create(
                [
                    {"wizard_id": self.id, "order_id": order_id, "reason": reason, "left_out": True}
                    for order_id in sorted(left_out_ids)
                ]
            )

    def _prepare_preview_invoice(self, planned, sequence, rows, texts, format_day, format_period):
        order_ids = planned.order_ids
        # What the invoice will say, to the cent: its lines through Odoo's tax engine.
        untaxed, total = self.env["tms.billing.wizard.invoice"]._tms_totals_of(
            [row for order_id in order_ids for row in rows[order_id]],
            planned.line_mode,
            self.env["res.currency"].browse(planned.key.currency_id),
            self.env["res.company"].browse(planned.key.company_id),
        )
        # A single invoice covers its delivery day, not the customer's interval.
        if planned.key.single_order_id:
            period = format_day(planned.orders[0].delivery_date)
        else:
            period = format_period(planned.period)
        return {
            "sequence": sequence,
            "partner_id": planned.customer_id,
            "invoice_partner_id": planned.key.invoice_partner_id,
            "company_id": planned.key.company_id,
            "currency_id": planned.key.currency_id,
            "period": period,
            "order_id_list": order_ids,
            "order_count": len(order_ids),
            "line_mode": planned.line_mode,
            "amount_untaxed": untaxed,
            "amount_total": total,
            "split_reason": ", ".join(sorted(texts[reason] for reason in planned.split_reasons)),
            "tax_situation": planned.key.tax_situation or False,
        }

    def _format_period(self, period, format_day):
        if not period.start:
            return self.env._("Irregular")
        return self.env._(
            "%(start)s – %(end)s",
            start=format_day(period.start),
            end=format_day(period.end),
        )

    def _tms_action_open(self):
        """This wizard's form, as an action."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Create transport invoices"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            # Customer, period, orders, amounts and reasons side by side, uncut.
            "context": {**self.env.context, "dialog_size": "extra-large"},
        }

    def _tms_adjusted_previews(self):
        """The previewed invoices the user adjusted (address, note or positions)."""
        self.ensure_one()
        previews = self.env["tms.billing.wizard.invoice"]
        previews.flush_model(["wizard_id", "note", "invoice_partner_id"])
        previews.flush_model(["planned_invoice_partner_id"])
        self.env["tms.billing.wizard.line"].flush_model(["preview_id"])
        # One query, not a read of every previewed invoice of a run of thousands.
        rows = self.env.execute_query(
            SQL(
                """
                SELECT p.id FROM tms_billing_wizard_invoice p
                 WHERE p.wizard_id = %s
                   AND (COALESCE(btrim(p.note), '') != ''
                        OR (p.planned_invoice_partner_id IS NOT NULL
                            AND p.invoice_partner_id != p.planned_invoice_partner_id)
                        OR EXISTS (SELECT 1 FROM tms_billing_wizard_line l
                                    WHERE l.preview_id = p.id))
                """,
                self.id,
            )
        )
        return previews.browse([row[0] for row in rows])

    def action_create_invoices(self):
        self.ensure_one()
        note = self.note if self.note and html2plaintext(self.note).strip() else None
        left_out = self.exclusion_ids.filtered("left_out").order_id
        previews = {}
        for preview in self._tms_adjusted_previews():
            adjustment = preview._tms_adjustment()
            if adjustment:
                previews[adjustment.order_ids] = (preview, adjustment)
        orders = self.order_ids - left_out
        moves, plan = orders._tms_create_invoices(
            invoice_date=self.invoice_date,
            note=note,
            adjustments=[adjustment for _preview, adjustment in previews.values()],
        )
        if not moves:
            reasons = "\n".join(
                f"{self.env['sale.order'].browse(order_id).name}: "
                f"{self.env['sale.order']._tms_reason_text(reason)}"
                for order_id, reason in plan.excluded.items()
            )
            raise UserError(self.env._("No invoice can be created for these orders:\n%s", reasons))
        self._tms_log_adjustments(moves, previews, left_out)
        return self._action_after_create(moves)

    def _tms_log_adjustments(self, moves, previews, left_out):
        """Record in the orders' billing events what the user adjusted (``previews``:
        the adjusted preview of each invoice's orders) and left out, in the company's
        language (``res.company._tms_log_lang``)."""
        events = []
        for order in left_out:
            env = order.company_id._tms_log_env(self.env)
            message = env._("Left out of the invoicing run by %(user)s.", user=env.user.name)
            events.append({"order_id": order.id, "kind": "excluded", "message": message})
        for move in moves if previews else ():
            orders = move.line_ids.sale_line_ids.order_id
            preview, _adjustment = previews.get(frozenset(orders.ids), (None, None))
            if not preview:
                continue
            preview = preview.with_env(move.company_id._tms_log_env(self.env))
            message = preview.env._(
                "Adjusted in the preview by %(user)s: %(changes)s.",
                user=preview.env.user.name,
                changes="; ".join(preview._tms_adjustment_texts()),
            )
            events += [
                {"order_id": order.id, "move_id": move.id, "kind": "adjusted", "message": message}
                for order in orders
            ]
        if events:
            self.env["tms.billing.event"].sudo().create(events)

    def _action_after_create(self, moves):
        action = self.order_ids.action_view_invoice(moves)
        # The client takes the wizard's id as the active record of what follows and puts
        # it in the URL, where a reload reads it as an order with that id: name none.
        action["context"] = {
            **(action.get("context") or {}),
            "active_id": False,
            "active_ids": [],
            "active_model": False,
        }
        return action
