"""What the providers' push tests share: the steps of a push through the ledger, and the
tests that read the same for every accounting system.

A provider's test class mixes in the class of its kind (before its own test case, so
that its hooks win) and sets the hooks that class lists; what only one provider does
stays in that provider's test. The mixins work on ``self.backend`` and ``self.fake`` (a
provider's loopback fake) and on the helpers of ``TmsBillingCase``. This module holds
no test case of its own, so ``__init__`` does not import it.
"""

from datetime import date

from odoo.exceptions import UserError
from odoo.fields import Command


class ProviderPushMixin:
    """The steps of a push that every provider's tests take."""

    # Odoo's loader runs the test methods a class inherits only where this is set
    # (odoo/tests/loader.py, get_module_test_cases); the mixins below define some.
    allow_inherited_tests_method = True

    # -- what differs between providers ----------------------------------------------
    # The call that creates an invoice there, as the fake's ``inject`` takes it.
    invoice_create_call = None
    # The status the fake sets for an invoice that is open (final, unpaid) there.
    invoice_open_status = None
    # The status the fake sets for an invoice voided there (None: the provider has none).
    invoice_voided_status = None

    def _create_contact_by_wizard(self, partner):
        """``partner`` created there through the wizard: its link and the fake's contact."""
        self._contact_wizard(partner).action_create_contact()
        link = partner.tms_partner_link_ids
        return link, self.fake.contacts[link.external_id]

    def _malformed_answers_to_test_and_search(self, fault, test_path, search_path, error):
        """The connection test answered with ``fault`` (on ``test_path``) must fail with
        ``error``; returns a contact search wizard whose next search is answered with
        ``fault`` (on ``search_path``)."""
        self.fake.inject("GET", test_path, [fault])
        with self.assertRaisesRegex(UserError, error):
            self.backend.action_test_connection()
        self.fake.inject("GET", search_path, [fault])
        return self._contact_wizard(self.customer_single, search_term="Einzel")

    def _calls_to(self, method, path):
        """The calls the fake saw of ``method`` on a path ending with ``path``."""
        return [call for call in self.fake.requests if call[0] == method and call[1].endswith(path)]

    def _invoice_creates(self):
        return self._calls_to(*self.invoice_create_call)

    def _send_due_exports(self):
        self.env["tms.billing.export"]._cron_tms_send_exports()

    def _push_new_invoice(self, fault=None, customer=None, link=True, **values):
        """A draft invoice of ``customer`` (by default the collective one), linked there
        first unless ``link`` is false, sent at once, its create call given ``fault``:
        the invoice and its ledger row."""
        customer = customer or self.customer_collective
        if link:
            self._link(customer)
        move = self._draft_invoices(customer, 1, **values)
        if fault:
            self.fake.inject(*self.invoice_create_call, [fault])
        move.action_tms_send_exports()
        return move, move.tms_export_ids

    def _failed_push(self, **kwargs):
        """``_push_new_invoice``, whose ledger row must have failed."""
        move, export = self._push_new_invoice(**kwargs)
        self.assertEqual(export.state, "failed")
        return move, export

    def _sent_invoice(self, export):
        """The one invoice there that ``export``, sent, created and points to."""
        self.assertEqual(export.state, "sent", export.last_error)
        [invoice] = self.fake.invoices_with_marker(export.marker)
        self.assertEqual(export.external_id, invoice["id"])
        return invoice

    def _invoice_two_orders(self):
        """The collective customer, linked there, invoiced for two orders of October in
        one invoice dated 2 November through the wizard."""
        self._link(self.customer_collective)
        orders = self._order(self.customer_collective, delivery_date=date(2026, 10, 5))
        orders |= self._order(self.customer_collective, delivery_date=date(2026, 10, 27))
        self._wizard(orders, invoice_date=date(2026, 11, 2)).action_create_invoices()
        return orders.invoice_ids

    def _pushed_invoice(self, status=None):
        """A confirmed invoice sent as a draft, then given ``status`` there: by default
        the open one; ``False`` leaves it the draft it was created as."""
        move, export = self._push_one_invoice()
        status = self.invoice_open_status if status is None else status
        if status:
            self.fake.set_invoice_status(export.external_id, status)
        return move, export


