from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..models import tms_billing_cron_chunk
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

    def _run_cron(self, **queue):
        """The daily cron, then its worker crons until every chunk is billed, in this
        transaction; returns the invoices created."""
        self.env["sale.order"]._cron_tms_invoice_due_orders(**queue)
        return self.env["tms.billing.cron.chunk"]._cron_tms_bill_chunks(budget=3600, commit=False)

    def test_cron_bills_closed_periods_on_a_frozen_date(self):
        with freeze_time("2026-10-20"):
            self._run_cron()
        self.assertEqual(self.single.tms_billing_state, "invoiced")
        self.assertEqual(self.weekly.tms_billing_state, "invoiced")
        self.assertEqual(self.weekly_open.tms_billing_state, "to_invoice")
        self.assertEqual(set(self.monthly.mapped("tms_billing_state")), {"to_invoice"})
        self.assertEqual(self.irregular.tms_billing_state, "to_invoice")

        with freeze_time("2026-11-01"):
            moves = self._run_cron()
        self.assertEqual(set(self.monthly.mapped("tms_billing_state")), {"invoiced"})
        self.assertEqual(len(self.monthly.invoice_ids), 1)
        self.assertEqual(self.weekly_open.tms_billing_state, "invoiced")
        self.assertEqual(len(moves), 2)
        self.assertEqual(self.irregular.tms_billing_state, "to_invoice")

    def test_overlapping_runs_invoice_nothing_twice(self):
        orders = self.monthly | self.weekly | self.single
        with freeze_time("2026-11-01"):
            first = self._run_cron()
            second = self._run_cron()
            third = orders._tms_invoice_due(date(2026, 11, 1), skip_locked=True)
        self.assertTrue(first)
        self.assertFalse(second)
        self.assertFalse(third)
        for order in orders:
            self.assertEqual(len(order.invoice_ids), 1, order.name)

    def test_chunks_never_split_a_customer(self):
        with freeze_time("2026-11-01"):
            chunks = self.env["sale.order"]._cron_tms_invoice_due_orders(chunk_orders=1)
            self.assertEqual(len(chunks), 4)
            collective = chunks.filtered(
                lambda chunk: chunk.customer_id_list == [self.customer_collective.id]
            )
            # Both October orders of the monthly customer are in one chunk...
            self.assertEqual(collective.order_count, 2)
            moves = self.env["tms.billing.cron.chunk"]._cron_tms_bill_chunks(
                budget=3600, commit=False
            )
        # ... and so on one invoice of October.
        self.assertEqual(set(chunks.mapped("state")), {"done"})
        self.assertEqual(len(self.monthly.invoice_ids), 1)
        self.assertEqual(self.monthly.invoice_ids.tms_period_start, date(2026, 10, 1))
        for customer in (self.customer_collective, self.customer_weekly):
            of_customer = moves.filtered(lambda m, c=customer: m.commercial_partner_id == c)
            periods = of_customer.mapped(lambda m: (m.tms_period_start, m.tms_period_end))
            self.assertEqual(len(periods), len(set(periods)), customer.name)
        self.assertEqual(collective.billed_count, 2)

    def test_a_worker_stops_within_its_budget_and_triggers_the_next_run(self):
        """Each chunk takes 10 s on a fake clock: a run of a 25 s budget bills two and
        leaves the rest to the next run, which its trigger starts."""
        now = [0.0]
        Chunk = self.env["tms.billing.cron.chunk"]
        bill = type(Chunk)._tms_bill

        def slow_bill(chunk, today):
            now[0] += 10
            return bill(chunk, today)

        worker = self.env.ref("tms_billing.ir_cron_tms_billing_worker_1")
        with (
            freeze_time("2026-11-01"),
            patch.object(tms_billing_cron_chunk, "_clock", lambda: now[0]),
            patch.object(type(Chunk), "_tms_bill", slow_bill),
        ):
            chunks = self.env["sale.order"]._cron_tms_invoice_due_orders(chunk_orders=1)
            self.assertEqual(len(chunks), 4)
            # The daily cron starts the pool.
            triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", worker.id)])
            self.assertTrue(triggers)
            triggers.unlink()
            Chunk.with_context(cron_id=worker.id)._cron_tms_bill_chunks(budget=25, commit=False)
            self.assertEqual(now[0], 20)
            self.assertEqual(chunks.mapped("state"), ["done", "done", "pending", "pending"])
            self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", worker.id)]))
            # The next run goes on where this one stopped, and does not trigger another.
            self.env["ir.cron.trigger"].search([("cron_id", "=", worker.id)]).unlink()
            now[0] = 0.0
            Chunk.with_context(cron_id=worker.id)._cron_tms_bill_chunks(budget=25, commit=False)
            self.assertEqual(set(chunks.mapped("state")), {"done"})
            self.assertFalse(self.env["ir.cron.trigger"].search([("cron_id", "=", worker.id)]))
        self.assertEqual(set(self.monthly.mapped("tms_billing_state")), {"invoiced"})
        self.assertEqual(self.irregular.tms_billing_state, "to_invoice")

    def test_budget_is_a_share_of_odoos_cron_time_limit(self):
        budget = tms_billing_cron_chunk.cron_time_budget
        with patch.dict(tms_billing_cron_chunk.config.options, {"limit_time_real_cron": 120}):
            self.assertEqual(budget("60", jobs=2), 20)
            self.assertEqual(budget("15", jobs=2), 15)
            self.assertEqual(budget("sixty", jobs=1), 40)
            self.assertEqual(budget("-3", jobs=1), 40)
        with patch.dict(tms_billing_cron_chunk.config.options, {"limit_time_real_cron": 0}):
            self.assertEqual(budget(None, jobs=2), 60)

    def test_a_failing_chunk_is_marked_and_the_others_are_billed(self):
        Order = type(self.env["sale.order"])
        create = Order._tms_create_invoices

        def fail_for_weekly(orders, **kwargs):
            if self.customer_weekly in orders.partner_id:
                raise ValueError("broken chunk")
            return create(orders, **kwargs)

        with (
            freeze_time("2026-11-01"),
            patch.object(Order, "_tms_create_invoices", fail_for_weekly),
        ):
            chunks = self.env["sale.order"]._cron_tms_invoice_due_orders(chunk_orders=1)
            with self.assertLogs(tms_billing_cron_chunk.__name__, "ERROR") as logs:
                self.env["tms.billing.cron.chunk"]._cron_tms_bill_chunks(budget=3600, commit=False)
        self.assertIn("failed", logs.output[0])
        failed = chunks.filtered(lambda chunk: chunk.state == "failed")
        self.assertEqual(failed.customer_id_list, [self.customer_weekly.id])
        self.assertIn("broken chunk", failed.error)
        self.assertEqual(self.weekly.tms_billing_state, "to_invoice")
        self.assertEqual(set(self.monthly.mapped("tms_billing_state")), {"invoiced"})

    def test_server_action_bills_selection_like_the_cron(self):
        with freeze_time("2026-10-20"):
            action = (self.monthly | self.single).action_tms_invoice_due()
        self.assertEqual(self.single.tms_billing_state, "invoiced")
        self.assertEqual(set(self.monthly.mapped("tms_billing_state")), {"to_invoice"})
        self.assertEqual(action["res_model"], "account.move")

    def test_interval_change_starts_the_next_period_after_the_billed_one(self):
        with freeze_time("2026-10-12"):
            self._run_cron()
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
            moves = self._run_cron()
        move = moves.filtered(lambda m: m.commercial_partner_id == self.customer_weekly)
        self.assertEqual(len(move), 1)
        self.assertEqual(set(move.line_ids.sale_line_ids.order_id.ids), set(orders.ids))
        self.assertEqual(
            (move.tms_period_start, move.tms_period_end), (date(2026, 10, 12), date(2026, 10, 31))
        )
        self.assertLess(billed.tms_period_end, move.tms_period_start)
