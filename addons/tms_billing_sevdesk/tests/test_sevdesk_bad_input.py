"""Bad input for sevDesk: what users type into a connection, invoices sevDesk cannot
take, and malformed or hostile answers of the API (the fake's faults).

The table and its rules: ``tms_billing.tests.test_bad_input_table``.
"""

import contextlib
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.tms_billing.tests.test_bad_input_table import (
    HANDLED,
    LEDGER_TABLES,
    REFUSED,
    BadInputTableMixin,
    Case,
    ForeignHost,
)

from . import fake_sevdesk
from .common import TOKEN, SevdeskCase

INVOICES = ("sevDesk invoices",)
FOREIGN = ("foreign host requests",)

SEVDESK_CASES = [
    # -- the connection -------------------------------------------------------------------
    Case(
        "token_with_a_trailing_newline",
        UserError,
    ),
    Case("token_removed", UserError, match="has no API key"),
    Case("contact_person_not_a_number", REFUSED, match="not a number", changes=LEDGER_TABLES),
    # -- invoices sevDesk cannot take -----------------------------------------------------
    Case("push_invoice_without_lines", REFUSED, match="at least one line", changes=LEDGER_TABLES),
    # -- malformed answers ----------------------------------------------------------------
    Case(
        "country_list_with_ids_that_are_not_numbers",
        UserError,
    ),
    Case("save_answered_with_html", HANDLED, changes=LEDGER_TABLES + INVOICES),
    Case("save_answered_with_truncated_json", HANDLED, changes=LEDGER_TABLES + INVOICES),
    Case("lookup_answered_with_html", HANDLED, changes=LEDGER_TABLES),
    Case("status_answered_with_an_empty_list", HANDLED, changes=LEDGER_TABLES),
    Case(
        "status_with_an_amount_that_is_not_a_number",
        HANDLED,
        changes=LEDGER_TABLES,
    ),
    # -- hostile answers ------------------------------------------------------------------
    # The connection test keeps what it read on the connection.
    Case("redirect_keeps_the_token_home", HANDLED, changes=(*FOREIGN, "tms_billing_backend")),
    Case(
        "redirect_on_save",
        REFUSED,
        changes=LEDGER_TABLES,
    ),
    Case("token_refused_in_the_middle_of_a_run", HANDLED, changes=LEDGER_TABLES + INVOICES),
    Case(
        "refusal_with_a_huge_message",
        HANDLED,
        changes=LEDGER_TABLES,
    ),
]


