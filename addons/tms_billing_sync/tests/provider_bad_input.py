"""Bad input every provider's connection must withstand: what users type into it,
invoices without lines, and malformed or hostile answers of the API (the faults of
``fake_http``). A provider's test adds the cases only its API has.

The table and its rules: ``tms_billing.tests.test_bad_input_table``.
"""

import contextlib

from odoo.exceptions import UserError

from .test_bad_input_table import (
    HANDLED,
    LEDGER_TABLES,
    REFUSED,
    BadInputTableMixin,
    Case,
    ForeignHost,
)

FOREIGN = ("foreign host requests",)


def provider_cases(invoices, connection_test_changes=()):
    """The cases every provider shares. ``invoices`` names the fake's invoice count in
    ``_remote_state``, for the cases that leave one invoice there;
    ``connection_test_changes`` the tables a connection test writes to."""
    return [
        # -- the connection ---------------------------------------------------------------
        Case("key_with_a_trailing_newline", UserError),
        Case("key_removed", UserError, match="has no API key"),
        # -- invoices the API cannot take -----------------------------------------------
        Case(
            "push_invoice_without_lines",
            REFUSED,
            match="at least one line",
            changes=LEDGER_TABLES,
        ),
        # -- malformed answers ------------------------------------------------------------
        Case("create_answered_with_html", HANDLED, changes=LEDGER_TABLES + invoices),
        Case("create_answered_with_truncated_json", HANDLED, changes=LEDGER_TABLES + invoices),
        Case("lookup_answered_with_html", HANDLED, changes=LEDGER_TABLES),
        Case("status_answered_with_a_list", HANDLED, changes=LEDGER_TABLES),
        # -- hostile answers --------------------------------------------------------------
        Case(
            "redirect_keeps_the_key_home",
            HANDLED,
            changes=(*FOREIGN, *connection_test_changes),
        ),
        Case("redirect_on_connection_test", UserError),
        Case("redirect_on_create", REFUSED, changes=LEDGER_TABLES),
        Case("key_refused_in_the_middle_of_a_run", HANDLED, changes=LEDGER_TABLES + invoices),
        Case("refusal_with_a_huge_message", HANDLED, changes=LEDGER_TABLES),
    ]


