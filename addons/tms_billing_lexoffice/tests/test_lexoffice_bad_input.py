"""Bad input for lexoffice: what users type into a connection and a search, invoices
lexoffice cannot take, and malformed or hostile answers of the API (the fake's faults).

The table and its rules: ``tms_billing.tests.test_bad_input_table``.
"""

import contextlib

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.tms_billing.tests.test_bad_input_table import (
    HANDLED,
    LEDGER_TABLES,
    REFUSED,
    BadInputTableMixin,
    Case,
    ForeignHost,
)

from .. import api as lexoffice
from .common import API_KEY, LexofficeCase

INVOICES = ("lexoffice invoices",)
FOREIGN = ("foreign host requests",)

LEXOFFICE_CASES = [
    # -- the connection -------------------------------------------------------------------
    Case(
        "api_key_with_a_trailing_newline",
        UserError,
    ),
    Case(
        "api_key_outside_latin1",
        UserError,
    ),
    Case("api_key_removed", UserError, match="has no API key"),
    Case("tax_type_removed", ValidationError, match="needs a tax type"),
    # -- the contact search ---------------------------------------------------------------
    Case("contact_search_for_wildcards_only", HANDLED),
    Case("contact_search_of_10k_characters", HANDLED),
    # -- invoices lexoffice cannot take ---------------------------------------------------
    Case("push_invoice_without_lines", REFUSED, match="at least one line", changes=LEDGER_TABLES),
    Case("push_invoice_of_301_lines", REFUSED, match="at most 300 lines", changes=LEDGER_TABLES),
    Case("push_note_of_100k_characters", HANDLED, changes=LEDGER_TABLES + INVOICES),
    # -- malformed answers ----------------------------------------------------------------
    Case("create_answered_with_html", HANDLED, changes=LEDGER_TABLES + INVOICES),
    Case("create_answered_with_truncated_json", HANDLED, changes=LEDGER_TABLES + INVOICES),
    Case(
        "status_answered_with_a_list",
        HANDLED,
        changes=LEDGER_TABLES,
    ),
    Case(
        "status_answered_without_a_status",
        HANDLED,
        changes=LEDGER_TABLES,
    ),
    Case("lookup_answered_with_html", HANDLED, changes=LEDGER_TABLES),
    # -- hostile answers ------------------------------------------------------------------
    Case("redirect_keeps_the_key_home", HANDLED, changes=FOREIGN),
    Case(
        "redirect_on_connection_test",
        UserError,
    ),
    Case(
        "redirect_on_create",
        REFUSED,
        changes=LEDGER_TABLES,
    ),
    Case("key_refused_in_the_middle_of_a_run", HANDLED, changes=LEDGER_TABLES + INVOICES),
    Case(
        "refusal_with_a_huge_message",
        HANDLED,
        changes=LEDGER_TABLES,
    ),
]