@tagged("post_install", "-at_install")
class TestSevdeskBadInput(BadInputTableMixin, SevdeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_bad_input_users()
        # What a hostile host answers to any call: a saved invoice, as sevDesk's
        # saveInvoice answers.
        cls.foreign = ForeignHost(
            {"invoice": {"id": "666", "status": "100", "invoiceNumber": "FOREIGN-1"}}
        ).start()
        cls.addClassCleanup(cls.foreign.stop)
        cls.fake.redirect_target = cls.foreign.url

    def test_bad_inputs_are_refused_cleanly(self):
        self._assert_bad_input_table(SEVDESK_CASES, minimum=12)

    def _reset_remote(self):
        self.fake.reset()
        self.foreign.requests.clear()

    def _remote_state(self):
        return {
            "sevDesk contacts": len(self.fake.contacts),
            "sevDesk invoices": len(self.fake.invoices),
            "sevDesk addresses": len(self.fake.addresses),
            "foreign host requests": len(self.foreign.requests),
        }

    # -- helpers ----------------------------------------------------------------------

    def _link_customer(self):
        self._link(self.customer_collective)
        # Read from sevDesk once and kept on the connection (with the country ids the
        # link read): not written by the calls under test.
        self.backend._sevdesk_bookkeeping_version(self.backend._sevdesk_client())

    def _linked_invoice(self, **values):
        self._link_customer()
        return self._draft_invoices(self.customer_collective, 1, **values)

    def _push(self, move):
        """The dispatcher's "Send to accounting system"; the invoice's ledger row."""
        self._as(move).action_tms_send_exports()
        return move.tms_export_ids

    def _refused_push(self, move):
        def call():
            export = self._push(move)
            self.assertFalse(export.next_attempt_at, "a refusal is not retried blindly")
            return export.last_error if export.state == "failed" else ""

        return call

    def _sent_invoice(self):
        export = self._push(self._linked_invoice())
        self.assertEqual(export.state, "sent")
        return export

    def _test_connection_with_token(self, token):
        def call():
            backend = self._as(self.backend, "admin")
            backend.write({"api_key": token})
            backend.action_test_connection()

        return call

    # -- the connection -------------------------------------------------------------------

    def _case_token_with_a_trailing_newline(self):
        return self._test_connection_with_token(TOKEN + "\n")

    def _case_token_removed(self):
        return self._test_connection_with_token(False)

    def _case_contact_person_not_a_number(self):
        move = self._linked_invoice()
        self.backend.sevdesk_contact_person_id = "Max Mustermann"
        return self._refused_push(move)

    # -- invoices sevDesk cannot take -----------------------------------------------------

    def _case_push_invoice_without_lines(self):
        return self._refused_push(self._linked_invoice(invoice_line_ids=[]))

    # -- malformed answers ----------------------------------------------------------------

    def _case_country_list_with_ids_that_are_not_numbers(self):
        countries = {
            code: (f"country-{cid}", name) for code, (cid, name) in fake_sevdesk.COUNTRIES.items()
        }

        def call():
            with patch.dict(fake_sevdesk.COUNTRIES, countries):
                self._as(self.backend, "admin").action_test_connection()

        return call

    def _saved_with_a_lost_answer(self, fault):
        """The invoice is saved and answered with ``fault``: its outcome is unknown, so
        the next attempt finds it instead of saving a second one."""
        move = self._linked_invoice()

        def call():
            self.fake.inject("POST", "/Invoice/Factory/saveInvoice", [fault])
            export = self._push(move)
            self.assertEqual((export.state, export.needs_lookup), ("failed", True))
            self.assertIn("sevDesk answered", export.last_error)
            self._as(export).action_send()
            self.assertEqual(export.state, "sent", export.last_error)
            self.assertEqual(len(self.fake.invoices_with_marker(export.marker)), 1)
            self.assertEqual(len(self.fake.invoices), 1)

        return call

    def _case_save_answered_with_html(self):
        return self._saved_with_a_lost_answer("html_200")

    def _case_save_answered_with_truncated_json(self):
        return self._saved_with_a_lost_answer("truncated_200")

    def _case_lookup_answered_with_html(self):
        move = self._linked_invoice()
        self.fake.inject("POST", "/Invoice/Factory/saveInvoice", ["504_after"])
        export = self._push(move)
        self.assertTrue(export.needs_lookup)

        def call():
            self.fake.inject("GET", "/Invoice", ["html_200"])
            self._as(export).action_send()
            self.assertEqual((export.state, export.needs_lookup), ("failed", True))
            self.assertTrue(export.next_attempt_at, "looked up again later")
            self.assertEqual(len(self.fake.invoices_with_marker(export.marker)), 1)

        return call

    def _status_read(self, change_remote):
        export = self._sent_invoice()
        self.fake.set_invoice_status(export.external_id, 200)

        def call():
            change_remote(export)
            self._as(export).action_refresh_status()
            self.assertEqual(export.external_status, "draft")
            self.assertIn("Reading the status failed", export.last_error or "")

        return call

    def _case_status_answered_with_an_empty_list(self):
        return self._status_read(
            lambda export: self.fake.inject("GET", f"/Invoice/{export.external_id}", ["array_200"])
        )

    def _case_status_with_an_amount_that_is_not_a_number(self):
        # The total is informative only: the status is still read, without a traceback.
        export = self._sent_invoice()
        self.fake.set_invoice_status(export.external_id, 200)

        def call():
            self.fake.invoices[export.external_id]["sumGross"] = "n/a"
            self._as(export).action_refresh_status()
            self.assertEqual(export.external_status, "open")
            self.assertFalse(export.last_error)

        return call

    # -- hostile answers ------------------------------------------------------------------

    def _case_redirect_keeps_the_token_home(self):
        def call():
            self.fake.inject("GET", "/Tools", ["redirect_302"])
            with contextlib.suppress(UserError):
                self._as(self.backend, "admin").action_test_connection()
            self.assertFalse(self.foreign.saw_secret(TOKEN))

        return call

    def _case_redirect_on_save(self):
        move = self._linked_invoice()

        def call():
            self.fake.inject("POST", "/Invoice/Factory/saveInvoice", ["redirect_307"])
            export = self._push(move)
            return export.last_error if export.state == "failed" else ""

        return call

    def _case_token_refused_in_the_middle_of_a_run(self):
        self._link_customer()
        moves = self._draft_invoices(self.customer_collective, 3)
        exports = self.env["tms.billing.export"]._tms_queue(moves)

        def call():
            self.fake.inject("POST", "/Invoice/Factory/saveInvoice", ["none", "401", "401"])
            self.env["tms.billing.export"]._cron_tms_send_exports()
            self.assertEqual(sorted(exports.mapped("state")), ["failed", "failed", "sent"])
            for export in exports.filtered(lambda export: export.state == "failed"):
                self.assertIn("refused the API token", export.last_error)
                self.assertFalse(export.next_attempt_at, "a refused token is not retried")
                self.assertFalse(export.needs_lookup, "a 401 saved nothing")
            self.assertEqual(len(self.fake.invoices), 1)

        return call

    def _case_refusal_with_a_huge_message(self):
        move = self._linked_invoice()

        def call():
            self.fake.inject("POST", "/Invoice/Factory/saveInvoice", ["huge_error"])
            export = self._push(move)
            self.assertEqual(export.state, "failed")
            self.assertLessEqual(len(export.last_error), 10_000)
            self.assertLessEqual(len(move.message_ids[:1].body), 10_000)

        return call
