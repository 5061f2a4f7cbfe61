from datetime import date

import babel.dates

from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import format_date
from odoo.tools.misc import babel_locale_parse, get_lang

from ..engine.vocabulary import (
    INVOICING_MODES,
    LINE_MODES,
    SINGLE,
    TAX_MODES,
    TAX_SITUATIONS,
    TAX_STATEMENTS,
)
from .tms_billing_client_access import check_client_create, check_client_write, merge_access


class AccountMove(models.Model):
    _inherit = "account.move"

    tms_invoicing_mode = fields.Selection(
        INVOICING_MODES,
        string="Transport Invoicing Mode",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Set on invoices of transport orders: a single invoice bills one order, a "
        "collective invoice the orders of one billing period.",
    )
    tms_period_start = fields.Date(string="Billing Period Start", copy=False)
    tms_period_end = fields.Date(string="Billing Period End", copy=False)
    tms_tax_mode = fields.Selection(TAX_MODES, string="Net/Gross Mode", copy=False)
    tms_line_mode = fields.Selection(LINE_MODES, string="Invoice Lines", copy=False)
    tms_unit_name = fields.Char(string="Transport Unit Name", copy=False)
    tms_tax_situation = fields.Selection(
        TAX_SITUATIONS,
        string="Tax Situation",
        copy=False,
        readonly=True,
        help="How the transports of this invoice are taxed, from their customer and "
        "route (VAT by route), as the accounting systems and the e-invoice are told.",
    )
    tms_order_ids = fields.Many2many(
        "sale.order",
        string="Transport Orders",
        compute="_compute_tms_order_ids",
    )
    tms_order_count = fields.Integer(compute="_compute_tms_order_ids")

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
        """Override of `tms_billing.client.access`: what the run put on its invoice
        (period, modes, unit) stays as the orders' plan made it."""
        return merge_access(
            super()._tms_write_access(),
            {
                "nobody": {
                    "tms_invoicing_mode",
                    "tms_period_start",
                    "tms_period_end",
                    "tms_tax_mode",
                    "tms_line_mode",
                    "tms_unit_name",
                    "tms_tax_situation",
                    "tms_order_ids",
                    "tms_order_count",
                }
            },
        )

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: an invoice's transport orders open
        for whoever opens orders; cancelling is the invoicing users' (Odoo's own right
        to change invoices); Odoo's notes follow Odoo's rights."""
        return merge_access(
            super()._tms_method_access(),
            {
                "action_tms_view_orders": {
                    "sales_team.group_sale_salesman",
                    "account.group_account_invoice",
                },
                "button_cancel": {"account.group_account_invoice"},
                "message_post_with_source": {"*"},
            },
        )

    @api.depends("line_ids.sale_line_ids")
    def _compute_tms_order_ids(self):
        for move in self:
            move.tms_order_ids = move.line_ids.sale_line_ids.order_id
            move.tms_order_count = len(move.tms_order_ids)

    @api.model
    def _tms_command_ids(self, values, field_name):
        """The ids a list of x2many commands in ``values`` sets."""
        ids = []
        for command in values.get(field_name) or []:
            if command[0] == Command.SET:
                ids = list(command[2])
            elif command[0] == Command.LINK:
                ids.append(command[1])
        return ids

    @api.model
    def _tms_invoice_totals(self, lines, currency, company):
        """``(untaxed, total)`` of an invoice of ``lines`` (dicts: ``product_id``,
        ``tax_ids``, ``price_unit``, ``quantity``, ``discount``) as Odoo will compute
        it: its tax engine, rounding as the company is set (per line or globally). The
        preview shows what the invoice will say, to the cent."""
        AccountTax = self.env["account.tax"]
        base_lines = [
            AccountTax._prepare_base_line_for_taxes_computation(
                None,
                product_id=self.env["product.product"].browse(line["product_id"]),
                tax_ids=self.env["account.tax"].browse(line["tax_ids"]),
                price_unit=line["price_unit"],
                quantity=line["quantity"],
                discount=line["discount"] or 0.0,
                currency_id=currency,
                rate=1.0,
            )
            for line in lines
        ]
        AccountTax._add_tax_details_in_base_lines(base_lines, company)
        AccountTax._round_base_lines_tax_details(base_lines, company)
        totals = AccountTax._get_tax_totals_summary(base_lines, currency, company)
        return totals["base_amount_currency"], totals["total_amount_currency"]

    def _tms_transport_moves(self):
        """The transport invoices among these moves."""
        return self.filtered("tms_invoicing_mode")

    def _tms_invoices_created(self):
        """Called once a run has created these transport invoices; a hook for the
        addons that act on new invoices (sending them to an accounting system)."""

    def button_cancel(self):
        """Override of `account` to free the orders of cancelled transport invoices."""
        moves = self._tms_transport_moves().filtered(lambda move: move.state != "cancel")
        result = super().button_cancel()
        if moves:
            self.env["sale.order"]._tms_log_reset(
                moves, lambda env: env._("Invoice cancelled: the orders are to invoice again.")
            )
        return result

    def unlink(self):
        """Override of `account` to free the orders of deleted transport invoices."""
        moves = self._tms_transport_moves()
        if moves:
            # The link to the orders disappears with the lines: log while it exists.
            self.env["sale.order"]._tms_log_reset(
                moves, lambda env: env._("Invoice deleted: the orders are to invoice again.")
            )
        return super().unlink()

    def action_tms_view_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Transport Orders"),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.tms_order_ids.ids)],
        }

    def _tms_tax_situation(self):
        """How this invoice is taxed, as accounting systems and e-invoices state it: as
        its orders' route decided (``tms_tax_situation``) unless its fiscal position,
        changed since, says another situation; else as the fiscal position and the
        customer say."""
        self.ensure_one()
        decided = self.tms_tax_situation
        if decided:
            position = self.fiscal_position_id
            known = position._tms_known_situations().get(position.id)
            if not known or known == decided:
                return decided
        return self.commercial_partner_id._tms_tax_situation(
            self.company_id, self.fiscal_position_id
        )

    def _tms_tax_statement(self):
        """``(category, exemption code, text)`` of this invoice's tax situation when it
        charges no VAT (``TAX_STATEMENTS``), else None. The text is English; translate
        it with ``env._`` in the reader's language."""
        self.ensure_one()
        source = self._tms_transport_source() or self
        statement = TAX_STATEMENTS.get(source._tms_tax_situation())
        if not statement or not self.company_id.currency_id.is_zero(self.amount_tax):
            return None
        return statement

    # -- the printed invoice and e-invoices ----------------------------------------

    def _tms_transport_source(self):
        """The transport invoice this move states the service of: itself, or for a
        credit note the transport invoice it reverses; an empty recordset otherwise."""
        self.ensure_one()
        if self.tms_invoicing_mode:
            return self
        if self.move_type == "out_refund" and self.reversed_entry_id.tms_invoicing_mode:
            return self.reversed_entry_id
        return self.browse()

    def _tms_is_single_invoice(self):
        """Whether this transport invoice bills one order on its own (a single invoice)."""
        self.ensure_one()
        return self._tms_transport_source().tms_invoicing_mode == SINGLE

    def _tms_service_period(self):
        """The billing period ``(start, end)`` of a collective transport invoice (or of a
        credit note of one), else None. A single invoice has its delivery day instead.

        The period never reaches past the invoice date: an invoice written on the 7th
        of a month states the 1st to the 7th, not days yet to come (the orders it bills
        were all delivered by then)."""
        self.ensure_one()
        source = self._tms_transport_source()
        if (
            not source
            or source._tms_is_single_invoice()
            or not (source.tms_period_start and source.tms_period_end)
        ):
            return None
        end = source.tms_period_end
        if source.invoice_date:
            end = max(source.tms_period_start, min(end, source.invoice_date))
        return source.tms_period_start, end

    def _tms_service_date(self):
        """The delivery day of a single transport invoice (or of a credit note of one)."""
        self.ensure_one()
        source = self._tms_transport_source()
        if not source or self._tms_service_period():
            return None
        return source.delivery_date or None

    def _tms_report_service_period(self):
        """The billing period as the invoice's reader writes dates: "01.10.2026 - 31.10.2026"."""
        period = self._tms_service_period()
        if not period:
            return ""
        start, end = period
        return f"{format_date(self.env, start)} – {format_date(self.env, end)}"

    def _tms_report_tax_statement(self, lang=None):
        """The statement of why the invoice charges no VAT ("Steuerschuldnerschaft des
        Leistungsempfängers"), in ``lang`` or the reader's language, or ""."""
        statement = self._tms_tax_statement()
        if not statement:
            return ""
        env = self.with_context(lang=lang).env if lang else self.env
        return env._(statement[2])  # pylint: disable=translation-required

    def _tms_einvoice_lang(self):
        """The language of the texts of this invoice's e-invoice: German for a German
        customer (where German is installed), English for any other."""
        self.ensure_one()
        if self.commercial_partner_id.country_id.code == "DE" and self.env["res.lang"]._lang_get(
            "de_DE"
        ):
            return "de_DE"
        return "en_US"

    def _tms_report_seller_tax_ids(self):
        """The seller's VAT ID and tax number as the invoice prints them (§ 14 Abs. 4
        Nr. 2 UStG): ``[(label, value)]``. The tax number is Odoo's German field
        (``l10n_de_stnr``, "St.-Nr.") when the localisation is installed."""
        self.ensure_one()
        company = self.company_id
        ids = []
        if company.vat:
            ids.append((self.env._("VAT ID"), company.vat))
        tax_number = "l10n_de_stnr" in company._fields and company.l10n_de_stnr
        if tax_number:
            ids.append((self.env._("Tax number"), tax_number))
        return ids

    def _tms_line_orders(self, line):
        """The transport orders behind an invoice line, by delivery date."""
        # Only the names and delivery dates of the orders of an invoice the user reads.
        orders = line.sudo().sale_line_ids.order_id
        return orders.sorted(lambda order: (order.tms_delivery_date or date.max, order.name))

    def _tms_orders_with_dates(self, line, skeleton):
        """ "SO001 (01.10.), SO002 (03.10.)": the orders of ``line`` with their delivery
        dates in the reader's language, ``skeleton`` a CLDR date skeleton."""
        locale = babel_locale_parse(get_lang(self.env).code)
        texts = []
        for order in self._tms_line_orders(line):
            day = order.tms_delivery_date
            texts.append(
                f"{order.name} ({babel.dates.format_skeleton(skeleton, day, locale=locale)})"
                if day
                else order.name
            )
        return ", ".join(texts)

    def _tms_report_line_orders(self, line):
        """For a position aggregating orders: those orders with their delivery days."""
        self.ensure_one()
        if self.tms_line_mode != "aggregated" or line.display_type != "product":
            return ""
        return self._tms_orders_with_dates(line, "ddMM")

    def _tms_line_orders_note(self, line):
        """The note of an aggregated position in an e-invoice: its orders and their dates."""
        self.ensure_one()
        if self.tms_line_mode != "aggregated" or len(self._tms_line_orders(line)) < 2:
            return ""
        return self.env._(
            "Orders: %(orders)s", orders=self._tms_orders_with_dates(line, "ddMMyyyy")
        )