class ProviderInvoicePushTests(ProviderPushMixin):
    """The tests of invoices pushed to a provider that read the same for each."""

    def _deleted_draft_hint(self, first):
        """What the refusal to send orders invoiced again says of the draft there
        (``first``, the cancelled invoice's row) that must be deleted first."""
        raise NotImplementedError

    def test_unknown_outcome_is_looked_up_before_resending(self):
        _move, export = self._failed_push(fault="504_after")
        self.assertTrue(export.needs_lookup)
        self.assertTrue(export.next_attempt_at)
        self.assertEqual(len(self.fake.invoices_with_marker(export.marker)), 1)
        creates = len(self._invoice_creates())
        export.action_send()
        self._sent_invoice(export)
        self.assertFalse(export.needs_lookup)
        self.assertEqual(len(self._invoice_creates()), creates)

    def test_a_lagging_search_never_duplicates_a_lost_create(self):
        """The provider lists a new invoice only after the lag: 90 s, and the longest the
        evidence rule defends against, 15 minutes. Lost answers of creates that were
        performed are found, never sent twice; creates that were not performed (a 502
        before the call reached the provider) are sent again once the rule settles it.
        Every row ends sent, each invoice once there."""
        for lag in (90, 15 * 60):
            with self.subTest(lag=lag), self.env.cr.savepoint() as savepoint:
                self.fake.reset()
                self.fake.search_lag = lag
                self._link(self.customer_collective)
                moves = self._draft_invoices(self.customer_collective, 6)
                exports = self.env["tms.billing.export"]._tms_queue(moves, self.backend)
                faults = ["502_after", "none", "504_after", "502", "502_after", "none"]
                self.fake.inject(*self.invoice_create_call, faults)
                self._send_due_exports()
                unknown = exports.filtered("needs_lookup")
                self.assertEqual(len(unknown), 4, "502/504 after creation, 502 before")
                self._send_until_done(exports, rounds=45, step=60)
                self.assertEqual(set(exports.mapped("state")), {"sent"})
                self.assertEqual(len(self.fake.invoices), 6, "each invoice once there")
                for export in exports:
                    self._sent_invoice(export)
                savepoint.rollback()
                self.env.invalidate_all()

    def test_orders_invoiced_again_wait_until_the_cancelled_draft_is_deleted_there(self):
        self.backend.push_timing = "create"
        move = self._invoice_two_orders()
        orders = move.tms_order_ids
        self._send_due_exports()
        first = move.tms_export_ids
        self.assertEqual(first.state, "sent")
        move.button_cancel()
        self.assertIn("stays there: delete it", move.message_ids[:1].body)
        self._wizard(orders, invoice_date=date(2026, 11, 3)).action_create_invoices()
        again = orders.invoice_ids.filtered(lambda m: m.state == "draft")
        second = again.tms_export_ids
        self._send_due_exports()
        self.assertEqual(second.state, "failed")
        self.assertIn(self._deleted_draft_hint(first), second.last_error)
        self.assertEqual(len(self.fake.invoices), 1, "no second draft for the same transports")
        # Deleted there: the new invoice goes.
        del self.fake.invoices[first.external_id]
        second.action_send()
        self.assertEqual((first.external_status, second.state), ("deleted", "sent"))
        self.assertEqual(len(self.fake.invoices), 1)

    def test_the_invoice_here_follows_its_document_there(self):
        """Sent as soon as it is created (the default), finalised there: confirmed here
        under the number there; voided or deleted there: cancelled here."""
        Backend = self.env["tms.billing.backend"]
        self.assertEqual(Backend.default_get(["push_timing"])["push_timing"], "create")
        self.backend.push_timing = "create"
        move = self._invoice_two_orders()
        self._send_due_exports()
        export = move.tms_export_ids
        self.assertEqual((export.state, move.state), ("sent", "draft"))
        self.assertTrue(move.tms_export_locked)
        # Named as people find it there, never by its technical id.
        self.assertNotIn(export.external_id, move.tms_export_banner)
        self.fake.set_invoice_status(export.external_id, self.invoice_open_status)
        export.action_refresh_status()
        self.assertEqual((move.state, move.tms_external_status), ("posted", "open"))
        self.assertTrue(export.external_number)
        self.assertEqual(move.tms_external_number, export.external_number)
        self.assertIn(export.external_number, move.message_ids[:1].body)
        self.assertIn("confirmed here", move.message_ids[:1].body)
        if self.invoice_voided_status:
            self.fake.set_invoice_status(export.external_id, self.invoice_voided_status)
            export.action_refresh_status()
            self.assertEqual(move.state, "cancel")
            self.assertIn("cancelled here", move.message_ids[:1].body)
        # A draft deleted there: the draft here is cancelled, its orders invoiced again.
        orders = self._order(self.customer_collective, delivery_date=date(2026, 10, 12))
        self._wizard(orders, invoice_date=date(2026, 11, 2)).action_create_invoices()
        other = orders.invoice_ids
        self._send_due_exports()
        del self.fake.invoices[other.tms_export_ids.external_id]
        other.tms_export_ids.action_refresh_status()
        self.assertEqual(other.state, "cancel")
        self.assertEqual(other.tms_export_ids.external_status, "deleted")
        self.assertEqual(orders.invoice_status, "to invoice")


