"""Bad input for lexoffice: the cases every provider shares
(``tms_billing_sync.tests.provider_bad_input``), and what only lexoffice has: its API key's
character set, tax types, the contact search, its line limit and long remarks.
"""

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.tms_billing_sync.tests import provider_bad_input as shared

from .. import api as lexoffice
from .common import API_KEY, LexofficeCase

INVOICES = ("lexoffice invoices",)

LEXOFFICE_CASES = [
    *shared.provider_cases(INVOICES),
    # -- the connection -------------------------------------------------------------------
    shared.Case("api_key_outside_latin1", UserError),
    shared.Case("tax_type_removed", ValidationError, match="needs a tax type"),
    # -- the contact search ---------------------------------------------------------------
    shared.Case("contact_search_for_wildcards_only", shared.HANDLED),
    shared.Case("contact_search_of_10k_characters", ValidationError, match="longer than"),
    # -- invoices lexoffice cannot take ---------------------------------------------------
    shared.Case(
        "push_invoice_of_301_lines",
        shared.REFUSED,
        match="at most 300 lines",
        changes=shared.LEDGER_TABLES,
    ),
    shared.Case(
        "push_note_of_100k_characters", shared.HANDLED, changes=shared.LEDGER_TABLES + INVOICES
    ),
    # -- malformed answers ----------------------------------------------------------------
    shared.Case("status_answered_without_a_status", shared.HANDLED, changes=shared.LEDGER_TABLES),
]


@tagged("post_install", "-at_install")
class TestLexofficeBadInput(shared.ProviderBadInputMixin, LexofficeCase):
    # The rate limit has tests of its own.
    fake_rate_limit = None
    client_rate_limit = 1000.0

    provider_key = API_KEY
    provider_key_word = "API key"
    provider_label = "lexoffice"
    # #invoices-endpoint (create), #voucherlist-endpoint (the look-up by number and
    # date), #profile-endpoint (the connection test's first call).
    provider_create_call = ("POST", "/v1/invoices")
    provider_lookup_call = ("GET", "/v1/voucherlist")
    provider_test_call = ("GET", "/v1/profile")
    provider_open_status = "open"
    provider_foreign_answer = {
        "id": "foreign-0001",
        "version": 1,
        "companyName": "Foreign Host Ltd",
    }
    provider_remote_stores = {
        "lexoffice contacts": "contacts",
        "lexoffice invoices": "invoices",
    }

    def test_bad_inputs_are_refused_cleanly(self):
        self._assert_bad_input_table(LEXOFFICE_CASES, minimum=18)

    def _status_path(self, export):
        return "/v1/invoices/"

    def _search(self, term):
        wizard = self._as(self.env["tms.billing.contact.wizard"]).create(
            {"partner_id": self.customer_single.id, "backend_id": self.backend.id}
        )
        wizard.search_term = term
        return wizard

    # -- the connection -------------------------------------------------------------------

    def _case_api_key_outside_latin1(self):
        return self._test_connection_with_key("lxo-schlüssel-€-0123")

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
        wizard = self._search("Nordfracht")

        def call():
            wizard.search_term = "Nordfracht" + "x" * 10_000
            wizard.action_search()

        return call

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

    def _case_status_answered_without_a_status(self):
        return self._status_read_answered_with("null_200")
