import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.fields import Command
from odoo.tests import TransactionCase, tagged

CUSTOMERS = 4
ORDERS_PER_CUSTOMER = 3


@tagged("post_install", "-at_install")
class TestCronWorkers(TransactionCase):
    """Two worker crons on two database connections bill the chunks of one daily run at
    the same moment, as two cron workers of a multi-worker Odoo do, committing chunk by
    chunk.

    The test transaction stays untouched: everything here is committed through
    connections of its own, and removed again at the end.
    """

    @contextmanager
    def _committed_env(self):
        cr = sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            yield env
            env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit
        finally:
            cr.close()

    def setUp(self):
        super().setUp()
        delivered = fields.Date.context_today(self.env.user) - timedelta(days=60)
        with self._committed_env() as env:
            # Only this test's orders are to be billed by the workers.
            self.assertFalse(
                env["sale.order"].search_count([("tms_billing_state", "=", "to_invoice")]),
                "committed orders to invoice in the database",
            )
            customers = env["res.partner"].create(
                [
                    {
                        "name": f"Worker Spedition {number}",
                        "is_company": True,
                        "street": "Kai 1",
                        "zip": "20457",
                        "city": "Hamburg",
                        "country_id": env.ref("base.de").id,
                        "tms_invoicing_mode": "collective",
                        "tms_billing_interval": "monthly",
                    }
                    for number in range(CUSTOMERS)
                ]
            )
            product = env["product.product"].create(
                {"name": "Worker freight", "type": "service", "invoice_policy": "order"}
            )
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": customer.id,
                        "tms_delivery_date": delivered,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "product_uom_qty": 1,
                                    "price_unit": 100.0 + number,
                                }
                            )
                        ],
                    }
                    for customer in customers
                    for number in range(ORDERS_PER_CUSTOMER)
                ]
            )
            orders.action_confirm()
            self.customer_ids, self.product_id = customers.ids, product.id
            self.order_ids = orders.ids
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self._committed_env() as env:
            orders = env["sale.order"].browse(self.order_ids)
            moves = orders.invoice_ids
            env["tms.billing.cron.chunk"].search([]).unlink()
            env["tms.billing.event"].search([("order_id", "in", orders.ids)]).unlink()
            moves.filtered(lambda move: move.state == "posted").button_draft()
            moves.unlink()
            orders._action_cancel()
            orders.unlink()
            env["product.product"].browse(self.product_id).unlink()
            env["res.partner"].browse(self.customer_ids).unlink()

    def _run_workers(self, count):
        """Run ``count`` worker jobs at once, each on its own connection, committing
        chunk by chunk; each chunk takes a little while, so that the jobs interleave.
        Returns the invoice ids each job created, or the error it met."""
        Chunk = type(self.env["tms.billing.cron.chunk"])
        bill = Chunk._tms_bill

        def slow_bill(chunk, today):
            moves = bill(chunk, today)
            time.sleep(0.3)
            return moves

        start = threading.Barrier(count)
        outcomes = [None] * count

        def work(index, env):
            try:
                start.wait(timeout=30)
                moves = env["tms.billing.cron.chunk"]._cron_tms_bill_chunks(budget=3600)
                outcomes[index] = moves.ids
                env.cr.commit()  # pylint: disable=invalid-commit
            except Exception as error:  # reported by the assertions of the test
                env.cr.rollback()
                outcomes[index] = repr(error)

        cursors = [sql_db.db_connect(self.env.cr.dbname).cursor() for _index in range(count)]
        try:
            with patch.object(Chunk, "_tms_bill", slow_bill):
                threads = [
                    threading.Thread(
                        target=work, args=(index, api.Environment(cr, SUPERUSER_ID, {}))
                    )
                    for index, cr in enumerate(cursors)
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=120)
            self.assertFalse([thread for thread in threads if thread.is_alive()], "jobs hang")
        finally:
            for cr in cursors:
                cr.close()
        return outcomes

    def test_two_jobs_interleaving_never_bill_an_order_twice(self):
        with self._committed_env() as env:
            chunks = env["sale.order"]._cron_tms_invoice_due_orders(chunk_orders=1)
            self.assertEqual(len(chunks), CUSTOMERS)
            # The same customers queued twice over: the orders' own locks keep them
            # from being billed twice, whichever chunk a job claims.
            env["tms.billing.cron.chunk"].create(
                [
                    {
                        "company_id": chunk.company_id.id,
                        "customer_id_list": chunk.customer_id_list,
                        "order_count": chunk.order_count,
                    }
                    for chunk in chunks
                ]
            )
        outcomes = self._run_workers(2)
        self.assertTrue(all(isinstance(outcome, list) for outcome in outcomes), outcomes)
        # Both jobs billed: they ran side by side.
        self.assertTrue(all(outcomes), outcomes)
        self.assertFalse(set(outcomes[0]) & set(outcomes[1]))
        with self._committed_env() as env:
            chunks = env["tms.billing.cron.chunk"].search([])
            self.assertEqual(set(chunks.mapped("state")), {"done"})
            orders = env["sale.order"].browse(self.order_ids)
            self.assertEqual(set(orders.mapped("tms_billing_state")), {"invoiced"})
            for order in orders:
                self.assertEqual(len(order.invoice_ids), 1, order.name)
                for line in order.order_line:
                    self.assertEqual(line.qty_invoiced, line.product_uom_qty, order.name)
            # One invoice per customer and period: no customer cut in two.
            moves = orders.invoice_ids
            self.assertEqual(len(moves), CUSTOMERS)
            self.assertEqual(sorted(moves.ids), sorted(outcomes[0] + outcomes[1]))

    def test_a_job_killed_mid_chunk_leaves_that_chunk_to_the_next(self):
        """A job commits its first chunk and dies in its second: that transaction is
        rolled back, the chunk stays pending and its orders to invoice; the next job
        bills them, once."""
        with self._committed_env() as env:
            env["sale.order"]._cron_tms_invoice_due_orders(chunk_orders=1)
        cr = sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Chunk = env["tms.billing.cron.chunk"]
            today = fields.Date.context_today(Chunk)
            first = Chunk._tms_claim()
            first._tms_bill(today)
            env.flush_all()
            cr.commit()  # pylint: disable=invalid-commit
            second = Chunk._tms_claim()
            self.assertTrue(second._tms_bill(today))
            env.flush_all()
        finally:
            cr.rollback()  # killed before its commit
            cr.close()
        with self._committed_env() as env:
            chunks = env["tms.billing.cron.chunk"].search([])
            self.assertEqual(chunks.mapped("state"), ["done", "pending", "pending", "pending"])
            self.assertEqual(chunks[1], second.with_env(env))
        outcomes = self._run_workers(1)
        self.assertEqual(len(outcomes[0]), CUSTOMERS - 1, outcomes)
        with self._committed_env() as env:
            for order in env["sale.order"].browse(self.order_ids):
                self.assertEqual(len(order.invoice_ids), 1, order.name)
                self.assertEqual(order.tms_billing_state, "invoiced", order.name)