@tagged("post_install", "-at_install")
class TestLexofficeBadInput(BadInputTableMixin, LexofficeCase):
    # The rate limit has tests of its own.
    fake_rate_limit = None
    client_rate_limit = 1000.0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_bad_input_users()
        cls.foreign = ForeignHost(
            {"id": "foreign-0001", "version": 1, "companyName": "Foreign Host Ltd"}
        ).start()
        cls.addClassCleanup(cls.foreign.stop)
        cls.fake.redirect_target = cls.foreign.url

    def test_bad_inputs_are_refused_cleanly(self):
        self._assert_bad_input_table(LEXOFFICE_CASES, minimum=15)

    def _reset_remote(self):
        self.fake.reset()
        self.foreign.requests.clear()

    def _remote_state(self):
        return {
            "lexoffice contacts": len(self.fake.contacts),
            "lexoffice invoices": len(self.fake.invoices),
            "foreign host requests": len(self.foreign.requests),
        }

    # -- helpers ----------------------------------------------------------------------

    def _linked_invoice(self, **values):
        self._link(self.customer_collective)
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

    def _test_connection_with_key(self, key):
        def call():
            backend = self._as(self.backend, "admin")
            backend.write({"api_key": key})
            backend.action_test_connection()

        return call

    def _search(self, term):
        wizard = self._as(self.env["tms.billing.contact.wizard"]).create(
            {"partner_id": self.customer_single.id, "backend_id": self.backend.id}
        )
        wizard.search_term = term
        return wizard

    # -- the connection -------------------------------------------------------------------

    def _case_api_key_with_a_trailing_newline(self):
        return self._test_connection_with_key(API_KEY + "\n")

    def _case_api_key_outside_latin1(self):
        return self._test_connection_with_key("lxo-schlüssel-€-0123")

    def _case_api_key_removed(self):
        return self._test_connection_with_key(False)

    def _case_tax_type_removed(self):
        domestic = self.backend.tax_mapping_ids.filtered(lambda m: m.situation == "domestic")
        return lambda: self._as(domestic).write({"lexoffice_tax_type": False})

    # -- the contact search ---------------------------------------------------------------

    def _case_contact_search_for_wildcards_only(self):
        # "_" and "%" are wildcards of lexoffice's search unless escaped: a term of
        # wildcards only must not list every contact.
        self._link(self.customer_collective)
        wizard = self._search("%%_%")

        def call():
            wizard.action_search()
            self.assertFalse(wizard.line_ids)

        return call

    def _case_contact_search_of_10k_characters(self):
        self._link(self.customer_collective)
        wizard = self._search("Nordfracht" + "x" * 10_000)

        def call():
            try:
                wizard.action_search()
            except UserError:
                return
            self.assertFalse(wizard.line_ids)

        return call

    # -- invoices lexoffice cannot take ---------------------------------------------------

    def _case_push_invoice_without_lines(self):
        return self._refused_push(self._linked_invoice(invoice_line_ids=[]))

    def _case_push_invoice_of_301_lines(self):
        line = {"product_id": self.product.id, "quantity": 1, "price_unit": 10.0}
        lines = [Command.create(dict(line, name=f"Transport {n}")) for n in range(301)]
        return self._refused_push(self._linked_invoice(invoice_line_ids=lines))

    def _case_push_note_of_100k_characters(self):
        note = ("Bitte beachten Sie die Lieferbedingungen. " * 2500)[:100_000]
        move = self._linked_invoice(narration=f"<p>{note}</p>")

        def call():
            export = self._push(move)
            self.assertEqual(export.state, "sent", export.last_error)
            [invoice] = self.fake.invoices_with_marker(export.marker)
            self.assertLessEqual(len(invoice["remark"]), 2000)
            self.assertTrue(lexoffice.has_marker(invoice["remark"], export.marker))

        return call

    # -- malformed answers ----------------------------------------------------------------

    def _created_with_a_lost_answer(self, fault):
        """The create is performed and answered with ``fault``: its outcome is unknown,
        so the next attempt finds the invoice instead of creating a second one."""
        move = self._linked_invoice()

        def call():
            self.fake.inject("POST", "/v1/invoices", [fault])
            export = self._push(move)
            self.assertEqual((export.state, export.needs_lookup), ("failed", True))
            self.assertIn("lexoffice answered", export.last_error)
            self._as(export).action_send()
            self.assertEqual(export.state, "sent", export.last_error)
            self.assertEqual(len(self.fake.invoices_with_marker(export.marker)), 1)
            self.assertEqual(len(self.fake.invoices), 1)

        return call

    def _case_create_answered_with_html(self):
        return self._created_with_a_lost_answer("html_200")

    def _case_create_answered_with_truncated_json(self):
        return self._created_with_a_lost_answer("truncated_200")

    def _status_read_answered_with(self, fault):
        export = self._sent_invoice()
        self.fake.set_invoice_status(export.external_id, "open")

        def call():
            self.fake.inject("GET", "/v1/invoices/", [fault])
            self._as(export).action_refresh_status()
            self.assertEqual(export.external_status, "draft")
            self.assertIn("Reading the status failed", export.last_error or "")

        return call

    def _case_status_answered_with_a_list(self):
        return self._status_read_answered_with("array_200")

    def _case_status_answered_without_a_status(self):
        return self._status_read_answered_with("null_200")

    def _case_lookup_answered_with_html(self):
        move = self._linked_invoice()
        self.fake.inject("POST", "/v1/invoices", ["504_after"])
        export = self._push(move)
        self.assertTrue(export.needs_lookup)

        def call():
            self.fake.inject("GET", "/v1/voucherlist", ["html_200"])
            self._as(export).action_send()
            self.assertEqual((export.state, export.needs_lookup), ("failed", True))
            self.assertTrue(export.next_attempt_at, "looked up again later")
            self.assertEqual(len(self.fake.invoices_with_marker(export.marker)), 1)

        return call

    # -- hostile answers ------------------------------------------------------------------

    def _case_redirect_keeps_the_key_home(self):
        def call():
            self.fake.inject("GET", "/v1/profile", ["redirect_302"])
            with contextlib.suppress(UserError):
                self._as(self.backend, "admin").action_test_connection()
            self.assertFalse(self.foreign.saw_secret(API_KEY))

        return call

    def _case_redirect_on_connection_test(self):
        def call():
            self.fake.inject("GET", "/v1/profile", ["redirect_302"])
            self._as(self.backend, "admin").action_test_connection()

        return call

    def _case_redirect_on_create(self):
        move = self._linked_invoice()

        def call():
            self.fake.inject("POST", "/v1/invoices", ["redirect_307"])
            export = self._push(move)
            return export.last_error if export.state == "failed" else ""

        return call

    def _case_key_refused_in_the_middle_of_a_run(self):
        self._link(self.customer_collective)
        moves = self._draft_invoices(self.customer_collective, 3)
        exports = self.env["tms.billing.export"]._tms_queue(moves)

        def call():
            self.fake.inject("POST", "/v1/invoices", ["none", "401", "401"])
            self.env["tms.billing.export"]._cron_tms_send_exports()
            self.assertEqual(sorted(exports.mapped("state")), ["failed", "failed", "sent"])
            for export in exports.filtered(lambda export: export.state == "failed"):
                self.assertIn("refused the API key", export.last_error)
                self.assertFalse(export.next_attempt_at, "a refused key is not retried")
                self.assertFalse(export.needs_lookup, "a 401 created nothing")
            self.assertEqual(len(self.fake.invoices), 1)

        return call

    def _case_refusal_with_a_huge_message(self):
        move = self._linked_invoice()

        def call():
            self.fake.inject("POST", "/v1/invoices", ["huge_error"])
            export = self._push(move)
            self.assertEqual(export.state, "failed")
            self.assertLessEqual(len(export.last_error), 10_000)
            self.assertLessEqual(len(move.message_ids[:1].body), 10_000)

        return call