class ProviderBadInputMixin(BadInputTableMixin):
    """The shared cases, run against the provider's fake (``self.fake``)."""

    # -- what differs between providers ----------------------------------------------
    # The key as the connection holds it (``api_key``), and the fake's name for it in
    # its refusals ("refused the API key").
    provider_key = None
    provider_key_word = None
    # The name of the API in our messages ("lexoffice answered").
    provider_label = None
    # (method, path) of the calls the cases break: creating an invoice, looking up an
    # invoice whose creation answer was lost, and the connection test's first call.
    provider_create_call = None
    provider_lookup_call = None
    provider_test_call = None
    # The status the fake answers for an open invoice.
    provider_open_status = None
    # What a hostile host answers to any call: a created invoice, as the API answers.
    provider_foreign_answer = None
    # {name in ``_remote_state``: the fake's attribute holding those records}
    provider_remote_stores = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_bad_input_users()
        cls.foreign = ForeignHost(cls.provider_foreign_answer).start()
        cls.addClassCleanup(cls.foreign.stop)
        cls.fake.redirect_target = cls.foreign.url

    def _reset_remote(self):
        self.fake.reset()
        self.foreign.reset_calls()

    def _remote_state(self):
        stores = self.provider_remote_stores.items()
        return {name: len(getattr(self.fake, store)) for name, store in stores} | {
            "foreign host requests": len(self.foreign.requests)
        }

    # -- helpers ------------------------------------------------------------------------

    def _link_customer(self):
        return self._link(self.customer_collective)

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

    def _test_connection_with_key(self, key):
        def call():
            backend = self._as(self.backend, "admin")
            backend.write({"api_key": key})
            backend.action_test_connection()

        return call

    def _test_connection(self):
        self._as(self.backend, "admin").action_test_connection()

    # -- the connection -----------------------------------------------------------------

    def _case_key_with_a_trailing_newline(self):
        return self._test_connection_with_key(self.provider_key + "\n")

    def _case_key_removed(self):
        return self._test_connection_with_key(False)

    # -- invoices the API cannot take ---------------------------------------------------

    def _case_push_invoice_without_lines(self):
        return self._refused_push(self._linked_invoice(invoice_line_ids=[]))

    # -- malformed answers --------------------------------------------------------------

    def _created_with_a_lost_answer(self, fault):
        """The invoice is created and answered with ``fault``: its outcome is unknown, so
        the next attempt finds it instead of creating a second one."""
        move = self._linked_invoice()

        def call():
            self.fake.inject(*self.provider_create_call, [fault])
            export = self._push(move)
            self.assertEqual((export.state, export.needs_lookup), ("failed", True))
            self.assertIn(f"{self.provider_label} answered", export.last_error)
            self._as(export).action_send()
            self.assertEqual(export.state, "sent", export.last_error)
            self.assertEqual(len(self.fake.invoices_with_marker(export.marker)), 1)
            self.assertEqual(len(self.fake.invoices), 1)

        return call

    def _case_create_answered_with_html(self):
        return self._created_with_a_lost_answer("html_200")

    def _case_create_answered_with_truncated_json(self):
        return self._created_with_a_lost_answer("truncated_200")

    def _case_lookup_answered_with_html(self):
        move = self._linked_invoice()
        self.fake.inject(*self.provider_create_call, ["504_after"])
        export = self._push(move)
        self.assertTrue(export.needs_lookup)

        def call():
            self.fake.inject(*self.provider_lookup_call, ["html_200"])
            self._as(export).action_send()
            self.assertEqual((export.state, export.needs_lookup), ("failed", True))
            self.assertTrue(export.next_attempt_at, "looked up again later")
            self.assertEqual(len(self.fake.invoices_with_marker(export.marker)), 1)

        return call

    def _status_read_answered_with(self, fault):
        """The invoice is open there, but reading its status gets ``fault``: the last
        status read stays, and the row says why."""
        export = self._sent_invoice()
        self.fake.set_invoice_status(export.external_id, self.provider_open_status)

        def call():
            self.fake.inject("GET", self._status_path(export), [fault])
            self._as(export).action_refresh_status()
            self.assertEqual(export.external_status, "draft")
            self.assertIn("Reading the status failed", export.last_error or "")

        return call

    def _status_path(self, export):
        """The path of the call reading ``export``'s invoice."""
        raise NotImplementedError

    def _case_status_answered_with_a_list(self):
        return self._status_read_answered_with("array_200")

    # -- hostile answers ----------------------------------------------------------------

    def _case_redirect_on_create(self):
        move = self._linked_invoice()

        def call():
            self.fake.inject(*self.provider_create_call, ["redirect_307"])
            export = self._push(move)
            return export.last_error if export.state == "failed" else ""

        return call

    def _case_key_refused_in_the_middle_of_a_run(self):
        self._link_customer()
        moves = self._draft_invoices(self.customer_collective, 3)
        exports = self.env["tms.billing.export"]._tms_queue(moves)

        def call():
            self.fake.inject(*self.provider_create_call, ["none", "401", "401"])
            self.env["tms.billing.export"]._cron_tms_send_exports()
            self.assertEqual(sorted(exports.mapped("state")), ["failed", "failed", "sent"])
            for export in exports.filtered(lambda export: export.state == "failed"):
                self.assertIn(f"refused the {self.provider_key_word}", export.last_error)
                self.assertFalse(export.next_attempt_at, "a refused key is not retried")
                self.assertFalse(export.needs_lookup, "a 401 created nothing")
            self.assertEqual(len(self.fake.invoices), 1)

        return call

    def _case_refusal_with_a_huge_message(self):
        move = self._linked_invoice()

        def call():
            self.fake.inject(*self.provider_create_call, ["huge_error"])
            export = self._push(move)
            self.assertEqual(export.state, "failed")
            self.assertLessEqual(len(export.last_error), 10_000)
            self.assertLessEqual(len(move.message_ids[:1].body), 10_000)

        return call

    def _case_redirect_keeps_the_key_home(self):
        def call():
            self.fake.inject(*self.provider_test_call, ["redirect_302"])
            with contextlib.suppress(UserError):
                self._test_connection()
            self.assertFalse(self.foreign.saw_secret(self.provider_key))

        return call

    def _case_redirect_on_connection_test(self):
        def call():
            self.fake.inject(*self.provider_test_call, ["redirect_302"])
            self._test_connection()

        return call