class ProviderCreditNoteTests(ProviderPushMixin):
    """The tests of refunds pushed as credit notes that read the same for each provider."""

    # -- what differs between providers ----------------------------------------------
    # The call that creates a credit note there, as the fake's ``inject`` takes it.
    credit_note_create_call = None
    # The status of an invoice left a draft there (``False``: as it was created).
    invoice_draft_status = None
    # The faults after which the credit note may exist there.
    credit_note_faults = ("504_after", "drop_after")

    def _not_final_there_message(self, move, invoice_export):
        """What a refund of ``move``, a draft there, waits for, in words."""
        raise NotImplementedError

    def _refund(self, move, price=None, post=True):
        refund = move._reverse_moves([{"invoice_date": date(2026, 11, 20)}])
        if price is not None:
            refund.invoice_line_ids[:1].price_unit = price
        if post:
            refund.action_post()
        return refund

    def _credit_note_creates(self):
        return self._calls_to(*self.credit_note_create_call)

    def test_refund_of_an_invoice_still_draft_there_waits_for_it(self):
        move, invoice_export = self._pushed_invoice(status=self.invoice_draft_status)
        export = self._refund(move).tms_export_ids
        self._send_due_exports()
        self.assertEqual(export.state, "failed")
        self.assertIn(self._not_final_there_message(move, invoice_export), export.last_error)
        self.assertTrue(export.next_attempt_at, "retried by the cron")
        self.assertFalse(export.needs_lookup)
        self.assertFalse(self._credit_note_creates(), "the provider's refusal is never provoked")
        self.fake.set_invoice_status(invoice_export.external_id, self.invoice_open_status)
        self._send_until_done(export)
        self.assertEqual(export.state, "sent")
        self.assertEqual(len(self.fake.credit_notes_with_marker(export.marker)), 1)
        self.assertEqual(len(self.fake.credit_notes), 1)
        self.assertEqual(len(self._credit_note_creates()), 1)

    def test_unknown_outcome_is_looked_up_never_duplicated(self):
        for fault in self.credit_note_faults:
            with self.subTest(fault=fault), self.env.cr.savepoint() as savepoint:
                self.fake.reset()
                self.fake.fault_delay = 2.5  # beyond the backend's 2 s timeout
                move, _invoice_export = self._pushed_invoice()
                export = self._refund(move, price=50.0).tms_export_ids
                self.fake.inject(*self.credit_note_create_call, [fault])
                self._send_due_exports()
                self.assertEqual((export.state, export.needs_lookup), ("failed", True))
                self.assertEqual(len(self.fake.credit_notes), 1, "created despite the fault")
                self._send_until_done(export)
                self.assertEqual(export.state, "sent")
                [credit_note] = self.fake.credit_notes.values()
                self.assertEqual(export.external_id, credit_note["id"])
                self.assertEqual(len(self._credit_note_creates()), 1, "never sent a second time")
                savepoint.rollback()
                self.env.invalidate_all()

    def test_a_lagging_search_never_duplicates_a_lost_credit_note(self):
        for lag in (90, 15 * 60):
            with self.subTest(lag=lag), self.env.cr.savepoint() as savepoint:
                self.fake.reset()
                move, _invoice_export = self._pushed_invoice()
                export = self._refund(move, price=50.0).tms_export_ids
                self.fake.search_lag = lag
                self.fake.inject(*self.credit_note_create_call, ["502_after"])
                self._send_due_exports()
                self.assertEqual((export.state, export.needs_lookup), ("failed", True))
                self._send_until_done(export, rounds=40, step=60)
                self.assertEqual(export.state, "sent", export.last_error)
                self.assertEqual(len(self.fake.credit_notes), 1, "never a second credit note")
                self.assertEqual(len(self._credit_note_creates()), 1)
                savepoint.rollback()
                self.env.invalidate_all()

    def test_refund_of_a_never_pushed_invoice_is_not_queued(self):
        self._link(self.customer_collective)
        self.backend.push_timing = "manual"
        move = self._draft_invoices(self.customer_collective, 1)
        move.action_post()
        refund = self._refund(move)
        self.assertFalse(refund.tms_export_ids)
        self._send_due_exports()
        self.assertFalse(self._credit_note_creates())
        with self.assertRaisesRegex(UserError, "confirmed refunds of invoices sent"):
            refund.action_tms_send_exports()
        self.assertFalse(refund.tms_export_ids)
        self.assertFalse(self.fake.credit_notes)


