import threading
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.tms_billing_sync.models import tms_billing_export_send

from .common import LexofficeCase

FAULTS = ["502_after", "504_after", "503", "drop_after"]


@tagged("post_install", "-at_install")
class TestLexofficeLanes(LexofficeCase):
    """A lexoffice connection's job sends its rows in lanes, each row in a transaction
    of its own: every invoice exists there once, faults included. (In Odoo's tests the
    lanes take turns on the test's transaction; that they overlap is measured by
    ``benchmarks/run deployment``.)"""

    fake_rate_limit = None
    client_rate_limit = 1000.0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The lanes' own cursors see the test's transaction, as HttpCase's requests do.
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)

    def setUp(self):
        super().setUp()
        self.startPatcher(patch.object(tms_billing_export_send, "LANES_IN_TESTS", True))
        self.threads = []
        original = type(self.backend)._tms_send_invoice

        def send_invoice(backend, draft):
            self.threads.append(threading.current_thread().name)
            return original(backend, draft)

        self.startPatcher(patch.object(type(self.backend), "_tms_send_invoice", send_invoice))

    def test_lexoffice_works_in_lanes(self):
        self.assertEqual(self.backend._tms_call_lanes(), 6)

    def test_rows_sent_in_lanes_exist_there_once(self):
        self._link(self.customer_collective)
        moves = self._draft_invoices(self.customer_collective, 12)
        exports = self.env["tms.billing.export"]._tms_queue(moves, self.backend)
        self.env["tms.billing.export"]._cron_tms_sync_connection(self.backend.id)
        self.assertEqual(set(exports.mapped("state")), {"sent"})
        self.assertEqual(len(self.threads), 12)
        self.assertTrue(all(name.startswith("lane-") for name in self.threads), self.threads)
        for export in exports:
            [invoice] = self.fake.invoices_with_marker(export.marker)
            self.assertEqual(export.external_id, invoice["id"])

    def test_pushes_in_lanes_through_faults_exist_once(self):
        self._link(self.customer_collective)
        self.fake.fault_delay = 2.5  # beyond the backend's 2 s timeout
        self._assert_pushes_survive_faults(self.fake, "/v1/invoices", FAULTS, count=40)
        self.assertTrue(any(name.startswith("lane-") for name in self.threads))

    def test_a_new_customer_gets_one_contact_before_its_rows_go_side_by_side(self):
        self.backend.auto_create_contacts = True
        contacts = len(self.fake.contacts)
        moves = self._draft_invoices(self.customer_collective, 5)
        exports = self.env["tms.billing.export"]._tms_queue(moves, self.backend)
        self.env["tms.billing.export"]._cron_tms_sync_connection(self.backend.id)
        self.assertEqual(set(exports.mapped("state")), {"sent"})
        self.assertEqual(len(self.fake.contacts), contacts + 1)
        # The first row made the contact in the job's own transaction; the others
        # followed in lanes.
        self.assertEqual(self.threads[0], threading.current_thread().name)
        self.assertTrue(all(name.startswith("lane-") for name in self.threads[1:]))
        contact_ids = {
            self.fake.invoices[external_id]["address"]["contactId"]
            for external_id in exports.mapped("external_id")
        }
        self.assertEqual(len(contact_ids), 1)
