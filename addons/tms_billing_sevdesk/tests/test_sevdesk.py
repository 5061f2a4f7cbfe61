from datetime import UTC, date, datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import SevdeskCase


@tagged("post_install", "-at_install")
class TestSevdesk(SevdeskCase):
    def test_connection_test_reads_the_bookkeeping_version(self):
        action = self.backend.action_test_connection()
        self.assertIn("2.0", action["params"]["message"])
        self.assertEqual(self.backend.sevdesk_bookkeeping_version, "2.0")
        self.backend.api_key = "wrong"
        with self.assertRaisesRegex(UserError, "refused the API token"):
            self.backend.action_test_connection()

    def test_create_and_link_customers(self):
        self.customer_single.email = "rechnung@einzel.example"
        wizard = (
            self.env["tms.billing.contact.wizard"]
            .with_context(default_partner_id=self.customer_single.id)
            .create({"backend_id": self.backend.id})
        )
        wizard.action_create_contact()
        link = self.customer_single.tms_partner_link_ids
        contact = self.fake.contacts[link.external_id]
        self.assertEqual(contact["name"], "Einzel AG")
        self.assertEqual(link.external_number, contact["customerNumber"])
        [address] = [a for a in self.fake.addresses if str(a["contact"]["id"]) == link.external_id]
        self.assertEqual((address["street"], address["city"]), ("Hafenstraße 1", "Hamburg"))
        [email] = [e for e in self.fake.emails if str(e["contact"]["id"]) == link.external_id]
        self.assertEqual(email["value"], "rechnung@einzel.example")
        # Found again by name and linked to another customer: refused, one link per contact.
        other = (
            self.env["tms.billing.contact.wizard"]
            .with_context(default_partner_id=self.customer_weekly.id)
            .create({"backend_id": self.backend.id, "search_term": "Einzel"})
        )
        other.action_search()
        self.assertEqual(other.line_ids.external_id, link.external_id)
        other.search_term = link.external_number
        other.action_search()
        self.assertEqual(other.line_ids.external_id, link.external_id)
        with self.assertRaisesRegex(UserError, "already linked to Einzel AG"):
            other.line_ids.action_link()

    def test_collective_invoice_from_wizard_appears_as_draft(self):
        self.backend.push_timing = "create"
        self._link(self.customer_collective)
        orders = self._order(self.customer_collective, delivery_date=date(2026, 10, 5))
        orders |= self._order(self.customer_collective, delivery_date=date(2026, 10, 27))
        wizard = self._wizard(orders, invoice_date=date(2026, 11, 2))
        wizard.action_create_invoices()
        move = orders.invoice_ids
        export = move.tms_export_ids
        self.env["tms.billing.export"]._cron_tms_send_exports()
        self.assertEqual(export.state, "sent")
        [invoice] = self.fake.invoices_with_marker(export.marker)
        self.assertEqual(export.external_id, invoice["id"])
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
            export.status_checked_at = fields.Datetime.now() - timedelta(hours=2)
            self.env["tms.billing.export"]._cron_tms_poll_export_status()
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
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        move.action_tms_send_exports()
        export = move.tms_export_ids
        # 50 is a deactivated recurring invoice (openapi.yaml L168), not a cancellation.
        self.fake.set_invoice_status(export.external_id, 50)
        export.action_refresh_status()
        self.assertEqual((export.external_status, export.external_status_raw), ("unknown", "50"))
        self.fake.set_invoice_status(export.external_id, 1000)
        export.action_refresh_status()
        self.assertEqual(export.external_status, "paid")

    def test_invoice_missing_in_sevdesk_answers_400_and_reads_deleted(self):
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        move.action_tms_send_exports()
        export = move.tms_export_ids
        del self.fake.invoices[export.external_id]
        export.action_refresh_status()
        self.assertEqual(export.external_status, "deleted")
        self.assertFalse(export.last_error)
        self.assertIn(("GET", f"/api/v1/Invoice/{export.external_id}", 400), self.fake.requests)

    def test_legacy_bookkeeping_uses_tax_type(self):
        self.fake.bookkeeping_version = "1.0"
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        move.action_tms_send_exports()
        self.assertEqual(self.backend.sevdesk_bookkeeping_version, "1.0")
        [invoice] = self.fake.invoices_with_marker(move.tms_export_ids.marker)
        self.assertEqual(invoice["taxType"], "default")
        self.assertNotIn("taxRule", invoice)

    def test_tax_rule_that_does_not_fit_is_refused_before_the_call(self):
        # A Swiss customer without a fiscal position for abroad: taxed at 19 % by Odoo,
        # but "outside the EU" maps to rule 17, which allows 0 % only.
        self.customer_collective.country_id = self.env.ref("base.ch")
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        move.action_tms_send_exports()
        export = move.tms_export_ids
        self.assertEqual(export.state, "failed")
        self.assertIn("taxes (19 %) do not fit sevDesk tax rule 17", export.last_error)
        self.assertFalse(export.next_attempt_at)
        self.assertFalse([call for call in self.fake.requests if "saveInvoice" in call[1]])

    def test_provider_validation_error_is_shown_and_not_retried(self):
        link = self._link(self.customer_collective)
        link.external_id = "999999"  # deleted in sevDesk meanwhile
        move = self._draft_invoices(self.customer_collective, 1)
        move.action_tms_send_exports()
        export = move.tms_export_ids
        self.assertEqual(export.state, "failed")
        self.assertIn("contact does not exist", export.last_error)
        self.assertFalse(export.next_attempt_at, "4xx answers are never retried blindly")
        self.assertFalse(export.needs_lookup)
        posts = len(self.fake.requests)
        self.env["tms.billing.export"]._cron_tms_send_exports()
        self.assertEqual(len(self.fake.requests), posts)

    def test_delivery_after_invoice_date_is_refused(self):
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1, invoice_date=date(2026, 10, 10))
        move.action_tms_send_exports()
        export = move.tms_export_ids
        self.assertEqual(export.state, "failed")
        self.assertIn("invoice date to 20.10.2026 or later", export.last_error)
        self.assertFalse(self.fake.invoices)

    def test_unknown_outcome_is_looked_up_before_resending(self):
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        self.fake.inject("POST", "/Invoice/Factory/saveInvoice", ["504_after"])
        move.action_tms_send_exports()
        export = move.tms_export_ids
        self.assertEqual((export.state, export.needs_lookup), ("failed", True))
        export.action_send()
        self.assertEqual(export.state, "sent")
        [invoice] = self.fake.invoices_with_marker(export.marker)
        self.assertEqual(export.external_id, invoice["id"])

    def test_malformed_answers_give_a_clear_error_naming_the_provider(self):
        for fault in ("html_200", "array_200", "null_200"):
            with self.subTest(fault=fault):
                self.backend.sevdesk_bookkeeping_version = False
                self.fake.inject("GET", "/Tools", [fault])
                with self.assertRaisesRegex(UserError, "^sevDesk: sevDesk answered"):
                    self.backend.action_test_connection()
                self.fake.inject("GET", "/Contact", [fault])
                wizard = (
                    self.env["tms.billing.contact.wizard"]
                    .with_context(default_partner_id=self.customer_single.id)
                    .create({"backend_id": self.backend.id, "search_term": "Einzel"})
                )
                if fault == "array_200":
                    # An empty list is a valid answer to a search: nothing found.
                    wizard.action_search()
                    self.assertFalse(wizard.line_ids)
                    continue
                with self.assertRaisesRegex(UserError, "^sevDesk: sevDesk answered"):
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

    def test_orders_invoiced_again_wait_until_the_cancelled_draft_is_deleted_there(self):
        self.backend.push_timing = "create"
        self._link(self.customer_collective)
        orders = self._order(self.customer_collective, delivery_date=date(2026, 10, 5))
        self._wizard(orders, invoice_date=date(2026, 11, 2)).action_create_invoices()
        move = orders.invoice_ids
        self.env["tms.billing.export"]._cron_tms_send_exports()
        first = move.tms_export_ids
        self.assertEqual(first.state, "sent")
        move.button_cancel()
        self._wizard(orders, invoice_date=date(2026, 11, 3)).action_create_invoices()
        second = orders.invoice_ids.filtered(lambda m: m.state == "draft").tms_export_ids
        self.env["tms.billing.export"]._cron_tms_send_exports()
        self.assertEqual(second.state, "failed")
        self.assertIn("delete that draft in sevDesk", second.last_error)
        self.assertEqual(len(self.fake.invoices), 1)
        # sevDesk answers 400 "Invoice was not found" once it is deleted (L4730).
        del self.fake.invoices[first.external_id]
        second.action_send()
        self.assertEqual((first.external_status, second.state), ("deleted", "sent"))
        self.assertEqual(len(self.fake.invoices), 1)