class ProviderDocumentTests(ProviderPushMixin):
    """The tests of the documents a provider renders that read the same for each."""

    # -- what differs between providers ----------------------------------------------
    # The status the fake sets for a paid invoice, and the PDF it renders.
    invoice_paid_status = None
    document_pdf = None
    # The fault the document call is given when its fetch must fail.
    document_fault = None

    def _document_call(self, export):
        """The call that fetches ``export``'s document, as the fake's ``inject`` takes it."""
        raise NotImplementedError

    def test_a_failed_fetch_is_recorded_and_retried_at_the_next_poll(self):
        _move, export = self._push_one_invoice()
        self.fake.set_invoice_status(export.external_id, self.invoice_paid_status)
        self.fake.inject(*self._document_call(export), [self.document_fault])
        self._poll_status(export)
        # The status is read and recorded all the same; the document is due.
        self.assertEqual(export.external_status, "paid")
        self.assertFalse(export.last_error)
        self.assertFalse(export.document_attachment_id)
        self.assertIn("Fetching the document failed", export.document_error)
        self.assertLessEqual(len(export.document_error), 500)
        self.assertEqual((export.document_due, export.document_attempts), (True, 1))
        # Paid is final, yet the row is read again for its document.
        self._poll_status(export)
        self.assertEqual(export.document_attachment_id.raw, self.document_pdf)
        self.assertFalse(export.document_error or export.document_due)
        self.assertEqual(export.document_attempts, 0)


