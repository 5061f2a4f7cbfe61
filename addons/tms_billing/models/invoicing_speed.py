"""Speed hooks of the invoicing run: one mechanism, in one place.

Odoo's invoice creation repeats look-ups per order or per line whose answer cannot
change within one run, and posts and writes per invoice what can be done for all at
once. Each hook below only acts inside a run (``InvoicingRun.current(env)``, entered by
``sale.order._tms_create_invoices``); outside a run it calls Odoo's code unchanged. They
change speed, never results: each keeps its answers in the run's memos, which end with
the run.

Measured gain of each: the share of our cron's time it saves, median of 3 rounds on
2,000 orders of 100 customers (``benchmarks/run --orders 2000 --customers 100 --scenario
native --rounds 3 --variants floor,cron --hook-sweep``, the cron with all hooks against
the cron with that one switched off, on a busy machine; see benchmarks/README.md):

- ``account.fiscal.position._get_fiscal_position`` (one look-up per recipient): 18.9 %,
  7,078 -> 3,278 queries;
- ``message_post_with_source`` (the "created from" notes logged at once): 18.8 %,
  3,869 -> 3,278 queries;
- ``_tms_prefill_line_amounts`` (no tax sync writes line by line): 17.0 %;
- ``account.analytic.distribution.model._get_distribution`` (none looked up without a
  model): 11.3 %, 5,883 -> 3,278 queries.

The memo of the default journal of each new invoice gained 4.5 % (3,369 -> 3,278
queries), under the 5 % a hook must gain to be kept, and was removed.
"""

from odoo import api, models
from odoo.fields import Command

from ..invoicing_run import InvoicingRun


def _memo(env, name):
    """The memo ``name`` of the run under way on ``env``'s cursor, or None."""
    run = InvoicingRun.current(env)
    return None if run is None else run.memo(name)


class AccountMove(models.Model):
    _inherit = "account.move"

    def message_post_with_source(
        self,
        source_ref,
        render_values=None,
        message_type="notification",
        subtype_xmlid=False,
        subtype_id=False,
        **kwargs,
    ):
        """Override of `mail` to post the "created from" notes of a run at once."""
        # Odoo posts "created from" on each new invoice, one message_post per invoice;
        # a run collects these notes and logs them in one batch at its end.
        pending = _memo(self.env, "origin_messages")
        if (
            pending is not None
            and source_ref == "mail.message_origin_link"
            and message_type == "notification"
            and subtype_xmlid == "mail.mt_note"
            and not subtype_id
            and not kwargs
        ):
            for move in self:
                pending[move.id] = render_values
            return self.env["mail.message"]
        return super().message_post_with_source(
            source_ref,
            render_values=render_values,
            message_type=message_type,
            subtype_xmlid=subtype_xmlid,
            subtype_id=subtype_id,
            **kwargs,
        )

    def _tms_log_origin_messages(self, pending):
        """Log the "created from" notes collected during a run, as Odoo words them."""
        bodies = {}
        render = self.env["mail.render.mixin"]._render_template_qweb_view
        for move in self.filtered(lambda move: move.id in pending):
            bodies.update(
                render(
                    "mail.message_origin_link",
                    self._name,
                    move.ids,
                    add_context=pending[move.id],
                )
            )
        if bodies:
            self.browse(list(bodies))._message_log_batch(bodies=bodies)

    @api.model
    def _tms_prefill_line_amounts(self, invoice_vals):
        """Put on new invoice lines the amounts and tax tags Odoo's tax sync gives them.

        Odoo creates invoice lines with a zero balance and then, while it adds the tax
        lines, writes each line's amounts one by one: a quarter of the creation time of
        collective invoices. Computed here for all lines at once with Odoo's own tax
        engine, the sync finds nothing to write; should a value differ, the sync still
        writes it, so the result is Odoo's either way. Only invoices in the company's
        currency are prefilled (no rate to apply).
        """
        company = self.env["res.company"].browse(invoice_vals["company_id"])
        currency = self.env["res.currency"].browse(invoice_vals.get("currency_id"))
        move_type = invoice_vals.get("move_type", "out_invoice")
        if currency != company.currency_id or move_type not in ("out_invoice", "out_refund"):
            return
        AccountTax = self.env["account.tax"]
        is_refund = move_type == "out_refund"
        sign = 1 if is_refund else -1
        product_lines = [
            command[2]
            for command in invoice_vals.get("invoice_line_ids", [])
            if command[0] == Command.CREATE
            and command[2].get("display_type", "product") == "product"
        ]
        base_lines = [
            AccountTax._prepare_base_line_for_taxes_computation(
                None,
                product_id=self.env["product.product"].browse(values.get("product_id")),
                tax_ids=self.env["account.tax"].browse(self._tms_command_ids(values, "tax_ids")),
                price_unit=values.get("price_unit", 0.0),
                quantity=values.get("quantity", 0.0),
                discount=values.get("discount", 0.0),
                currency_id=currency,
                rate=1.0,
                sign=sign,
                is_refund=is_refund,
            )
            for values in product_lines
        ]
        AccountTax._add_tax_details_in_base_lines(base_lines, company)
        AccountTax._round_base_lines_tax_details(base_lines, company)
        AccountTax._add_accounting_data_in_base_lines_tax_details(base_lines, company)
        for values, base_line in zip(product_lines, base_lines, strict=True):
            details = base_line["tax_details"]
            amount_currency = (
                details["total_excluded_currency"] + details["delta_total_excluded_currency"]
            )
            balance = details["total_excluded"] + details["delta_total_excluded"]
            values.setdefault("amount_currency", sign * amount_currency)
            values.setdefault("balance", sign * balance)
            values.setdefault("tax_tag_ids", [Command.set(base_line["tax_tag_ids"].ids)])


class AccountFiscalPosition(models.Model):
    _inherit = "account.fiscal.position"

    def _get_fiscal_position(self, partner, delivery=None):
        """Override of `account` to remember the answer for an invoicing run (speed only)."""
        # Odoo looks the position up once per order; a run bills many orders of the
        # same few recipients.
        memo = _memo(self.env, "fiscal_position")
        if memo is None:
            return super()._get_fiscal_position(partner, delivery=delivery)
        key = (partner.id, delivery.id if delivery else None, self.env.company.id)
        if key not in memo:
            memo[key] = super()._get_fiscal_position(partner, delivery=delivery).id
        return self.browse(memo[key])


class AccountAnalyticDistributionModel(models.Model):
    _inherit = "account.analytic.distribution.model"

    def _get_distribution(self, vals):
        """Override of `account` to remember the answer for an invoicing run (speed only)."""
        # Computed once per invoice line by Odoo; the lines of a run repeat a few
        # products and partners, and without any distribution model there is nothing to
        # look up at all.
        memo = _memo(self.env, "analytic_distribution")
        if memo is None:
            return super()._get_distribution(vals)
        models_exist = _memo(self.env, "analytic_models_exist")
        companies = tuple(self.env.companies.ids)
        if companies not in models_exist:
            models_exist[companies] = bool(self.search_count([], limit=1))
        if not models_exist[companies]:
            return {}
        key = (
            self.env.company.id,
            companies,
            *sorted(
                (name, tuple(value) if isinstance(value, list) else value)
                for name, value in vals.items()
            ),
        )
        if key not in memo:
            memo[key] = super()._get_distribution(vals)
        return dict(memo[key])
