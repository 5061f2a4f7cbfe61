import time
from unittest import SkipTest

from odoo.fields import Command
from odoo.tests import tagged

from .common import SevdeskCase


@tagged("post_install", "-at_install")
class TestTwoProviders(SevdeskCase):
    """lexoffice for one company, sevDesk for another: each invoice goes to its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "lexoffice" not in dict(cls.env["tms.billing.backend"]._fields["provider"].selection):
            raise SkipTest("tms_billing_lexoffice is not installed")
        # Imported only when the other provider is installed.
        from odoo.addons.tms_billing_lexoffice.tests.fake_lexoffice import (  # noqa: PLC0415
            FakeLexoffice,
        )

        cls.lexoffice = FakeLexoffice(api_key="lxo-key", rate_limit=None).start()
        cls.addClassCleanup(cls.lexoffice.stop)
        cls.company_b = cls.env["res.company"].create(
            {"name": "Spedition Süd GmbH", "currency_id": cls.env.ref("base.EUR").id}
        )
        cls.env.user.company_ids |= cls.company_b
        cls.lexoffice_backend = cls.env["tms.billing.backend"].create(
            {
                "name": "Lexware Office Süd",
                "provider": "lexoffice",
                "company_id": cls.company_b.id,
                "api_url": cls.lexoffice.base_url,
                "api_key": "lxo-key",
                "timeout": 2.0,
            }
        )

    def test_each_company_pushes_to_its_own_provider(self):
        env_b = self.env(context=dict(self.env.context, allowed_company_ids=[self.company_b.id]))
        self.env["account.chart.template"].try_loading("generic_coa", self.company_b)
        tax_b = env_b["account.tax"].create(
            {
                "name": "MwSt 19%",
                "amount": 19.0,
                "type_tax_use": "sale",
                "company_id": self.company_b.id,
            }
        )
        self._link(self.customer_collective)
        self._link(self.customer_collective, self.lexoffice_backend)
        move_a = self._draft_invoices(self.customer_collective, 1)
        move_b = env_b["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": self.company_b.id,
                "currency_id": self.env.ref("base.EUR").id,
                "partner_id": self.customer_collective.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Transport Süd",
                            "quantity": 1,
                            "price_unit": 250.0,
                            "tax_ids": [Command.set(tax_b.ids)],
                        }
                    )
                ],
            }
        )
        (move_a | move_b).action_tms_send_exports()
        self.assertEqual(move_a.tms_export_ids.backend_id, self.backend)
        self.assertEqual(move_b.tms_export_ids.backend_id, self.lexoffice_backend)
        self.assertEqual(set((move_a | move_b).tms_export_ids.mapped("state")), {"sent"})
        self.assertEqual(len(self.fake.invoices), 1)
        self.assertEqual(len(self.lexoffice.invoices), 1)
        [lexoffice_invoice] = self.lexoffice.invoices.values()
        self.assertEqual(lexoffice_invoice["lineItems"][0]["unitPrice"]["netAmount"], 250.0)

    def test_each_connection_has_a_job_of_its_own_and_a_slow_one_stops_at_its_budget(self):
        """A slow provider beside a healthy one: each connection's job is its own cron,
        which Odoo's cron workers run side by side, and a run of the slow one ends by its
        deadline, slow answers included, without touching the other connection."""
        self.assertTrue(self.backend.cron_id)
        self.assertTrue(self.lexoffice_backend.cron_id)
        self.assertNotEqual(self.backend.cron_id, self.lexoffice_backend.cron_id)
        self._link(self.customer_collective)
        moves = self._draft_invoices(self.customer_collective, 3)
        Trigger = self.env["ir.cron.trigger"]
        triggers = {
            backend: Trigger.search_count([("cron_id", "=", backend.cron_id.id)])
            for backend in (self.backend, self.lexoffice_backend)
        }
        exports = self.env["tms.billing.export"]._tms_queue(moves, self.backend)
        self.backend._tms_trigger()
        self.assertGreater(
            Trigger.search_count([("cron_id", "=", self.backend.cron_id.id)]),
            triggers[self.backend],
        )
        self.assertEqual(
            Trigger.search_count([("cron_id", "=", self.lexoffice_backend.cron_id.id)]),
            triggers[self.lexoffice_backend],
            "the other connection's job is not woken",
        )
        # Every answer of sevDesk comes after 4 s, beyond the connection's 2 s timeout; a
        # run has 3 s: it ends by then (its first row has room for 5 s), slow calls in flight
        # included, and leaves the rest to its next run.
        self.fake.slow_rate = 1.0
        self.fake.slow_faults = ("slow_unperformed",)
        self.fake.slow_seconds = 4.0
        self.env["ir.config_parameter"].sudo().set_param("tms_billing.cron_time_budget", "3")
        lexoffice_calls = len(self.lexoffice.requests)
        started = time.monotonic()
        self.env["tms.billing.export"]._cron_tms_sync_connection(self.backend.id)
        self.assertLess(time.monotonic() - started, 8.0)
        self.assertTrue(self.fake.slow_calls)
        self.assertEqual(len(self.lexoffice.requests), lexoffice_calls)
        self.assertNotEqual(set(exports.mapped("state")), {"sent"})
        self.fake.slow_rate = 0.0
        self._send_until_done(exports, rounds=10, step=10 * 60)
        self.assertEqual(set(exports.mapped("state")), {"sent"})
        self.assertEqual(len(self.fake.invoices), 3)
