from datetime import UTC, date, datetime

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.tms_billing_sync.tests.provider_push import ProviderInvoicePushTests

from .common import SevdeskCase

MALFORMED = "^sevDesk: sevDesk answered"


@tagged("post_install", "-at_install")
class TestSevdesk(ProviderInvoicePushTests, SevdeskCase):
    invoice_create_call = ("POST", "/Invoice/Factory/saveInvoice")
    # Model_Invoice.status 200, "Delivered"/open (STATUS_NAMES in api/mapper.py); sevDesk
    # voids by a cancellation invoice, not by a status of the invoice.
    invoice_open_status = "200"

    def _deleted_draft_hint(self, first):
        # Once it is deleted, sevDesk answers 400 "Invoice was not found" (L4730).
        return "delete that draft in sevDesk"

    def test_connection_test_reads_the_bookkeeping_version(self):
        action = self.backend.action_test_connection()
        self.assertIn("2.0", action["params"]["message"])
        self.assertEqual(self.backend.sevdesk_bookkeeping_version, "2.0")
        self.backend.api_key = "wrong"
        with self.assertRaisesRegex(UserError, "refused the API token"):
            self.backend.action_test_connection()

    def test_create_and_link_customers(self):
        self.customer_single.email = "rechnung@einzel.example"
        link, contact = self._create_contact_by_wizard(self.customer_single)
        self.assertEqual(contact["name"], "Einzel AG")
        self.assertEqual(link.external_number, contact["customerNumber"])
        [address] = [a for a in self.fake.addresses if str(a["contact"]["id"]) == link.external_id]
        self.assertEqual((address["street"], address["city"]), ("Hafenstraße 1", "Hamburg"))
        [email] = [e for e in self.fake.emails if str(e["contact"]["id"]) == link.external_id]
        self.assertEqual(email["value"], "rechnung@einzel.example")
        # Found again by name and linked to another customer: refused, one link per contact.
        other = self._contact_wizard(self.customer_weekly, search_term="Einzel")
        other.action_search()
        self.assertEqual(other.line_ids.external_id, link.external_id)
        other.search_term = link.external_number
        other.action_search()
        self.assertEqual(other.line_ids.external_id, link.external_id)
        with self.assertRaisesRegex(UserError, "already linked to Einzel AG"):
            other.line_ids.action_link()

    def test_collective_invoice_from_wizard_appears_as_draft(self):
        self.backend.push_timing = "create"
        move = self._invoice_two_orders()
        export = move.tms_export_ids
        self._send_due_exports()
        invoice = self._sent_invoice(export)
        self.assertEqual(export.external_number, invoice["invoiceNumber"])
        self.assertEqual(invoice["status"], "100")
        self.assertEqual(invoice["invoiceType"], "RE")
        self.assertEqual(invoice["taxRule"], {"id": "1", "objectName": "TaxRule"})
        self.assertEqual(invoice["contactPerson"]["id"], 42)
        self.assertEqual(invoice["deliveryDate"], "01.10.2026")
        self.assertEqual(
            datetime.fromtimestamp(invoice["deliveryDateUntil"], UTC).date(), date(2026, 10, 31)
        )
        self.assertEqual(invoice["invoiceDate"], "02.11.2026")
        self.assertTrue(invoice["customerInternalNote"].endswith(export.marker))
        positions = invoice["positions"]
        self.assertEqual(len(positions), 2)
        for position in positions:
            self.assertEqual(position["unity"], {"id": 10, "objectName": "Unity"})
            self.assertEqual(position["taxRate"], 19.0)
            self.assertEqual(position["price"], 100.0)
        self.assertTrue(export.external_url.endswith(f"/fi/detail/type/RE/id/{invoice['id']}"))
        # Polling follows the invoice to paid.
        for code, status in ((200, "open"), (750, "partially_paid"), (1000, "paid")):
            self.fake.set_invoice_status(export.external_id, code)
            self._poll_status(export)
            self.assertEqual(export.external_status, status)

    def test_tax_mapping_is_checked_against_the_rule_table_on_save(self):
        domestic = self.backend.tax_mapping_ids.filtered(lambda m: m.situation == "domestic")
        with self.assertRaisesRegex(ValidationError, "rule 11 allows 0 % only"):
            domestic.sevdesk_tax_rule = "11"
        with self.assertRaisesRegex(ValidationError, "needs a tax rule and a tax text"):
            domestic.tax_note = False
        third = self.backend.tax_mapping_ids.filtered(lambda m: m.situation == "third_country")
        third.sevdesk_tax_rule = "2"  # exports: allowed, 0 %
        self.backend.action_reset_tax_mappings()
        third = self.backend.tax_mapping_ids.filtered(lambda m: m.situation == "third_country")
        self.assertEqual(third.sevdesk_tax_rule, "17")

    def test_unknown_status_is_kept_with_its_raw_value(self):
        _move, export = self._push_new_invoice()
        # 50 is a deactivated recurring invoice (openapi.yaml L168), not a cancellation.
        self.fake.set_invoice_status(export.external_id, 50)
        export.action_refresh_status()
        self.assertEqual((export.external_status, export.external_status_raw), ("unknown", "50"))
        self.fake.set_invoice_status(export.external_id, 1000)
        export.action_refresh_status()
        self.assertEqual(export.external_status, "paid")

    def test_invoice_missing_in_sevdesk_answers_400_and_reads_deleted(self):
        _move, export = self._push_new_invoice()
        del self.fake.invoices[export.external_id]
        export.action_refresh_status()
        self.assertEqual(export.external_status, "deleted")
        self.assertFalse(export.last_error)
        self.assertIn(("GET", f"/api/v1/Invoice/{export.external_id}", 400), self.fake.requests)

    def test_legacy_bookkeeping_uses_tax_type(self):
        self.fake.bookkeeping_version = "1.0"
        _move, export = self._push_new_invoice()
        self.assertEqual(self.backend.sevdesk_bookkeeping_version, "1.0")
        [invoice] = self.fake.invoices_with_marker(export.marker)
        self.assertEqual(invoice["taxType"], "default")
        self.assertNotIn("taxRule", invoice)

    def test_tax_rule_that_does_not_fit_is_refused_before_the_call(self):
        # A Swiss customer without a fiscal position for abroad: taxed at 19 % by Odoo,
        # but "outside the EU" maps to rule 17, which allows 0 % only.
        self.customer_collective.country_id = self.env.ref("base.ch")
        _move, export = self._failed_push()
        self.assertIn("taxes (19 %) do not fit sevDesk tax rule 17", export.last_error)
        self.assertFalse(export.next_attempt_at)
        self.assertFalse([call for call in self.fake.requests if "saveInvoice" in call[1]])

    def test_provider_validation_error_is_shown_and_not_retried(self):
        link = self._link(self.customer_collective)
        link.external_id = "999999"  # deleted in sevDesk meanwhile
        _move, export = self._failed_push(link=False)
        self.assertIn("contact does not exist", export.last_error)
        self.assertFalse(export.next_attempt_at, "4xx answers are never retried blindly")
        self.assertFalse(export.needs_lookup)
        posts = len(self.fake.requests)
        self._send_due_exports()
        self.assertEqual(len(self.fake.requests), posts)

    def test_delivery_after_invoice_date_is_refused(self):
        _move, export = self._failed_push(invoice_date=date(2026, 10, 10))
        self.assertIn("invoice date to 20.10.2026 or later", export.last_error)
        self.assertFalse(self.fake.invoices)

    def test_malformed_answers_give_a_clear_error_naming_the_provider(self):
        for fault in ("html_200", "array_200", "null_200"):
            with self.subTest(fault=fault):
                self.backend.sevdesk_bookkeeping_version = False
                wizard = self._malformed_answers_to_test_and_search(
                    fault, "/Tools", "/Contact", MALFORMED
                )
                if fault == "array_200":
                    # An empty list is a valid answer to a search: nothing found.
                    wizard.action_search()
                    self.assertFalse(wizard.line_ids)
                    continue
                with self.assertRaisesRegex(UserError, MALFORMED):
                    wizard.action_search()

    def test_connection_fields_are_checked_on_save(self):
        for values, message in (
            ({"api_url": "my.sevdesk.de/api/v1"}, "is not a web address"),
            ({"app_url": "javascript:alert(1)"}, "is not a web address"),
            ({"timeout": -1}, "between 1 and 60"),
            ({"timeout": 0}, "between 1 and 60"),
        ):
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, message):
                with self.env.cr.savepoint():
                    self.backend.write(values)

    def test_an_invoicing_user_pushes_with_fresh_caches(self):
        accountant = new_test_user(
            self.env,
            "tms_sev_accountant",
            groups="account.group_account_invoice",
            email="accountant@example.com",
        )
        self._link(self.customer_collective)
        self.backend.write({"sevdesk_country_ids": False, "sevdesk_bookkeeping_version": False})
        move = self._draft_invoices(self.customer_collective, 1)
        move.with_user(accountant).action_tms_send_exports()
        self.assertEqual(move.tms_export_ids.state, "sent", move.tms_export_ids.last_error)
        self.assertEqual(self.backend.sevdesk_bookkeeping_version, "2.0")
        self.assertEqual(self.backend.sevdesk_country_ids["DE"], 1)