class ProviderTaxSituationMixin(ProviderPushMixin):
    """Invoices of each tax situation pushed to a provider (with ``TmsGermanCase``)."""

    def _assert_each_situation(self, expected, check):
        """Invoice each situation's customer, push the invoices, and in a subtest per
        situation of ``expected`` ({situation: values}) check its one invoice there
        with ``check(customer, move, invoice, *values)``."""
        customers = self.situation_customers
        invoices = self._invoice_situations(customers.values())
        pushed = self._push_situations(self.env["account.move"].union(*invoices.values()))
        for key, values in expected.items():
            with self.subTest(situation=key):
                move = invoices[customers[key]]
                self.assertEqual(move.tms_export_ids.state, "sent", move.tms_export_ids.last_error)
                [invoice] = pushed[move]
                check(customers[key], move, invoice, *values)

    def _push_small_business_invoice(self):
        """The company a small business selling VAT-free: a domestic customer's invoice
        pushed, as it arrives there."""
        self.company.tms_small_business = True
        exempt = self._chart_ref("tax_ust_no_ustpflicht_skr03")
        self.product.taxes_id = [Command.set(exempt.ids)]
        customer = self.situation_customers["domestic_net"]
        move = self._invoice_situations([customer])[customer]
        [invoice] = self._push_situations(move)[move]
        return invoice

    def _linked_situation_invoice(self, situation):
        """An invoice of ``situation``'s customer, linked there, not sent yet."""
        customer = self.situation_customers[situation]
        move = self._invoice_situations([customer])[customer]
        self._link(customer)
        return move


class ProviderRouteSituationMixin(ProviderPushMixin):
    """Invoices of the route's tax situations (VAT by route) pushed to a provider (with
    ``TmsGermanCase``): each either arrives with its provider's code or is refused before
    any call, saying why."""

    def _route_invoices(self):
        """``{situation: invoice}``: a German shipper's export Hamburg - Zürich and its
        transport within Switzerland, a Swiss private customer's transport within
        Germany, an Austrian private customer's from Vienna to Munich (with the
        company's position for Austrian VAT, as Odoo's One-Stop-Shop module makes it)."""
        de, at, ch = (self.env.ref(f"base.{code}") for code in ("de", "at", "ch"))
        shipper = self.situation_customers["domestic_net"]
        swiss_private = self._customer(
            "Lukas Meier",
            is_company=False,
            country_id=ch.id,
            street="Seefeldstrasse 45",
            zip="8008",
            city="Zürich",
        )
        austrian_vat = self.tax.copy({"name": "20% AT", "amount": 20.0})
        self.env["account.fiscal.position"].create(
            {
                "name": "OSS B2C Austria",
                "country_id": at.id,
                "tms_tax_situation": "eu_private_abroad",
                "tax_ids": [
                    Command.create({"tax_src_id": self.tax.id, "tax_dest_id": austrian_vat.id})
                ],
            }
        )
        routes = [
            (shipper, de, ch, {"tms_customer_goods_role": "consignor"}),
            (shipper, ch, ch, {}),
            (swiss_private, de, de, {}),
            (self.situation_customers["eu_private"], at, de, {}),
        ]
        orders = self.env["sale.order"]
        for customer, loading, unloading, values in routes:
            orders |= self._order(
                customer,
                delivery_date=date(2026, 10, 5),
                tms_loading_country_id=loading.id,
                tms_unloading_country_id=unloading.id,
                **values,
            )
        moves, plan = orders._tms_create_invoices(invoice_date=date(2026, 11, 2))
        self.assertFalse(plan.excluded)
        moves.action_post()
        for customer in moves.commercial_partner_id:
            self._link(customer)
        return {move.tms_tax_situation: move for move in moves}

    def _send(self, move):
        """Send ``move`` now: its ledger row, and the calls the push made."""
        calls = len(self.fake.requests)
        move.action_tms_send_exports()
        return move.tms_export_ids, self.fake.requests[calls:]

    def _assert_refused_before_any_call(self, move, *texts):
        export, calls = self._send(move)
        self.assertEqual(export.state, "failed")
        self.assertFalse(export.next_attempt_at, "not retried: the data must change")
        for text in texts:
            self.assertIn(text, export.last_error)
        self.assertEqual(calls, [])
        return export
