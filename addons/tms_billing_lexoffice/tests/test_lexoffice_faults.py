import random

from odoo.tests import tagged

from .common import LexofficeCase

FAULTS = ["429", "500", "503", "504_after", "504_before", "drop_after", "timeout_after"]


@tagged("post_install", "-at_install")
class TestLexofficeFaults(LexofficeCase):
    # 200 pushes at 2/s would take minutes; the rate limit has tests of its own.
    fake_rate_limit = None
    client_rate_limit = 1000.0

    def test_two_hundred_pushes_through_faults_exist_once(self):
        self._link(self.customer_collective)
        self.fake.fault_delay = 2.5  # beyond the backend's 2 s timeout
        moves = self._draft_invoices(self.customer_collective, 200)
        exports = self.env["tms.billing.export"]._tms_queue(moves)
        rng = random.Random(2026)
        self.fake.inject(
            "POST",
            "/v1/invoices",
            [rng.choice(FAULTS) if rng.random() < 0.35 else "none" for _ in range(200)],
        )
        self._send_until_done(exports)
        self.assertEqual(set(exports.mapped("state")), {"sent"})
        self.assertGreater(max(exports.mapped("attempts")), 1, "faults were injected")
        self.assertEqual(len(self.fake.invoices), 200)
        for export in exports:
            [invoice] = self.fake.invoices_with_marker(export.marker)
            self.assertEqual(export.external_id, invoice["id"])
