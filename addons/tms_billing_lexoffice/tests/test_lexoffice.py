import logging
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.tms_billing_sync.tests.provider_push import ProviderInvoicePushTests

from .common import API_KEY, LexofficeCase

CREATE = ("POST", "/v1/invoices")
MALFORMED = "^Lexware Office: lexoffice answered"


@tagged("post_install", "-at_install")
class TestLexoffice(ProviderInvoicePushTests, LexofficeCase):
    invoice_create_call = CREATE
    # voucherStatus, "open" and "voided" (invoices endpoint, "Voucher Status").
    invoice_open_status = "open"
    invoice_voided_status = "voided"

    def _deleted_draft_hint(self, first):
        return first._tms_reference()

    def test_connection_test_names_the_account(self):
        action = self.backend.action_test_connection()
        self.assertIn("Fake Spedition GmbH", action["params"]["message"])
        self.backend.api_key = "wrong"
        with self.assertRaisesRegex(UserError, "refused the API key"):
            self.backend.action_test_connection()

    def test_link_existing_contact_found_by_name(self):
        existing = self.backend._tms_create_contact(self.customer_collective)
        wizard = self._contact_wizard(self.customer_collective)
        self.assertEqual(wizard.search_term, "Nordfracht GmbH")
        self.backend._tms_create_contact(self.customer_single)
        wizard.search_term = "nordfr"
        wizard.action_search()
        self.assertEqual(wizard.line_ids.mapped("external_id"), [existing["id"]])
        self.assertEqual(wizard.line_ids.number, existing["number"])
        wizard.line_ids.action_link()
        link = self.customer_collective.tms_partner_link_ids
        self.assertEqual(link.external_id, existing["id"])
        self.assertEqual(link.external_name, "Nordfracht GmbH")
        self.assertTrue(link.external_url.endswith(f"/permalink/contacts/view/{existing['id']}"))
        # A second link for the same customer and system is refused.
        wizard.action_search()
        with self.assertRaisesRegex(UserError, "already linked"):
            wizard.line_ids[:1].action_link()

    def test_search_needs_three_characters(self):
        wizard = self._contact_wizard(self.customer_single, search_term="Ei")
        with self.assertRaisesRegex(UserError, "three characters"):
            wizard.action_search()

    def test_create_new_contact_from_odoo_data(self):
        self.customer_single.write({"email": "buchhaltung@einzel.example", "vat": "DE123456788"})
        link, contact = self._create_contact_by_wizard(self.customer_single)
        self.assertEqual(contact["company"]["name"], "Einzel AG")
        self.assertEqual(contact["company"]["vatRegistrationId"], "DE123456788")
        billing = contact["addresses"]["billing"][0]
        self.assertEqual(
            (billing["street"], billing["zip"], billing["city"], billing["countryCode"]),
            ("Hafenstraße 1", "20457", "Hamburg", "DE"),
        )
        self.assertEqual(contact["emailAddresses"]["business"], ["buchhaltung@einzel.example"])
        self.assertTrue(link.external_number)

    def test_collective_invoice_from_wizard_appears_as_draft(self):
        self.backend.push_timing = "create"
        move = self._invoice_two_orders()
        orders = move.tms_order_ids
        self.assertEqual(len(move), 1)
        export = move.tms_export_ids
        self.assertEqual(export.state, "to_send")
        self._send_due_exports()
        invoice = self._sent_invoice(export)
        self.assertEqual(invoice["voucherStatus"], "draft")
        self.assertEqual(invoice["taxConditions"], {"taxType": "net"})
        self.assertEqual(
            invoice["shippingConditions"],
            {
                "shippingType": "serviceperiod",
                "shippingDate": "2026-10-01T00:00:00.000+02:00",
                "shippingEndDate": "2026-10-31T00:00:00.000+01:00",
            },
        )
        self.assertEqual(invoice["voucherDate"], "2026-11-02T00:00:00.000+01:00")
        self.assertEqual(len(invoice["lineItems"]), 2)
        for item in invoice["lineItems"]:
            self.assertEqual(item["type"], "custom")
            self.assertEqual(item["unitName"], "Transport")
            self.assertEqual(item["unitPrice"]["netAmount"], 100.0)
            self.assertEqual(item["unitPrice"]["taxRatePercentage"], 19.0)
        self.assertIn(
            "Hamburg",
            invoice["lineItems"][0]["name"] + invoice["lineItems"][0].get("description", ""),
        )
        self.assertEqual(invoice["totalPrice"]["totalGrossAmount"], move.amount_total)
        self.assertTrue(export.external_url.endswith(f"/permalink/invoices/edit/{invoice['id']}"))
        # The orders' trail and the invoice's chatter tell what happened.
        events = orders.tms_billing_event_ids.filtered(lambda event: event.kind == "export")
        self.assertEqual(len(events), 2)
        self.assertIn("Lexware Office", events[0].message)
        self.assertIn("Lexware Office", move.message_ids[:1].body)

    def test_status_poll_moves_to_open_then_paid(self):
        move, export = self._push_new_invoice()
        self.assertEqual((export.state, export.external_status), ("sent", "draft"))
        for status, number in (("open", True), ("paid", True)):
            self.fake.set_invoice_status(export.external_id, status)
            self._poll_status(export)
            self.assertEqual(export.external_status, status)
            self.assertEqual(bool(export.external_number), number)
        # Paid is final: no more polling.
        calls = len(self.fake.requests)
        self._poll_status(export)
        self.assertEqual(len(self.fake.requests), calls)
        self.assertIn("paid", move.message_ids[:1].body.lower())

    def test_cancelling_a_sent_invoice_says_where_the_draft_is(self):
        move, export = self._push_new_invoice()
        move.button_cancel()
        self.assertIn("stays there", move.message_ids[:1].body)
        self.assertEqual(export.state, "sent")

    def test_second_push_of_a_sent_invoice_does_nothing(self):
        move, export = self._push_new_invoice()
        calls = len(self.fake.requests)
        with self.assertRaisesRegex(UserError, "sent already"):
            export.action_send()
        self.assertFalse(export._tms_send())
        self.env["tms.billing.export"]._tms_queue(move)
        self._send_due_exports()
        self.assertEqual(len(self.fake.requests), calls)
        self.assertEqual(len(self.fake.invoices_with_marker(export.marker)), 1)
        self.assertEqual(export.attempts, 1)

    def test_failed_lookup_leaves_the_outcome_unknown_and_is_retried(self):
        """A look-up lexoffice refuses in both date formats never refuses the invoice:
        it may exist, so the row waits for another look-up, never for a fresh create."""
        _move, export = self._push_new_invoice(fault="504_after")
        self.fake.voucherlist_date_format = "neither"
        export.action_send()
        self.assertEqual((export.state, export.needs_lookup), ("failed", True))
        self.assertTrue(export.next_attempt_at, "retried automatically")
        self.assertIn("Looking for the invoice", export.last_error)
        creates = self._invoice_creates()
        self.assertEqual(len(creates), 1, "never created again while the outcome is unknown")
        self.fake.voucherlist_date_format = "date"
        export.action_send()
        self.assertEqual(export.state, "sent")
        self.assertEqual(len(self.fake.invoices_with_marker(export.marker)), 1)

    def test_validation_error_waits_for_a_person_with_the_providers_message(self):
        link = self._link(self.customer_collective)
        # An unknown contact id is refused by lexoffice with a 406 and its details.
        link.external_id = "00000000-dead-beef-0000-000000000000"
        move, export = self._failed_push(link=False)
        self.assertFalse(export.next_attempt_at, "a rejected payload is not retried blindly")
        self.assertFalse(export.needs_lookup)
        self.assertIn("Kontakt existiert nicht", export.last_error)
        self.assertIn("needs your attention", move.message_ids[:1].body)
        failed = self.env["account.move"].search([("tms_export_ids.state", "=", "failed")])
        self.assertIn(move, failed)
        calls = len(self.fake.requests)
        self._send_due_exports()
        self.assertEqual(len(self.fake.requests), calls)

    def test_unlinked_customer_fails_with_a_clear_message(self):
        _move, export = self._failed_push(customer=self.customer_single, link=False)
        self.assertIn("not linked to a contact", export.last_error)
        self.assertFalse(self.fake.invoices)
        # With "create missing contacts" the next push links and sends.
        self.backend.auto_create_contacts = True
        export.action_send()
        self.assertEqual(export.state, "sent")
        self.assertTrue(self.customer_single.tms_partner_link_ids)

    def test_transient_errors_retry_with_backoff(self):
        # A 5xx to a create may hide the created invoice ("possible that your request was
        # processed", #http-status-codes): its outcome is unknown, and looked up first.
        _move, export = self._failed_push(fault="500")
        self.assertTrue(export.needs_lookup)
        # Failing look-ups are retried, backing off (a 500 is not repeated at once).
        self.fake.inject("GET", "/v1/voucherlist", ["500", "500"])
        delays = []
        for _round in range(2):
            self._pass_time(25 * 60)
            self.env["tms.billing.export"]._cron_tms_send_exports()
            self.assertEqual(export.state, "failed")
            self.assertIn("Looking for the invoice failed", export.last_error)
            delays.append(export.next_attempt_at - export.last_attempt_at)
        self.assertGreater(delays[1], delays[0])
        # Then look-ups that find nothing settle it (settle.py): sent again, once.
        self._send_until_done(export, rounds=6, step=6 * 60)
        self.assertEqual(export.state, "sent")
        self.assertEqual(len(self.fake.invoices_with_marker(export.marker)), 1)

    def test_other_currency_is_refused_in_words(self):
        usd = self.env.ref("base.USD")
        usd.active = True
        _move, export = self._failed_push(currency_id=usd.id)
        self.assertIn("EUR only; this one is in USD", export.last_error)
        self.assertFalse(self.fake.invoices)

    def test_gross_invoice_sends_gross_unit_prices(self):
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        move.tms_tax_mode = "gross"
        move.action_tms_send_exports()
        [invoice] = self.fake.invoices_with_marker(move.tms_export_ids.marker)
        self.assertEqual(invoice["taxConditions"], {"taxType": "gross"})
        self.assertEqual(invoice["lineItems"][0]["unitPrice"]["grossAmount"], 119.0)

    def test_api_key_is_for_administrators_only_and_never_logged(self):
        user = new_test_user(
            self.env,
            login="dispatcher",
            groups="tms_billing.group_tms_billing_manager,account.group_account_invoice",
        )
        backend = self.backend.with_user(user)
        self.assertEqual(backend.name, "Lexware Office")
        with self.assertRaises(AccessError):
            backend.read(["api_key"])
        with self.assertRaises(AccessError):
            backend.write({"api_key": "stolen"})
        self.assertNotIn("api_key", backend.fields_get())
        # The dispatcher can still push: the key is used, not shown.
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1).with_user(user)
        records = []
        handler = logging.Handler(logging.DEBUG)
        handler.emit = records.append
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            self.fake.inject(*CREATE, ["500", "504_after"])
            move.action_tms_send_exports()
            for _round in range(4):
                self._pass_time(10 * 60)
                move.tms_export_ids.action_send()
            self.backend.api_key = "wrong-" + API_KEY
            with self.assertRaises(UserError):
                self.backend.action_test_connection()
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        self.assertEqual(move.tms_export_ids.state, "sent")
        self.assertTrue(records, "the pushes above log something")
        # Odoo's SQL debug log (--log-sql) prints every written value by design.
        for record in records:
            if record.name != "odoo.sql_db":
                self.assertNotIn(API_KEY, record.getMessage())
        self.assertNotIn(API_KEY, repr(self.backend._lexoffice_client()))
        self.assertNotIn(API_KEY, move.tms_export_ids.last_error or "")

    def test_pushed_draft_cannot_be_deleted(self):
        move, export = self._push_new_invoice()
        with self.assertRaisesRegex(UserError, "was sent to Lexware Office .* cannot be deleted"):
            move.unlink()
        self.assertTrue(export.exists())
        # One whose push may have created it remotely is kept too.
        other, _other_export = self._push_new_invoice(fault="504_after", link=False)
        with self.assertRaisesRegex(UserError, "a draft that may exist"):
            other.unlink()
        # Refused before anything is logged: the orders do not read "deleted".
        order = self._order(self.customer_collective)
        invoiced, _plan = order._tms_create_invoices()
        invoiced.action_tms_send_exports()
        events = order.tms_billing_event_ids
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            invoiced.unlink()
        self.assertEqual(order.tms_billing_event_ids, events)
        self.assertEqual(order.tms_billing_state, "invoiced")
        # One never sent can go.
        unsent = self._draft_invoices(self.customer_collective, 1)
        self.env["tms.billing.export"]._tms_queue(unsent)
        unsent.unlink()
        self.assertFalse(unsent.exists())

    def test_status_poll_isolates_each_row(self):
        """An unknown status, a garbled answer, a deleted draft and a paid one in one
        batch: each row ends with its own outcome, and the batch is not aborted."""
        self._link(self.customer_collective)
        moves = self._draft_invoices(self.customer_collective, 4)
        moves.action_tms_send_exports()
        weird, broken, gone, paid = (move.tms_export_ids for move in moves)
        self.fake.invoices[weird.external_id]["voucherStatus"] = "somethingNew"
        self.fake.inject("GET", f"/v1/invoices/{broken.external_id}", ["html_200"])
        del self.fake.invoices[gone.external_id]
        self.fake.set_invoice_status(paid.external_id, "paid")
        (weird | broken | gone | paid).sudo().write({"status_checked_at": False})
        self.env["tms.billing.export"]._cron_tms_poll_export_status()
        self.assertEqual(
            (weird.external_status, weird.external_status_raw), ("unknown", "somethingNew")
        )
        self.assertEqual(broken.external_status, "draft")
        self.assertIn("Reading the status failed", broken.last_error)
        # Deleted in the web app: lexoffice answers 404 (#http-status-codes).
        self.assertEqual(gone.external_status, "deleted")
        self.assertFalse(gone.last_error)
        self.assertEqual(paid.external_status, "paid")
        self.assertFalse(paid.last_error)

    def test_send_now_queues_more_than_a_few_invoices_for_the_cron(self):
        self._link(self.customer_collective)
        moves = self._draft_invoices(self.customer_collective, 6)
        cron = self.backend.cron_id
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        action = moves.action_tms_send_exports()
        self.assertEqual(action["params"]["title"], "Queued")
        self.assertEqual(set(moves.tms_export_ids.mapped("state")), {"to_send"})
        self.assertFalse(self.fake.invoices, "nothing is pushed inside the request")
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers
        )
        self.env["tms.billing.export"]._cron_tms_send_exports()
        self.assertEqual(set(moves.tms_export_ids.mapped("state")), {"sent"})

    def test_cron_run_stops_at_its_time_budget_and_schedules_the_next(self):
        self._link(self.customer_collective)
        moves = self._draft_invoices(self.customer_collective, 3)
        exports = self.env["tms.billing.export"]._tms_queue(moves)
        self.env["ir.config_parameter"].sudo().set_param("tms_billing.cron_time_budget", "0.001")
        # The connection's own job is started again.
        cron = self.backend.cron_id
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        self.env["tms.billing.export"]._cron_tms_send_exports()
        self.assertEqual(exports.mapped("state").count("sent"), 1, "one row per run at least")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        for _run in range(2):
            self.env["tms.billing.export"]._cron_tms_send_exports()
        self.assertEqual(set(exports.mapped("state")), {"sent"})

    def test_stale_sending_delay_is_a_system_parameter(self):
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        [export] = self.env["tms.billing.export"]._tms_queue(move)
        export.sudo().write(
            {"state": "sending", "last_attempt_at": fields.Datetime.now() - timedelta(minutes=3)}
        )
        self.env["tms.billing.export"]._cron_tms_send_exports()
        self.assertEqual(export.state, "sending", "15 minutes by default")
        self.env["ir.config_parameter"].sudo().set_param("tms_billing.stale_sending_minutes", "2")
        self.env["tms.billing.export"]._cron_tms_send_exports()
        # Taken up again: looked up first, not found, and sent again only once the
        # evidence rule settles it (settle.py).
        self.assertEqual((export.state, export.needs_lookup), ("failed", True))
        self.assertFalse(self.fake.invoices)
        self._send_until_done(export, rounds=6, step=10 * 60)
        self.assertEqual(export.state, "sent")
        self.assertEqual(len(self.fake.invoices_with_marker(export.marker)), 1)

    def test_malformed_answers_give_a_clear_error_naming_the_provider(self):
        for fault in ("html_200", "array_200"):
            with self.subTest(fault=fault):
                wizard = self._malformed_answers_to_test_and_search(
                    fault, "/v1/profile", "/v1/contacts", MALFORMED
                )
                with self.assertRaisesRegex(UserError, MALFORMED):
                    wizard.action_search()
        # A contact created, then read back as garbage: linked all the same, never lost.
        self.fake.inject("GET", "/v1/contacts/", ["html_200"])
        link = self._link(self.customer_single)
        self.assertIn(link.external_id, self.fake.contacts)

    def test_drafts_are_sent_when_confirmed_when_so_configured(self):
        # The test connection is set so (its fixture); new connections send at creation.
        self.assertEqual(self.backend.push_timing, "post")
        wizard = self._wizard(self._order(self.customer_collective))
        self.assertIn("when you confirm them", wizard.push_info)
        move = self._invoice_two_orders()
        self.assertFalse(move.tms_export_ids, "not sent while it is reviewed")
        move.action_post()
        export = move.tms_export_ids
        self.assertEqual(export.state, "to_send")
        self._send_due_exports()
        self.assertEqual(export.state, "sent")
        [invoice] = self.fake.invoices_with_marker(export.marker)
        self.assertEqual(
            invoice["totalPrice"]["totalNetAmount"], move.amount_untaxed, "the reviewed amount"
        )

    def test_drafts_are_sent_by_hand_only_when_so_configured(self):
        self.backend.push_timing = "manual"
        move = self._invoice_two_orders()
        move.action_post()
        self.assertFalse(move.tms_export_ids)
        move.action_tms_send_exports()
        self.assertEqual(move.tms_export_ids.state, "sent")

    def test_a_sent_draft_is_changed_there_not_here(self):
        self.backend.push_timing = "create"
        move = self._invoice_two_orders()
        self.env["tms.billing.export"]._cron_tms_send_exports()
        export = move.tms_export_ids
        self.assertTrue(move.tms_export_locked)
        self.assertIn(self.backend.name, move.tms_export_banner)
        line = move.invoice_line_ids[:1]
        with self.assertRaisesRegex(UserError, "change it there"):
            move.write({"invoice_line_ids": [Command.update(line.id, {"price_unit": 550.0})]})
        with self.assertRaisesRegex(UserError, "change it there"):
            move.partner_id = self.customer_single
        # Confirming it changes nothing that was sent.
        move.action_post()
        self.assertEqual(move.state, "posted")
        self.assertFalse(move.tms_export_locked)
        self.assertEqual(export.state, "sent")
        self.assertEqual(len(self.fake.invoices_with_marker(export.marker)), 1)

    def test_open_in_accounting_system_explains_a_failed_export(self):
        move = self._draft_invoices(self.customer_single, 1)
        export = self.env["tms.billing.export"]._tms_queue(move)
        export._tms_send()
        self.assertEqual(export.state, "failed")
        with self.assertRaisesRegex(UserError, "not in an accounting system yet: .*not linked"):
            move.action_tms_open_export()
