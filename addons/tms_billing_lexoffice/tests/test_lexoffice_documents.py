from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.tms_billing_sync.tests.provider_push import ProviderDocumentTests

from .common import LexofficeCase
from .fake_lexoffice import PDF

LEITWEG_ID = "04011000-1234512345-06"


@tagged("post_install", "-at_install")
class TestDocuments(ProviderDocumentTests, LexofficeCase):
    """The document lexoffice renders comes back to the invoice once it is final there."""

    invoice_paid_status = "paid"
    document_pdf = PDF
    # A refusal with a message of 500,000 characters: kept short on the row.
    document_fault = "huge_error"

    def _document_call(self, export):
        return ("GET", f"/v1/invoices/{export.external_id}/file")

    def _file_calls(self, export):
        path = self._document_call(export)[1]
        return [call for call in self.fake.requests if call[1] == path]

    def test_a_draft_gets_no_document_until_it_is_final_there(self):
        move, export = self._push_one_invoice()
        # A create makes a draft: no file is asked for, nothing is pending, no error.
        self.assertEqual(export.external_status, "draft")
        self.assertFalse(self._file_calls(export))
        self._poll_status(export)
        self.assertFalse(self._file_calls(export), "a draft has no file (409)")
        self.assertFalse(export.document_attachment_id or export.document_error)
        self.assertFalse(export.document_due)
        # Finalised there: the next status poll brings the document.
        self.fake.set_invoice_status(export.external_id, "open")
        self._poll_status(export)
        self.assertEqual(export.external_status, "open")
        attachment = export.document_attachment_id
        self.assertEqual((attachment.res_model, attachment.res_id), ("account.move", move.id))
        self.assertEqual(attachment.raw, PDF)
        self.assertEqual(attachment.mimetype, "application/pdf")
        number = self.fake.invoices[export.external_id]["voucherNumber"]
        self.assertEqual(attachment.name, f"Lexware Office {number} (Open).pdf")
        self.assertIn("as Lexware Office rendered it", attachment.description)
        self.assertEqual(export.document_version, "2")  # lexoffice's revision
        self.assertEqual(self.fake.file_accepts, ["application/pdf"])
        # Read again without a change there: not fetched again.
        self._poll_status(export)
        self.assertEqual(len(self._file_calls(export)), 1)

    def test_a_newer_revision_supersedes_the_document(self):
        _move, export = self._push_one_invoice()
        self.fake.set_invoice_status(export.external_id, "open")
        self._poll_status(export)
        first = export.document_attachment_id
        self.fake.set_invoice_status(export.external_id, "paid")
        self._poll_status(export)
        second = export.document_attachment_id
        self.assertNotEqual(first, second)
        self.assertEqual((export.external_status, export.document_version), ("paid", "3"))
        self.assertTrue(first.exists(), "the older one is kept")
        self.assertTrue(first.description.startswith(f"Superseded by {second.name}"))
        # Paid is final: the row is no longer polled once its document is there.
        calls = len(self.fake.requests)
        self._poll_status(export)
        self.assertEqual(len(self.fake.requests), calls)

    def test_what_is_no_pdf_is_refused(self):
        _move, export = self._push_one_invoice()
        self.fake.set_invoice_status(export.external_id, "open")
        self.fake.inject(*self._document_call(export), ["html_200"])
        self._poll_status(export)
        self.assertFalse(export.document_attachment_id)
        self.assertIn("not a PDF", export.document_error)
        self.assertTrue(export.document_due)

    def test_leitweg_id_reaches_lexoffice_for_an_xrechnung_contact(self):
        if "tms_buyer_reference" not in self.customer_collective._fields:
            self.skipTest("the Leitweg-ID comes with tms_billing_edi")
        self.customer_collective.tms_buyer_reference = LEITWEG_ID
        link = self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1, amount=200.0)
        move.action_post()
        self._send_due_exports()
        export = move.tms_export_ids
        # An ordinary contact there: refused in words, before lexoffice's 406.
        self.assertEqual(export.state, "failed")
        self.assertIn("not set up for XRechnung", export.last_error)
        self.assertFalse(self.fake.invoices)
        # Set up for XRechnung there (as a user would): the invoice carries the ID.
        self.fake.contacts[link.external_id]["xRechnung"] = {
            "buyerReference": LEITWEG_ID,
            "vendorNumberAtCustomer": "70123456",
        }
        export.action_send()
        self.assertEqual(export.state, "sent", export.last_error)
        invoice = self.fake.invoices[export.external_id]
        self.assertEqual(invoice["xRechnung"], {"buyerReference": LEITWEG_ID})

    def _gross_xrechnung_invoice(self, lines):
        """A posted gross invoice of ``lines`` ``[(quantity, gross unit price)]`` for a
        customer with a Leitweg-ID whose lexoffice contact is set up for XRechnung."""
        self.customer_collective.tms_buyer_reference = LEITWEG_ID
        link = self._link(self.customer_collective)
        self.fake.contacts[link.external_id]["xRechnung"] = {
            "buyerReference": LEITWEG_ID,
            "vendorNumberAtCustomer": "70123456",
        }
        included = self.tax.copy({"name": "19% incl.", "price_include_override": "tax_included"})
        move = self._draft_invoices(self.customer_collective, 1, tms_tax_mode="gross")
        move.invoice_line_ids = [
            Command.clear(),
            *(
                Command.create(
                    {
                        "product_id": self.product.id,
                        "name": f"Transport {number}",
                        "quantity": quantity,
                        "price_unit": price,
                        "tax_ids": [Command.set(included.ids)],
                    }
                )
                for number, (quantity, price) in enumerate(lines)
            ),
        ]
        move.action_post()
        self._send_due_exports()
        return move, move.tms_export_ids

    def test_gross_xrechnung_goes_with_net_prices_of_the_same_totals(self):
        """lexoffice's FAQ "XRechnung": an XRechnung invoice has the tax type net."""
        if "tms_buyer_reference" not in self.customer_collective._fields:
            self.skipTest("the Leitweg-ID comes with tms_billing_edi")
        move, export = self._gross_xrechnung_invoice([(1.0, 119.0), (2.0, 59.5)])
        self.assertEqual(move.amount_total, 238.0)
        self.assertEqual(export.state, "sent", export.last_error)
        invoice = self.fake.invoices[export.external_id]
        self.assertEqual(invoice["taxConditions"]["taxType"], "net")
        self.assertEqual(
            [item["unitPrice"]["netAmount"] for item in invoice["lineItems"]], [100.0, 50.0]
        )
        self.assertEqual(
            (
                invoice["totalPrice"]["totalNetAmount"],
                invoice["totalPrice"]["totalTaxAmount"],
                invoice["totalPrice"]["totalGrossAmount"],
            ),
            (move.amount_untaxed, move.amount_tax, move.amount_total),
        )
        self.assertEqual(invoice["xRechnung"], {"buyerReference": LEITWEG_ID})

    def test_gross_xrechnung_whose_net_prices_miss_a_cent_is_refused(self):
        if "tms_buyer_reference" not in self.customer_collective._fields:
            self.skipTest("the Leitweg-ID comes with tms_billing_edi")
        # 3 x 33.33 gross = 99.99 with 15.96 VAT; 3 x 28.0084 net = 84.03 with 15.97.
        move, export = self._gross_xrechnung_invoice([(3.0, 33.33)])
        self.assertEqual(move.amount_total, 99.99)
        self.assertEqual(export.state, "failed")
        self.assertIn("only with net prices", export.last_error)
        self.assertFalse(self.fake.invoices)
