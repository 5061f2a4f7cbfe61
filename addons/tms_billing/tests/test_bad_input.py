from datetime import date, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import TmsBillingCase


@tagged("post_install", "-at_install")
class TestBadInput(TmsBillingCase):
    def _no_delivery_date(self):
        return self._order(self.customer_collective, delivery_date=False)

    def _unconfirmed(self):
        return self._order(self.customer_collective, confirm=False)

    def _already_invoiced(self):
        order = self._order(self.customer_collective)
        order._tms_create_invoices()
        return order

    def _zero_amount(self):
        return self._order(self.customer_collective, lines=[(self.product, 1.0, 0.0)])

    def _zero_quantity(self):
        return self._order(self.customer_collective, lines=[(self.product, 0.0, 100.0)])

    def _cancelled(self):
        order = self._order(self.customer_collective)
        order._action_cancel()
        return order

    def _incomplete_invoice_address(self):
        billing = self.env["res.partner"].create(
            {"name": "Buchhaltung", "type": "invoice", "parent_id": self.customer_collective.id}
        )
        billing.street = False
        return self._order(self.customer_collective, partner_invoice_id=billing.id)

    def _delivered_tomorrow(self):
        tomorrow = fields.Date.context_today(self.env.user) + timedelta(days=1)
        return self._order(self.customer_collective, delivery_date=tomorrow)

    def _negative_quantity(self):
        return self._order(self.customer_collective, lines=[(self.product, -1.0, 100.0)])

    def _negative_price(self):
        return self._order(
            self.customer_collective,
            lines=[(self.product, 1.0, 100.0), (self.surcharge, 1.0, -40.0)],
        )

    CASES = [
        ("_delivered_tomorrow", "delivery date in the future"),
        ("_negative_quantity", "negative quantity or price"),
        ("_negative_price", "negative quantity or price"),
        ("_no_delivery_date", "no delivery date"),
        ("_unconfirmed", "order not confirmed"),
        ("_already_invoiced", "already invoiced"),
        ("_zero_amount", "zero amount"),
        ("_zero_quantity", "nothing left to invoice"),
        ("_cancelled", "order not confirmed"),
        ("_incomplete_invoice_address", "invoice address incomplete"),
    ]

    def test_each_bad_order_is_explained_and_nothing_is_created(self):
        for builder, reason in self.CASES:
            with self.subTest(case=builder):
                order = getattr(self, builder)()
                invoices_before = self.env["account.move"].search_count([])
                wizard = self._wizard(order)
                self.assertFalse(wizard.preview_invoice_ids)
                self.assertEqual(wizard.exclusion_ids.order_id, order)
                self.assertIn(reason, wizard.exclusion_ids.reason)
                with self.assertRaisesRegex(UserError, reason):
                    wizard.action_create_invoices()
                self.assertEqual(self.env["account.move"].search_count([]), invoices_before)

    def test_zero_quantity_order_never_reads_invoiced(self):
        order = self._zero_quantity()
        # Odoo itself calls it fully invoiced: all of nothing was invoiced.
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(order.tms_billing_state, "nothing")
        self.assertFalse(order.invoice_ids)
        self.assertFalse(order.tms_billing_event_ids)
        # Once a quantity is entered it is billable like any other order.
        order.order_line.product_uom_qty = 2.0
        self.assertEqual(order.tms_billing_state, "to_invoice")
        order._tms_create_invoices()
        self.assertEqual(order.tms_billing_state, "invoiced")

    def test_transport_dates_must_be_consistent(self):
        loaded = {"tms_loading_date": date(2026, 10, 3), "tms_delivery_date": date(2026, 10, 4)}
        cases = [
            (
                {"tms_unloading_date": date(2026, 10, 2)},
                "cannot be unloaded before they are loaded",
            ),
            (
                {"tms_delivery_date": date(2026, 10, 1)},
                "delivery date cannot be before the loading",
            ),
        ]
        for change, message in cases:
            with (
                self.subTest(change=change),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                self._order(self.customer_collective, **{**loaded, **change})
        order = self._order(
            self.customer_collective, tms_unloading_date=date(2026, 10, 4), **loaded
        )
        self.assertEqual(order.tms_billing_state, "to_invoice")

    def test_invoice_date_before_a_delivery_is_refused(self):
        orders = self._order(self.customer_collective, delivery_date=date(2026, 10, 5))
        orders |= self._order(self.customer_collective, delivery_date=date(2026, 10, 20))
        wizard = self._wizard(orders, invoice_date=date(2026, 10, 10))
        with self.assertRaisesRegex(UserError, "before the delivery of .* \\(10/20/2026\\)"):
            wizard.action_create_invoices()
        self.assertFalse(orders.invoice_ids)
        wizard.invoice_date = date(2026, 10, 31)
        wizard.action_create_invoices()
        self.assertEqual(len(orders.invoice_ids), 1)

    def test_bad_orders_do_not_block_good_ones(self):
        good = self._order(self.customer_collective)
        bad = self._no_delivery_date()
        wizard = self._wizard(good | bad)
        self.assertEqual(wizard.preview_invoice_ids.order_ids, good)
        self.assertEqual(wizard.exclusion_ids.order_id, bad)
        wizard.action_create_invoices()
        self.assertEqual(good.tms_billing_state, "invoiced")
        self.assertEqual(bad.tms_billing_state, "not_delivered")
        self.assertFalse(bad.invoice_ids)

    def test_mixed_companies_get_separate_invoices(self):
        other_company = self.env["res.company"].create({"name": "TMS Süd GmbH"})
        self.env["account.chart.template"].try_loading(
            "generic_coa", company=other_company, install_demo=False
        )
        self.env.user.company_ids |= other_company
        home = self._order(self.customer_collective)
        away = self._order(
            self.customer_collective.with_company(other_company),
            company_id=other_company.id,
        )
        orders = (home | away).with_context(allowed_company_ids=[self.company.id, other_company.id])
        wizard = self._wizard(orders)
        self.assertEqual(len(wizard.preview_invoice_ids), 2)
        self.assertEqual(
            set(wizard.preview_invoice_ids.mapped("split_reason")), {"different company"}
        )
        wizard.action_create_invoices()
        self.assertEqual(home.invoice_ids.company_id, self.company)
        self.assertEqual(away.invoice_ids.company_id, other_company)

    def test_failure_during_creation_leaves_nothing(self):
        orders = self._order(self.customer_collective) | self._order(self.customer_single)
        moves_before = self.env["account.move"].search_count([])
        events_before = self.env["tms.billing.event"].search_count([])
        with (
            patch.object(
                type(self.env["sale.order"]),
                "_tms_log_invoiced",
                side_effect=UserError("boom"),
            ),
            self.assertRaises(UserError),
        ):
            self._wizard(orders).action_create_invoices()
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        self.assertEqual(self.env["tms.billing.event"].search_count([]), events_before)
        self.assertEqual(set(orders.mapped("tms_billing_state")), {"to_invoice"})

    def test_server_action_explains_when_nothing_is_due(self):
        order = self._order(self.customer_collective, delivery_date=date(2099, 1, 5))
        with self.assertRaisesRegex(UserError, "None of the selected orders"):
            order.action_tms_invoice_due()
