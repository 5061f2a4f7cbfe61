from datetime import date
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.sale.models.sale_order import SaleOrder as SaleOrderBase

from .common import TmsBillingCase


@tagged("post_install", "-at_install")
class TestInvoicing(TmsBillingCase):
    def test_collective_and_single_for_several_customers(self):
        collective = self._order(self.customer_collective, date(2026, 10, 5))
        collective |= self._order(self.customer_collective, date(2026, 10, 28))
        singles = self._order(self.customer_single, date(2026, 10, 5))
        singles |= self._order(self.customer_single, date(2026, 10, 6))
        wizard = self._wizard(collective | singles)
        self.assertEqual(len(wizard.preview_invoice_ids), 3)
        self.assertFalse(wizard.exclusion_ids)
        single_previews = wizard.preview_invoice_ids.filtered(
            lambda p: p.partner_id == self.customer_single
        )
        self.assertEqual(single_previews.mapped("order_count"), [1, 1])
        self.assertEqual(
            set(single_previews.mapped("split_reason")), {"customer is billed with single invoices"}
        )
        collective_preview = wizard.preview_invoice_ids - single_previews
        self.assertEqual(collective_preview.order_ids, collective)
        lines = collective_preview.lines_preview.splitlines()
        self.assertEqual(len(lines), 2)
        for line, order in zip(lines, collective, strict=True):
            self.assertTrue(line.startswith(f"{order.name}  1 × Freight  "), line)
            self.assertIn("100.00", line)

        wizard.action_create_invoices()
        moves = (collective | singles).invoice_ids
        self.assertEqual(len(moves), 3)
        collective_move = collective.invoice_ids
        self.assertEqual(len(collective_move), 1)
        self.assertEqual(collective_move.invoice_origin, ", ".join(collective.mapped("name")))
        self.assertEqual(collective_move.delivery_date, date(2026, 10, 28))
        self.assertEqual(collective_move.tms_period_start, date(2026, 10, 1))
        self.assertEqual(collective_move.tms_period_end, date(2026, 10, 31))
        self.assertEqual(collective_move.amount_untaxed, 200.0)
        self.assertEqual(set((collective | singles).mapped("tms_billing_state")), {"invoiced"})
        self.assertEqual(len(singles[0].invoice_ids), 1)
        self.assertNotEqual(singles[0].invoice_ids, singles[1].invoice_ids)

    def test_invoices_note_the_orders_they_come_from(self):
        collective = self._order(self.customer_collective, date(2026, 10, 5))
        collective |= self._order(self.customer_collective, date(2026, 10, 20))
        single = self._order(self.customer_single, date(2026, 10, 5))
        moves, _plan = (collective | single)._tms_create_invoices()
        self.assertEqual(len(moves), 2)
        note = self.env.ref("mail.mt_note")
        for move in moves:
            orders = move.tms_order_ids
            [message] = move.message_ids.filtered(lambda m, o=orders: o[0].name in m.body)
            self.assertEqual(message.subtype_id, note)
            self.assertTrue(message.is_internal)
            for order in orders:
                self.assertIn(f'data-oe-id="{order.id}"', message.body)
                self.assertIn(order.name, message.body)
        # Outside a transport run, Odoo's own invoicing posts the note itself.
        plain = self._order(self.customer_collective, date(2026, 10, 7))
        move = plain._create_invoices()
        self.assertIn(plain.name, move.message_ids[:1].body)

    def test_large_runs_create_invoices_in_chunks(self):
        orders = self.env["sale.order"]
        for day in (3, 10, 17, 24):
            orders |= self._order(
                self.customer_single,
                date(2026, 10, day),
                lines=[(self.product, 1.0, 100.0), (self.surcharge, 2.0, 40.0)],
            )
        orders |= self._order(self.customer_collective, date(2026, 10, 6))
        create = SaleOrderBase._create_account_invoices
        chunks = []

        def spy(orders, invoice_vals_list, final):
            chunks.append(
                (len(invoice_vals_list), sum(len(v["invoice_line_ids"]) for v in invoice_vals_list))
            )
            return create(orders, invoice_vals_list, final)

        with (
            patch("odoo.addons.tms_billing.models.sale_order_invoicing.CREATE_CHUNK_LINES", 5),
            patch.object(SaleOrderBase, "_create_account_invoices", spy),
        ):
            moves, plan = orders._tms_create_invoices()
        # Nine lines on five invoices, at most five lines per chunk.
        self.assertEqual(sum(count for count, _lines in chunks), 5)
        self.assertEqual(sum(lines for _count, lines in chunks), 9)
        self.assertEqual(len(chunks), 2)
        self.assertLessEqual(max(lines for _count, lines in chunks), 5)
        self.assertEqual(len(moves), 5)
        self.assertEqual(len(plan.invoices), 5)
        for order in orders:
            self.assertEqual(len(order.invoice_ids), 1)
            self.assertEqual(order.invoice_ids.amount_untaxed, order.amount_untaxed)
        self.assertEqual(set(orders.mapped("tms_billing_state")), {"invoiced"})

    def test_customer_override_of_company_defaults(self):
        self.company.tms_invoicing_mode = "single"
        default_customer = self._customer("Default GmbH")
        orders = self._order(default_customer) | self._order(default_customer)
        overridden = self._order(self.customer_collective) | self._order(self.customer_collective)
        plan, _amounts = (orders | overridden)._tms_plan()
        self.assertEqual(len(plan.invoices), 3)
        contact = self.env["res.partner"].create(
            {"name": "Dispo", "parent_id": self.customer_single.id}
        )
        self.assertEqual(contact.tms_invoicing_mode, "single")
        self.assertEqual(contact._tms_billing_settings(self.company)["tms_unit_name"], "Transport")

    def test_wizard_opens_saved_with_totals_of_the_whole_preview(self):
        orders = self._order(self.customer_collective, date(2026, 10, 5))
        orders |= self._order(self.customer_collective, date(2026, 11, 5))
        orders |= self._order(
            self.customer_single, date(2026, 10, 6), lines=[(self.product, 2.0, 50.0)]
        )
        action = orders.action_tms_open_billing_wizard()
        wizard = self.env["tms.billing.wizard"].browse(action["res_id"])
        self.assertTrue(wizard.exists(), "the form opens a saved wizard, not an onchange")
        self.assertEqual((action["res_model"], action["target"]), ("tms.billing.wizard", "new"))
        self.assertEqual(wizard.order_ids, orders)
        self.assertEqual(sorted(wizard.order_id_list), sorted(orders.ids))
        self.assertEqual(wizard.invoice_count, 3)
        self.assertEqual(wizard.currency_id, self.company.currency_id)
        self.assertEqual(wizard.amount_untaxed, 300.0)
        self.assertEqual(
            wizard.amount_total, sum(wizard.preview_invoice_ids.mapped("amount_total"))
        )
        self.assertGreater(wizard.amount_total, wizard.amount_untaxed)
        # The form reads one page of the preview; the totals still cover every invoice.
        page = wizard.web_read(
            {
                "amount_untaxed": {},
                "preview_invoice_ids": {"fields": {"amount_untaxed": {}}, "limit": 2},
            }
        )[0]
        self.assertEqual(page["amount_untaxed"], 300.0)
        self.assertEqual(len(page["preview_invoice_ids"]), 3)
        self.assertEqual(
            len([row for row in page["preview_invoice_ids"] if "amount_untaxed" in row]), 2
        )
        with self.assertRaises(UserError):
            self.env["sale.order"].action_tms_open_billing_wizard()

    def test_wizard_selection_through_order_ids(self):
        orders = self._order(self.customer_single) | self._order(self.customer_single)
        wizard = self.env["tms.billing.wizard"].create({"order_ids": [Command.set(orders.ids)]})
        self.assertEqual(sorted(wizard.order_id_list), sorted(orders.ids))
        self.assertEqual(wizard.invoice_count, 2)
        wizard.order_ids = orders[0]
        self.assertEqual(wizard.order_id_list, orders[0].ids)
        self.assertEqual(wizard.invoice_count, 1)
        # An order deleted since the wizard opened is no longer part of it.
        quotation = self._order(self.customer_single, confirm=False)
        wizard.order_id_list = [*orders.ids, quotation.id]
        self.assertEqual(wizard.exclusion_count, 1)
        quotation.unlink()
        wizard.invalidate_recordset()
        self.assertEqual(wizard.order_ids, orders)

    def test_wizard_has_no_total_across_currencies(self):
        wizard = self._wizard(self._order(self.customer_collective))
        other = self.env.ref("base.USD")
        if other == self.company.currency_id:
            other = self.env.ref("base.EUR")
        wizard.preview_invoice_ids.copy({"wizard_id": wizard.id, "currency_id": other.id})
        wizard.invalidate_recordset()
        self.assertEqual(wizard.invoice_count, 2)
        self.assertFalse(wizard.currency_id)
        self.assertEqual(wizard.amount_total, 0.0)

    def test_split_reasons_in_preview(self):
        october = self._order(self.customer_collective, date(2026, 10, 30))
        november = self._order(self.customer_collective, date(2026, 11, 2))
        other_terms = self._order(
            self.customer_collective, date(2026, 10, 12), payment_term_id=self.payment_term_30.id
        )
        wizard = self._wizard(october | november | other_terms)
        reasons = set(wizard.preview_invoice_ids.mapped("split_reason"))
        self.assertIn("delivery date in another billing period", ", ".join(reasons))
        self.assertIn("different payment terms", ", ".join(reasons))
        self.assertEqual(len(wizard.preview_invoice_ids), 3)

    def test_per_order_lines_text_and_exact_quantities(self):
        order = self._order(
            self.customer_collective,
            lines=[(self.product, 1.0, 120.0), (self.surcharge, 2.0, 40.0)],
            client_order_ref="PO-4711",
            tms_pod_url="https://pod.example.com/4711",
        )
        order.tms_loading_date = date(2026, 10, 4)
        moves, _plan = order._tms_create_invoices()
        lines = moves.invoice_line_ids
        self.assertEqual(len(lines), 2)
        main = lines.filtered(lambda line: line.product_id == self.product)
        self.assertIn("Hamburg → München", main.name)
        self.assertIn("PO-4711", main.name)
        self.assertIn("https://pod.example.com/4711", main.name)
        self.assertTrue(
            lines.filtered(lambda line: line.product_id == self.surcharge).name.startswith(
                order.name
            )
        )
        self.assertEqual(order.order_line.mapped("qty_invoiced"), [1.0, 2.0])

    def test_aggregated_lines_keep_exact_invoiced_quantities(self):
        orders = self.env["sale.order"]
        for day in (5, 6, 7):
            orders |= self._order(
                self.customer_weekly,
                date(2026, 10, day),
                lines=[(self.product, 1.0, 100.0), (self.surcharge, float(day - 4), 40.0)],
            )
        # The preview shows the positions as the invoice will have them.
        preview = self._wizard(orders).preview_invoice_ids
        self.assertEqual(preview.line_mode, "aggregated")
        preview_lines = preview.lines_preview.splitlines()
        self.assertEqual(len(preview_lines), 2, preview.lines_preview)
        names = ", ".join(orders.mapped("name"))
        self.assertTrue(preview_lines[0].startswith(f"{names}  3 × Freight"), preview_lines)
        self.assertTrue(preview_lines[1].startswith(f"{names}  6 × Waiting time"), preview_lines)
        moves, _plan = orders._tms_create_invoices()
        self.assertEqual(len(moves), 1)
        lines = moves.invoice_line_ids
        self.assertEqual(len(lines), 2, "one aggregated position per product and price")
        freight = lines.filtered(lambda line: line.product_id == self.product)
        self.assertEqual(freight.quantity, 3.0)
        self.assertEqual(len(freight.sale_line_ids), 3)
        for order in orders:
            self.assertIn(order.name, freight.name)
        self.assertTrue(freight.name.startswith("Transport: Freight"))
        waiting = lines.filtered(lambda line: line.product_id == self.surcharge)
        self.assertEqual(waiting.quantity, 6.0)
        for order in orders:
            for line in order.order_line:
                self.assertEqual(line.qty_invoiced, line.product_uom_qty, line.name)
                self.assertEqual(line.qty_to_invoice, 0.0)
        self.assertEqual(set(orders.mapped("invoice_status")), {"invoiced"})
        self.assertEqual(moves.amount_untaxed, 300.0 + 6 * 40.0)
        moves.action_post()
        for line in orders.order_line:
            self.assertAlmostEqual(line.untaxed_amount_invoiced, line.price_subtotal)
            self.assertAlmostEqual(line.qty_invoiced_posted, line.product_uom_qty)

    def test_cancel_and_delete_return_orders_to_invoice(self):
        orders = self._order(self.customer_collective) | self._order(self.customer_collective)
        moves, _plan = orders._tms_create_invoices()
        self.assertEqual(set(orders.mapped("tms_billing_state")), {"invoiced"})
        self.assertEqual(orders.tms_billing_event_ids.mapped("kind"), ["invoiced", "invoiced"])
        moves.button_cancel()
        self.assertEqual(set(orders.mapped("tms_billing_state")), {"to_invoice"})
        self.assertIn("reset", orders[0].tms_billing_event_ids.mapped("kind"))

        moves, _plan = orders._tms_create_invoices()
        self.assertEqual(set(orders.mapped("tms_billing_state")), {"invoiced"})
        moves.unlink()
        self.assertEqual(set(orders.mapped("tms_billing_state")), {"to_invoice"})
        self.assertEqual(orders[0].tms_billing_event_ids.mapped("kind").count("reset"), 2)

    def test_invoice_date_and_note_from_wizard(self):
        self.customer_collective.tms_invoice_note = "<p>Danke für Ihre Aufträge.</p>"
        order = self._order(self.customer_collective)
        wizard = self._wizard(order, invoice_date=date(2026, 11, 2), note="<p>Run note</p>")
        wizard.action_create_invoices()
        move = order.invoice_ids
        self.assertEqual(move.invoice_date, date(2026, 11, 2))
        self.assertIn("Danke für Ihre Aufträge.", str(move.narration))
        self.assertIn("Run note", str(move.narration))
        self.assertIn("Invoice created", order.message_ids[:1].body)

    def test_gross_mode_splits_and_is_stored(self):
        gross = self._customer("Brutto e.K.", tms_tax_mode="gross")
        order = self._order(gross)
        moves, _plan = order._tms_create_invoices()
        self.assertEqual(moves.tms_tax_mode, "gross")

    def test_invoice_reference_joins_only_the_references_given(self):
        without = self._order(self.customer_collective, date(2026, 10, 5))
        with_ref = self._order(
            self.customer_collective, date(2026, 10, 6), client_order_ref="PO-2231"
        )
        same_ref = self._order(
            self.customer_collective, date(2026, 10, 7), client_order_ref="PO-2231"
        )
        other_ref = self._order(
            self.customer_collective, date(2026, 10, 8), client_order_ref="PO-9"
        )
        moves, _plan = (without | with_ref | same_ref | other_ref)._tms_create_invoices()
        self.assertEqual(moves.ref, "PO-2231, PO-9")
        alone = self._order(self.customer_collective, date(2026, 11, 5))
        moves, _plan = alone._tms_create_invoices()
        self.assertFalse(moves.ref)

    def test_events_are_worded_in_the_companys_language(self):
        self._load_german()
        self.company.partner_id.lang = "de_DE"
        order = self._order(self.customer_collective, date(2026, 10, 5))
        # Whoever triggers them (here a user working in English), the events are German.
        moves, _plan = order.with_context(lang="en_US")._tms_create_invoices()
        created = order.tms_billing_event_ids.filtered(lambda event: event.kind == "invoiced")
        self.assertTrue(created.message.startswith("Rechnung erstellt: "), created.message)
        moves.with_context(lang="en_US").button_cancel()
        reset = order.tms_billing_event_ids.filtered(lambda event: event.kind == "reset")
        self.assertEqual(reset.message, "Rechnung storniert: Die Aufträge sind erneut abzurechnen.")
        self.assertIn("Rechnung storniert", order.message_ids[:1].body)
