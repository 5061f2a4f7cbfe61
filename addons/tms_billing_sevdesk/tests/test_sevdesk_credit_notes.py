from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.tms_billing_sync.tests.provider_push import ProviderCreditNoteTests

from .common import SevdeskCase


@tagged("post_install", "-at_install")
class TestSevdeskCreditNotes(ProviderCreditNoteTests, SevdeskCase):
    credit_note_create_call = ("POST", "/CreditNote/Factory/saveCreditNote")
    invoice_open_status = "200"
    invoice_draft_status = "100"

    def _not_final_there_message(self, move, invoice_export):
        return (
            f"Send invoice {invoice_export.external_number} in sevDesk (or mark it as sent) first"
        )

    def test_refund_of_a_pushed_invoice_becomes_one_credit_note_draft(self):
        move, invoice_export = self._pushed_invoice()
        refund = self._refund(move, price=80.0)
        export = refund.tms_export_ids
        self.assertEqual(export.document_type, "credit_note")
        self._send_due_exports()
        self.assertEqual(export.state, "sent", export.last_error)
        [credit_note] = self.fake.credit_notes_with_marker(export.marker)
        self.assertEqual(export.external_id, credit_note["id"])
        self.assertEqual(export.external_number, credit_note["creditNoteNumber"])
        self.assertEqual(credit_note["status"], "100")
        self.assertEqual(credit_note["bookingCategory"], "UNDERACHIEVEMENT")
        self.assertEqual(str(credit_note["refSrcInvoice"]), invoice_export.external_id)
        invoice = self.fake.invoices[invoice_export.external_id]
        # The invoice's date of delivery, kept (L4, "sevdesk-Update 2.0 > Credit Notes").
        self.assertEqual(credit_note["deliveryDate"], invoice["deliveryDate"])
        self.assertEqual(credit_note.get("deliveryDateUntil"), invoice.get("deliveryDateUntil"))
        [position] = credit_note["positions"]
        self.assertEqual(position["price"], 80.0)
        self.assertEqual(credit_note["sumNet"], refund.amount_untaxed)
        self.assertEqual(credit_note["sumGross"], refund.amount_total)
        self.assertEqual(len(self._credit_note_creates()), 1)
        # No web address of a credit note is documented: said so, not guessed.
        self.assertFalse(export.external_url)
        with self.assertRaisesRegex(UserError, "documents no web address"):
            export.action_open_external()
        # The status is read from GET /CreditNote/{id}.
        self.fake.credit_notes[export.external_id]["status"] = "1000"
        export._tms_refresh_status()
        self.assertEqual(export.external_status, "paid")

    def test_cancelling_an_open_invoice_cancels_it_there_once(self):
        move, export = self._pushed_invoice(status="200")
        move.button_draft()
        move.button_cancel()
        self.assertEqual(export.cancel_state, "cancelled")
        self.assertEqual(export.external_status, "cancelled")
        [cancellation] = [i for i in self.fake.invoices.values() if i["invoiceType"] == "SR"]
        self.assertEqual(export.cancel_reference, cancellation["invoiceNumber"])
        self.assertEqual(
            export.cancel_message,
            f"{export.external_number or export.external_id} is cancelled in sevDesk by the "
            f"cancellation invoice {cancellation['invoiceNumber']}.",
        )
        self.assertIn("cancellation invoice", move.message_ids[:1].body)
        self.assertEqual(len(self._calls_to("POST", "/cancelInvoice")), 1)
        with self.assertRaisesRegex(UserError, "cancellation there failed"):
            export.action_cancel_external()

    def test_cancelling_a_draft_there_tells_to_delete_it(self):
        move, export = self._pushed_invoice(status="100")
        move.button_draft()
        move.button_cancel()
        self.assertEqual(export.cancel_state, "kept")
        self.assertEqual(
            export.cancel_message,
            f"The draft {export.external_number} in sevDesk stays there: delete it in "
            "sevDesk. If these orders are invoiced again, the new invoice is sent there once "
            "that draft is gone.",
        )
        self.assertIn("stays there: delete it", move.message_ids[:1].body)
        self.assertFalse(self._calls_to("POST", "/cancelInvoice"))

    def test_cancelling_a_paid_invoice_leaves_it_to_sevdesk(self):
        move, export = self._pushed_invoice(status="1000")
        move.button_draft()
        move.button_cancel()
        self.assertEqual(export.cancel_state, "kept")
        self.assertIn("paid or partly paid in sevDesk", export.cancel_message)
        self.assertFalse(self._calls_to("POST", "/cancelInvoice"))

    def test_unknown_cancellation_is_read_back_never_asked_twice(self):
        move, export = self._pushed_invoice(status="200")
        self.fake.inject("POST", f"/Invoice/{export.external_id}/cancelInvoice", ["504_after"])
        move.button_draft()
        move.button_cancel()
        self.assertEqual((export.cancel_state, export.cancel_lookup), ("failed", True))
        self.assertIn("may have been cancelled", export.cancel_message)
        export.action_cancel_external()
        self.assertEqual(export.cancel_state, "cancelled")
        self.assertEqual(len(self._calls_to("POST", "/cancelInvoice")), 1)

    def test_cancellation_not_performed_is_asked_again(self):
        move, export = self._pushed_invoice(status="200")
        self.fake.inject("POST", f"/Invoice/{export.external_id}/cancelInvoice", ["503"])
        move.button_draft()
        move.button_cancel()
        self.assertEqual(export.cancel_state, "failed")
        # The status there is still open: the call did not happen, and is made again.
        export.action_cancel_external()
        self.assertEqual(export.cancel_state, "cancelled")
        statuses = [c[2] for c in self._calls_to("POST", "/cancelInvoice")]
        self.assertEqual(statuses, [503, 201])

    def test_cancel_again_checks_access(self):
        move, export = self._pushed_invoice(status="200")
        self.fake.inject("POST", f"/Invoice/{export.external_id}/cancelInvoice", ["503"])
        move.button_draft()
        move.button_cancel()
        outsider = new_test_user(self.env, "tms_sev_outsider", groups="base.group_user")
        with self.assertRaises(AccessError):
            export.with_user(outsider).action_cancel_external()
        self.assertEqual(export.cancel_state, "failed")
