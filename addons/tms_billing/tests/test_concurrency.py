import sys
import threading
import traceback
from contextlib import contextmanager
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import TransactionCase, tagged

ROUNDS = 20
ORDERS_PER_ROUND = 3


@tagged("post_install", "-at_install")
class TestConcurrentRuns(TransactionCase):
    """Two runs on two database connections invoice the same committed orders at the
    same moment, as two users, or a user and the cron, would in a multi-worker Odoo.

    The test transaction stays untouched: everything here is committed through
    connections of its own, and removed again at the end.
    """

    @contextmanager
    def _committed_env(self):
        """An environment on a connection of its own, committed when the block ends."""
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
        with self._committed_env() as env:
            self.customer_id = (
                env["res.partner"]
                .create(
                    {
                        "name": "Parallel Logistik GmbH",
                        "is_company": True,
                        "street": "Kai 1",
                        "zip": "20457",
                        "city": "Hamburg",
                        "country_id": env.ref("base.de").id,
                        "tms_invoicing_mode": "collective",
                        "tms_billing_interval": "monthly",
                    }
                )
                .id
            )
            self.product_id = (
                env["product.product"]
                .create({"name": "Parallel freight", "type": "service", "invoice_policy": "order"})
                .id
            )
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self._committed_env() as env:
            orders = env["sale.order"].search([("partner_id", "=", self.customer_id)])
            moves = orders.invoice_ids
            env["tms.billing.event"].search([("order_id", "in", orders.ids)]).unlink()
            moves.filtered(lambda move: move.state == "posted").button_draft()
            moves.unlink()
            orders._action_cancel()
            orders.unlink()
            env["product.product"].browse(self.product_id).unlink()
            env["res.partner"].browse(self.customer_id).unlink()

    def _committed_orders(self):
        delivered = fields.Date.context_today(self.env.user) - timedelta(days=60)
        with self._committed_env() as env:
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": self.customer_id,
                        "tms_delivery_date": delivered,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": self.product_id,
                                    "product_uom_qty": 1,
                                    "price_unit": 100.0 + number,
                                }
                            )
                        ],
                    }
                    for number in range(ORDERS_PER_ROUND)
                ]
            )
            orders.action_confirm()
            return orders.ids

    def _race(self, order_ids, runners):
        """Start each runner on its own connection at the same moment; return what each
        got: ``("invoices", n)`` or ``("refused", message)``."""
        start = threading.Barrier(len(runners))
        outcomes = [None] * len(runners)

        def run(index, runner, env):
            try:
                orders = env["sale.order"].browse(order_ids)
                start.wait(timeout=30)
                outcomes[index] = ("invoices", len(runner(orders)))
                env.flush_all()
                env.cr.commit()  # pylint: disable=invalid-commit
            except UserError as error:
                env.cr.rollback()
                outcomes[index] = ("refused", error.args[0])
            except Exception as error:  # reported by the assertions of the test
                env.cr.rollback()
                outcomes[index] = ("crashed", repr(error))

        # Environments are made here: Odoo's registry lock is held by the test runner.
        cursors = [sql_db.db_connect(self.env.cr.dbname).cursor() for _runner in runners]
        try:
            threads = [
                threading.Thread(
                    target=run,
                    args=(index, runner, api.Environment(cr, SUPERUSER_ID, {})),
                )
                for index, (runner, cr) in enumerate(zip(runners, cursors, strict=True))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            hanging = [thread for thread in threads if thread.is_alive()]
            if hanging:
                frames = sys._current_frames()
                stacks = "\n".join(
                    "".join(traceback.format_stack(frames[thread.ident])) for thread in hanging
                )
                self.fail(f"runs still waiting after 120 s:\n{stacks}")
        finally:
            for cr in cursors:
                cr.close()
        return outcomes

    @staticmethod
    def _by_wizard(orders):
        wizard = orders.env["tms.billing.wizard"].create({"order_id_list": orders.ids})
        wizard.action_create_invoices()
        return orders.invoice_ids

    @staticmethod
    def _by_cron(orders):
        return orders._tms_invoice_due(fields.Date.context_today(orders), skip_locked=True)

    def _invoices_per_order(self, order_ids):
        with self._committed_env() as env:
            return {
                order.name: len(order.invoice_ids) for order in env["sale.order"].browse(order_ids)
            }

    def test_wizard_against_cron_and_wizard_against_wizard_never_invoice_twice(self):
        doubles, crashes = [], []
        pairs = [(self._by_wizard, self._by_cron), (self._by_wizard, self._by_wizard)]
        for round_number in range(ROUNDS):
            order_ids = self._committed_orders()
            runners = pairs[round_number % 2]
            outcomes = self._race(order_ids, runners)
            crashes += [outcome for outcome in outcomes if outcome[0] == "crashed"]
            winners = [outcome for outcome in outcomes if outcome == ("invoices", 1)]
            self.assertEqual(len(winners), 1, f"round {round_number}: exactly one wins {outcomes}")
            for kind, detail in outcomes:
                if (kind, detail) in winners:
                    continue
                # The other one skipped (the cron) or was told why (a user).
                if kind == "refused":
                    self.assertRegex(
                        detail, "being invoiced by another user or job right now|already invoiced"
                    )
                else:
                    self.assertEqual((kind, detail), ("invoices", 0), f"round {round_number}")
            counts = self._invoices_per_order(order_ids)
            doubles += [name for name, count in counts.items() if count != 1]
        self.assertEqual(crashes, [])
        self.assertEqual(doubles, [], "0 double invoices")
