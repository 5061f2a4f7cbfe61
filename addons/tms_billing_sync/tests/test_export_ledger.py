from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..export_errors import ExportError, ExportOutcomeUnknown
from ..models import tms_billing_export_send as send_module
from ..models.tms_billing_export_send import MAX_ATTEMPTS
from .common import TmsSyncCase


@tagged("post_install", "-at_install")
class TestExportLedger(TmsSyncCase):
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

    def _tms_send_invoice(self, backend, draft):
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

    def _tms_find_invoice(self, backend, ref):
        self.calls.append(("find", ref["marker"]))
        external_id = self.remote.get(ref["marker"])
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
        with mute_logger("odoo.addons.tms_billing_sync.models.tms_billing_export_send"):
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
        self.assertLessEqual(
            self.export.next_attempt_at - fields.Datetime.now(), timedelta(seconds=10)
        )
        self.remote.clear()  # it had not been created after all
        marker = self.export.marker
        # Right after the unknown outcome, not finding it proves nothing: no second send,
        # nor one after any number of early look-ups.
        for _minute in range(15):
            self.export.action_send()
            self._pass_time(60)
        self.assertEqual(set(self.calls[1:]), {("find", marker)})
        self.assertEqual((self.export.state, self.export.needs_lookup), ("failed", True))
        self.assertIn("Not found there yet", self.export.last_error)
        self.assertEqual(self.export.lookup_misses, 0)
        # A miss counts 15 minutes after the attempt could have ended (settle.py), once,
        # and it takes a second one, five minutes on: then it is sent again, once.
        self._pass_time(10 * 60)
        self.export.action_send()
        self.assertEqual((self.export.state, self.export.lookup_misses), ("failed", 1))
        self.export.action_send()
        self.assertEqual(self.export.lookup_misses, 1, "misses close together count once")
        self._pass_time(5 * 60)
        calls = len(self.calls)
        self.export.action_send()
        self.assertEqual(self.calls[calls:], [("find", marker), ("send", marker)])
        self.assertEqual(self.export.state, "sent")
        self.assertFalse(self.export.needs_lookup)
        self.assertEqual(self.export.lookup_misses, 0)

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

    def _left_sending(self, minutes_ago):
        started = fields.Datetime.now() - timedelta(minutes=minutes_ago)
        self.export.write({"state": "sending", "last_attempt_at": started, "lookup_since": started})

    def test_stuck_rows_are_named_by_their_orders_and_found_by_a_filter(self):
        orders = "S00042, S00043"
        self.export.move_id.invoice_origin = orders
        self._left_sending(60)
        self.assertEqual(self.export.order_names, orders)
        self.assertIn(orders, self.export.display_name)
        stuck = self.env["tms.billing.export"].search([("is_stale", "=", True)])
        self.assertEqual(stuck, self.export)
        self.assertNotIn(
            self.export, self.env["tms.billing.export"].search([("is_stale", "=", False)])
        )
        self.env["ir.config_parameter"].sudo().set_param("tms_billing.stale_sending_minutes", "90")
        self.export.invalidate_recordset(["is_stale"])
        self.assertFalse(self.export.is_stale)

    def test_check_now_records_a_stuck_row_found_there_without_sending(self):
        self._left_sending(60)
        self.remote[self.export.marker] = "X-early"
        self.export.action_check_now()
        self.assertEqual(self.calls, [("find", self.export.marker)])
        self.assertEqual((self.export.state, self.export.external_id), ("sent", "X-early"))

    def test_check_now_never_sends_a_stuck_row_before_the_evidence_settles(self):
        self._left_sending(60)
        action = self.export.action_check_now()
        marker = self.export.marker
        self.assertEqual(self.calls, [("find", marker)])
        self.assertEqual((self.export.state, self.export.needs_lookup), ("failed", True))
        self.assertIn("Not found there yet", action["params"]["message"])
        with self.assertRaisesRegex(UserError, "being sent"):
            self.export.action_check_now()
        # Two late misses settle it: sent again, once.
        self._send_until_done(self.export, rounds=6, step=5 * 60)
        self.assertEqual(self.calls.count(("send", marker)), 1)
        self.assertEqual(self.export.state, "sent")

    def test_check_now_never_sends_a_row_still_in_flight(self):
        self._left_sending(1)
        action = self.export.action_check_now()
        self.assertEqual(self.calls, [("find", self.export.marker)])
        self.assertEqual(self.export.state, "sending")
        self.assertIn("not there yet", action["params"]["message"])
        # The worker's invoice arrives: the next check records it.
        self.remote[self.export.marker] = "X-late"
        self.export.action_check_now()
        self.assertEqual((self.export.state, self.export.external_id), ("sent", "X-late"))
        self.assertEqual([call for call, _marker in self.calls], ["find", "find"])

    def test_send_now_starts_no_push_after_its_budget(self):
        exports = self.export | self.env["tms.billing.export"]._tms_queue(
            self._draft_invoices(self.customer_collective, 2), self.backend
        )
        cron = self.backend.cron_id
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        # A budget already spent: one push (every request makes progress), no more.
        with patch.object(send_module, "SEND_NOW_BUDGET", -1):
            action = exports.action_send()
        self.assertEqual(exports.mapped("state").count("sent"), 1)
        self.assertEqual(exports.mapped("state").count("to_send"), 2)
        self.assertIn("1 sent as drafts now", action["params"]["message"])
        self.assertIn("2 queued", action["params"]["message"])
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers
        )

    def test_a_refund_follows_its_invoice_as_a_credit_note_draft(self):
        move = self.export.move_id
        move.write({"tms_period_start": "2026-10-01", "tms_period_end": "2026-10-31"})
        move.action_post()
        refund = move._reverse_moves([{"invoice_date": "2026-11-20"}])
        refund.action_post()
        self.assertFalse(refund.tms_export_ids, "its invoice is not sent yet")
        self.export._tms_send()
        self.assertEqual(self.export.state, "sent")
        refund.action_tms_send_exports()
        credit = refund.tms_export_ids
        self.assertEqual((credit.document_type, credit.state), ("credit_note", "sent"))
        self.assertEqual(self.export.document_type, "invoice")
        draft = move._tms_prepare_export_draft(self.export, "C-1")
        self.assertEqual(draft["kind"], "invoice")
        self.assertNotIn("preceding_id", draft)
        draft = refund._tms_prepare_export_draft(credit, "C-1")
        self.assertEqual(draft["kind"], "credit_note")
        self.assertEqual(draft["preceding_id"], self.export.external_id)
        # The invoice's period, not the refund's own date.
        self.assertEqual(
            (draft["period_start"], draft["period_end"]),
            (move.tms_period_start, move.tms_period_end),
        )
        self.assertEqual(draft["delivery_date"], move.delivery_date)
        self.assertEqual(draft["invoice_date"], refund.invoice_date)
        self.assertEqual(draft["lines"][0]["unit_price"], move.invoice_line_ids.price_unit)
        # A credit note is listed as such in the ledger.
        credit_notes = self.env["tms.billing.export"].search(
            [("document_type", "=", "credit_note")]
        )
        self.assertEqual(credit_notes, credit)

    def test_ledger_notes_are_worded_in_the_companys_language(self):
        self._load_german()
        self.company.partner_id.lang = "de_DE"
        self.export.with_context(lang="en_US")._tms_send()
        self.assertEqual(self.export.state, "sent")
        note = self.export.move_id.message_ids[:1]
        self.assertIn("Als Entwurf an Stub übertragen", note.body)
