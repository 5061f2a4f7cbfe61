from odoo.tests import tagged

from odoo.addons.tms_billing_sync.tests.provider_push import ProviderCreditNoteTests

from .common import LexofficeCase


@tagged("post_install", "-at_install")
class TestCreditNotes(ProviderCreditNoteTests, LexofficeCase):
    credit_note_create_call = ("POST", "/v1/credit-notes")
    invoice_open_status = "open"
    invoice_draft_status = False  # as created: a draft
    credit_note_faults = ("504_after", "drop_after", "timeout_after")

    def _not_final_there_message(self, move, invoice_export):
        # lexoffice documents a 406 for a credit note of an invoice still a draft there;
        # the push waits instead of provoking it.
        return f"Finalise invoice {move.name} in lexoffice first"

    def test_refund_of_a_pushed_invoice_becomes_one_linked_credit_note_draft(self):
        move, invoice_export = self._pushed_invoice()
        refund = self._refund(move, price=60.0)
        export = refund.tms_export_ids
        self.assertEqual((export.backend_id, export.state), (self.backend, "to_send"))
        self.assertEqual(export.document_type, "credit_note")
        self._send_due_exports()
        self.assertEqual(export.state, "sent", export.last_error)
        [credit_note] = self.fake.credit_notes_with_marker(export.marker)
        self.assertEqual(export.external_id, credit_note["id"])
        self.assertEqual(credit_note["voucherStatus"], "draft")
        self.assertEqual(
            credit_note["relatedVouchers"][0]["id"], invoice_export.external_id, "linked"
        )
        invoice = self.fake.invoices[invoice_export.external_id]
        self.assertEqual(invoice["relatedVouchers"][0]["id"], credit_note["id"])
        # The refund's amounts, positive, and no invoice-only properties.
        [item] = credit_note["lineItems"]
        self.assertEqual(item["unitPrice"]["netAmount"], 60.0)
        self.assertEqual(credit_note["totalPrice"]["totalNetAmount"], refund.amount_untaxed)
        self.assertEqual(credit_note["totalPrice"]["totalGrossAmount"], refund.amount_total)
        self.assertNotIn("shippingConditions", credit_note)
        self.assertIn(invoice["voucherNumber"], credit_note["introduction"])
        self.assertTrue(
            export.external_url.endswith(f"/permalink/credit-notes/edit/{credit_note['id']}")
        )
        self.assertEqual(len(self._credit_note_creates()), 1)
        # Its status is read from the credit notes endpoint.
        self.fake.set_credit_note_status(credit_note["id"], "paidoff")
        self._poll_status(export)
        self.assertEqual(export.external_status, "paid")
        self.assertTrue(export.external_number.startswith("GS"))
        self.assertIn("credit note", refund.message_ids[:1].body)

    def test_manual_connection_sends_the_refund_by_hand_only(self):
        self.backend.push_timing = "manual"
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        move.action_post()
        move.action_tms_send_exports()
        self.fake.set_invoice_status(move.tms_export_ids.external_id, "open")
        refund = self._refund(move)
        self.assertFalse(refund.tms_export_ids, "not queued on confirmation")
        refund.action_tms_send_exports()
        export = refund.tms_export_ids
        self.assertEqual((export.state, export.document_type), ("sent", "credit_note"))
        self.assertEqual(len(self.fake.credit_notes), 1)

    def test_create_timing_sends_the_refund_once_confirmed(self):
        move, _invoice_export = self._pushed_invoice()
        self.backend.push_timing = "create"
        refund = self._refund(move, post=False)
        self.assertFalse(refund.tms_export_ids, "a draft refund may still change")
        refund.action_post()
        self.assertEqual(refund.tms_export_ids.state, "to_send")

    def test_one_credit_note_per_invoice_is_said_in_words(self):
        move, _invoice_export = self._pushed_invoice()
        first = self._refund(move, price=10.0)
        second = self._refund(move, price=20.0)
        self._send_due_exports()
        self.assertEqual(first.tms_export_ids.state, "sent")
        export = second.tms_export_ids
        self.assertEqual(export.state, "failed")
        self.assertIn("allows one credit note per invoice", export.last_error)
        self.assertFalse(export.next_attempt_at, "waits for a person")
        self.assertEqual(len(self._credit_note_creates()), 1)

    def test_cancelling_a_sent_invoice_keeps_the_instructions(self):
        move, export = self._pushed_invoice(status=False)
        move.button_draft()
        move.button_cancel()
        self.assertIn("stays there: delete it", move.message_ids[:1].body)
        self.assertFalse(export.cancel_state)

    def test_finalised_invoice_wakes_a_credit_note_that_stopped_retrying(self):
        move, invoice_export = self._pushed_invoice(status=False)
        export = self._refund(move).tms_export_ids
        self._send_due_exports()
        self.assertEqual(export.state, "failed")
        # Its retries are spent: it waits for a person, or for the invoice.
        export.sudo().next_attempt_at = False
        self._send_due_exports()
        self.assertFalse(self._credit_note_creates())
        self.fake.set_invoice_status(invoice_export.external_id, "open")
        self._poll_status(invoice_export)
        self.assertEqual(invoice_export.external_status, "open")
        self.assertTrue(export.next_attempt_at, "due again")
        self._send_due_exports()
        self.assertEqual(export.state, "sent")
        self.assertEqual(len(self._credit_note_creates()), 1)
