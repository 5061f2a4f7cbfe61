"""Bad input for sevDesk: the cases every provider shares
(``tms_billing_sync.tests.provider_bad_input``), and what only sevDesk has: a contact person
id, its country list, and invoice totals as strings.
"""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.tms_billing_sync.tests import provider_bad_input as shared

from . import fake_sevdesk
from .common import TOKEN, SevdeskCase

INVOICES = ("sevDesk invoices",)

SEVDESK_CASES = [
    # The connection test keeps what it read on the connection.
    *shared.provider_cases(INVOICES, connection_test_changes=("tms_billing_backend",)),
    # -- the connection -------------------------------------------------------------------
    shared.Case(
        "contact_person_not_a_number",
        shared.REFUSED,
        match="not a number",
        changes=shared.LEDGER_TABLES,
    ),
    # -- malformed answers ----------------------------------------------------------------
    shared.Case("country_list_with_ids_that_are_not_numbers", UserError),
    # Open there: the invoice here follows it (confirmed).
    shared.Case(
        "status_with_an_amount_that_is_not_a_number",
        shared.HANDLED,
        changes=(*shared.LEDGER_TABLES, "account_move", "account_move_line"),
    ),
]


@tagged("post_install", "-at_install")
class TestSevdeskBadInput(shared.ProviderBadInputMixin, SevdeskCase):
    provider_key = TOKEN
    provider_key_word = "API token"
    provider_label = "sevDesk"
    # saveInvoice (L4681), the invoice list the look-up reads (GET /Invoice), and the
    # connection test's first call (GET /Tools/bookkeepingSystemVersion, L286).
    provider_create_call = ("POST", "/Invoice/Factory/saveInvoice")
    provider_lookup_call = ("GET", "/Invoice")
    provider_test_call = ("GET", "/Tools")
    provider_open_status = 200
    # A saved invoice, as saveInvoice answers.
    provider_foreign_answer = {
        "invoice": {"id": "666", "status": "100", "invoiceNumber": "FOREIGN-1"}
    }
    provider_remote_stores = {
        "sevDesk contacts": "contacts",
        "sevDesk invoices": "invoices",
        "sevDesk addresses": "addresses",
    }

    def test_bad_inputs_are_refused_cleanly(self):
        self._assert_bad_input_table(SEVDESK_CASES, minimum=15)

    def _link_customer(self):
        link = super()._link_customer()
        # Read from sevDesk once and kept on the connection (with the country ids the
        # link read): not written by the calls under test.
        self.backend._sevdesk_bookkeeping_version(self.backend._sevdesk_client())
        return link

    def _status_path(self, export):
        return f"/Invoice/{export.external_id}"

    # -- the connection -------------------------------------------------------------------

    def _case_contact_person_not_a_number(self):
        move = self._linked_invoice()
        self.backend.sevdesk_contact_person_id = "Max Mustermann"
        return self._refused_push(move)

    # -- malformed answers ----------------------------------------------------------------

    def _case_country_list_with_ids_that_are_not_numbers(self):
        countries = {
            code: (f"country-{cid}", name) for code, (cid, name) in fake_sevdesk.COUNTRIES.items()
        }

        def call():
            with patch.dict(fake_sevdesk.COUNTRIES, countries):
                self._test_connection()

        return call

    def _case_status_with_an_amount_that_is_not_a_number(self):
        # The total is informative only: the status is still read, without a traceback.
        export = self._sent_invoice()
        self.fake.set_invoice_status(export.external_id, self.provider_open_status)

        def call():
            self.fake.invoices[export.external_id]["sumGross"] = "n/a"
            self._as(export).action_refresh_status()
            self.assertEqual(export.external_status, "open")
            self.assertFalse(export.last_error)
            self.assertEqual(export.move_id.state, "posted")

        return call
