from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..export_errors import ExportError, ExportOutcomeUnknown
from ..models.tms_billing_export import MAX_ATTEMPTS
from .common import TmsBillingCase


@tagged("post_install", "-at_install")
class TestExportLedger(TmsBillingCase):
    """The ledger's rules, with the provider replaced by a recording stub."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["tms.billing.backend"].create({"name": "Stub", "api_key": "k"})
        cls.env["tms.billing.partner.link"].create(
            {
                "partner_id": cls.customer_collective.id,
                "backend_id": cls.backend.id,
                "external_id": "C-1",
            }
        )

    def setUp(self):
        super().setUp()
        self.calls = []
        self.remote = {}  # marker -> external id, as the provider would hold them
        backend_class = type(self.env["tms.billing.backend"])
        for hook in ("_tms_send_invoice", "_tms_find_invoice"):
            patcher = patch.object(
                backend_class, hook, autospec=True, side_effect=getattr(self, hook)
            )
            patcher.start()
            self.addCleanup(patcher.stop)
        self.failures = []
        self.export = self.env["tms.billing.export"]._tms_queue(
            self._draft_invoices(self.customer_collective, 1), self.backend
        )

    def _tms_send_invoice(self, backend, export, draft):
        self.calls.append(("send", draft["marker"]))
        if self.failures:
            failure = self.failures.pop(0)
            if failure == "crash_after":
                self.remote[draft["marker"]] = f"X-{len(self.remote)}"
                raise RuntimeError("worker died after the call")
            if failure == "unknown_after":
                self.remote[draft["marker"]] = f"X-{len(self.remote)}"
                raise ExportOutcomeUnknown("504")
            raise ExportError("503")
        self.remote[draft["marker"]] = f"X-{len(self.remote)}"
        return backend._tms_invoice_result(self.remote[draft["marker"]], status="draft")

    def _tms_find_invoice(self, backend, export):
        self.calls.append(("find", export.marker))
        external_id = self.remote.get(export.marker)
        return external_id and backend._tms_invoice_result(external_id, status="draft")

    def test_a_row_in_flight_is_not_taken_by_a_second_run(self):
        self.export.write({"state": "sending", "last_attempt_at": fields.Datetime.now()})
        self.assertFalse(self.export._tms_send())
        self.env["tms.billing.export"]._cron_tms_send_exports()
        self.assertEqual(self.calls, [])
        self.assertEqual(self.export.state, "sending")

    def test_a_row_left_sending_by_a_dead_worker_is_looked_up_first(self):
        self.remote[self.export.marker] = "X-early"
        self.export.write(
            {"state": "sending", "last_attempt_at": fields.Datetime.now() - timedelta(hours=1)}
        )
        self.env["tms.billing.export"]._cron_tms_send_exports()
        self.assertEqual(self.calls, [("find", self.export.marker)])
        self.assertEqual((self.export.state, self.export.external_id), ("sent", "X-early"))

    def test_a_crash_after_the_call_never_duplicates(self):
        self.failures = ["crash_after"]
        with mute_logger("odoo.addons.tms_billing.models.tms_billing_export"):
            self.export._tms_send()
        self.assertEqual(self.export.state, "failed")
        self.assertTrue(self.export.needs_lookup)
        self.assertIn("worker died", self.export.last_error)
        self.export.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.env["tms.billing.export"]._cron_tms_send_exports()
        marker = self.export.marker
        self.assertEqual(self.calls, [("send", marker), ("find", marker)])
        self.assertEqual((self.export.state, self.export.external_id), ("sent", "X-0"))

    def test_a_lookup_that_finds_nothing_sends_again(self):
        self.failures = ["unknown_after"]
        self.export._tms_send()
        self.remote.clear()  # it had not been created after all
        self.export.action_send()
        marker = self.export.marker
        self.assertEqual(self.calls, [("send", marker), ("find", marker), ("send", marker)])
        self.assertEqual(self.export.state, "sent")
        self.assertFalse(self.export.needs_lookup)

    def test_transient_failures_back_off_then_stop_for_a_person(self):
        self.failures = ["503"] * MAX_ATTEMPTS
        delays = []
        for _attempt in range(MAX_ATTEMPTS):
            self.export.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
            self.env["tms.billing.export"]._cron_tms_send_exports()
            if self.export.next_attempt_at:
                delays.append(self.export.next_attempt_at - self.export.last_attempt_at)
        self.assertEqual(self.export.attempts, MAX_ATTEMPTS)
        self.assertEqual(delays, sorted(delays))
        self.assertGreater(delays[-1], delays[0])
        self.assertFalse(self.export.next_attempt_at, "after the last attempt it waits for you")
        self.assertIn("needs your attention", self.export.move_id.message_ids[:1].body)
        self.assertFalse(self.export.needs_lookup, "a 503 is certain: nothing was created")
