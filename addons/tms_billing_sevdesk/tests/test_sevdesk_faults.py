import random

from odoo.tests import tagged

from .common import SevdeskCase

FAULTS = ["500", "502", "503", "504_after", "drop_after", "timeout_after"]


@tagged("post_install", "-at_install")
class TestSevdeskFaults(SevdeskCase):
    def test_two_hundred_pushes_through_faults_exist_once(self):
        self._link(self.customer_collective)
        self.fake.fault_delay = 2.5  # beyond the backend's 2 s timeout
        moves = self._draft_invoices(self.customer_collective, 200)
        exports = self.env["tms.billing.export"]._tms_queue(moves)
        rng = random.Random(4711)
        self.fake.inject(
            "POST",
            "/Invoice/Factory/saveInvoice",
            [rng.choice(FAULTS) if rng.random() < 0.35 else "none" for _ in range(200)],
        )
        self._send_until_done(exports)
        self.assertEqual(set(exports.mapped("state")), {"sent"})
        self.assertGreater(max(exports.mapped("attempts")), 1, "faults were injected")
        self.assertEqual(len(self.fake.invoices), 200)
        for export in exports:
            [invoice] = self.fake.invoices_with_marker(export.marker)
            self.assertEqual(export.external_id, invoice["id"])
