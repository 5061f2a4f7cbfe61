from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TmsBillingCase


@tagged("post_install", "-at_install")
class TestCron(TmsBillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_irregular = cls._customer("Ad hoc OHG", tms_billing_interval="irregular")
        # Only these orders may be billed by the cron in these tests.
        cls.env["sale.order"].search([("tms_billing_state", "=", "to_invoice")]).write(
            {"tms_delivery_date": False}
        )
        cls.monthly = cls._order(cls.customer_collective, date(2026, 10, 5))
        cls.monthly |= cls._order(cls.customer_collective, date(2026, 10, 20))
        cls.weekly = cls._order(cls.customer_weekly, date(2026, 10, 5))  # ISO week 41
        cls.weekly_open = cls._order(cls.customer_weekly, date(2026, 10, 19))  # week 43
        cls.single = cls._order(cls.customer_single, date(2026, 10, 19))
        cls.irregular = cls._order(cls.customer_irregular, date(2026, 10, 1))

    def test_cron_bills_closed_periods_on_a_frozen_date(self):
        with freeze_time("2026-10-20"):
            self.env["sale.order"]._cron_tms_invoice_due_orders()
        self.assertEqual(self.single.tms_billing_state, "invoiced")
        self.assertEqual(self.weekly.tms_billing_state, "invoiced")
        self.assertEqual(self.weekly_open.tms_billing_state, "to_invoice")
        self.assertEqual(set(self.monthly.mapped("tms_billing_state")), {"to_invoice"})
        self.assertEqual(self.irregular.tms_billing_state, "to_invoice")

        with freeze_time("2026-11-01"):
            moves = self.env["sale.order"]._cron_tms_invoice_due_orders()
        self.assertEqual(set(self.monthly.mapped("tms_billing_state")), {"invoiced"})
        self.assertEqual(len(self.monthly.invoice_ids), 1)
        self.assertEqual(self.weekly_open.tms_billing_state, "invoiced")
        self.assertEqual(len(moves), 2)
        self.assertEqual(self.irregular.tms_billing_state, "to_invoice")

    def test_overlapping_runs_invoice_nothing_twice(self):
        orders = self.monthly | self.weekly | self.single
        with freeze_time("2026-11-01"):
            first = self.env["sale.order"]._cron_tms_invoice_due_orders()
            second = self.env["sale.order"]._cron_tms_invoice_due_orders()
            third = orders._tms_invoice_due(date(2026, 11, 1), skip_locked=True)
        self.assertTrue(first)
        self.assertFalse(second)
        self.assertFalse(third)
        for order in orders:
            self.assertEqual(len(order.invoice_ids), 1, order.name)

    def test_cron_batches_never_split_a_customer(self):
        with freeze_time("2026-11-01"):
            moves = self.env["sale.order"]._cron_tms_invoice_due_orders(batch_size=1)
        billed = moves.line_ids.sale_line_ids.order_id
        customers = billed.partner_id.commercial_partner_id
        self.assertEqual(len(customers), 1)
        for customer in customers:
            due_of_customer = (
                self.monthly | self.weekly | self.weekly_open | self.single
            ).filtered(lambda o, c=customer: o.partner_id.commercial_partner_id == c)
            self.assertEqual(set(due_of_customer.mapped("tms_billing_state")), {"invoiced"})

    def test_server_action_bills_selection_like_the_cron(self):
        with freeze_time("2026-10-20"):
            action = (self.monthly | self.single).action_tms_invoice_due()
        self.assertEqual(self.single.tms_billing_state, "invoiced")
        self.assertEqual(set(self.monthly.mapped("tms_billing_state")), {"to_invoice"})
        self.assertEqual(action["res_model"], "account.move")

    def test_interval_change_starts_the_next_period_after_the_billed_one(self):
        with freeze_time("2026-10-12"):
            self.env["sale.order"]._cron_tms_invoice_due_orders()
        billed = self.weekly.invoice_ids
        self.assertEqual(
            (billed.tms_period_start, billed.tms_period_end),
            (date(2026, 10, 5), date(2026, 10, 11)),
        )
        # The customer is billed monthly from now on: October goes on from the 12th.
        self.customer_weekly.tms_billing_interval = "monthly"
        later = self._order(self.customer_weekly, date(2026, 10, 27))
        orders = self.weekly_open | later
        wizard = self.env["tms.billing.wizard"].create({"order_id_list": orders.ids})
        self.assertEqual(len(wizard.preview_invoice_ids), 1)
        self.assertIn("12", wizard.preview_invoice_ids.period)
        with freeze_time("2026-11-01"):
            moves = self.env["sale.order"]._cron_tms_invoice_due_orders()
        move = moves.filtered(lambda m: m.commercial_partner_id == self.customer_weekly)
        self.assertEqual(len(move), 1)
        self.assertEqual(set(move.line_ids.sale_line_ids.order_id.ids), set(orders.ids))
        self.assertEqual(
            (move.tms_period_start, move.tms_period_end), (date(2026, 10, 12), date(2026, 10, 31))
        )
        self.assertLess(billed.tms_period_end, move.tms_period_start)
