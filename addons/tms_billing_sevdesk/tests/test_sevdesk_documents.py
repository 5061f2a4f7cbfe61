from odoo.tests import tagged

from odoo.addons.tms_billing_sync.tests.provider_push import ProviderDocumentTests

from .common import SevdeskCase
from .fake_sevdesk import PDF

LEITWEG_ID = "991-33333TEST-33"


@tagged("post_install", "-at_install")
class TestSevdeskDocuments(ProviderDocumentTests, SevdeskCase):
    """The PDF sevDesk renders comes back to the invoice once it is no draft there."""

    invoice_paid_status = "1000"
    document_pdf = PDF
    document_fault = "500"

    def _document_call(self, export):
        return ("GET", f"/Invoice/{export.external_id}/getPdf")

    def test_a_draft_gets_no_document_until_it_is_open_there(self):
        move, export = self._push_one_invoice()
        self._poll_status(export)
        self.assertEqual(export.external_status, "draft")
        self.assertFalse(self.fake.pdf_requests, "a draft's PDF is not asked for")
        self.assertFalse(export.document_attachment_id or export.document_error)
        self.fake.set_invoice_status(export.external_id, "200")
        self._poll_status(export)
        attachment = export.document_attachment_id
        self.assertEqual((attachment.res_model, attachment.res_id), ("account.move", move.id))
        self.assertEqual(attachment.raw, PDF)
        number = self.fake.invoices[export.external_id]["invoiceNumber"]
        self.assertEqual(attachment.name, f"sevDesk {number} (Open).pdf")
        self.assertIn(f"{number}.pdf", attachment.description)
        self.assertEqual(export.document_version, self.fake.invoices[export.external_id]["update"])
        # preventSendBy=true: reading the PDF never marks the invoice as sent there.
        self.assertEqual(
            self.fake.pdf_requests,
            [(export.external_id, {"download": "true", "preventSendBy": "true"})],
        )
        self.assertEqual(self.fake.pdf_sent, set())

    def test_leitweg_id_goes_with_the_created_contact(self):
        if "tms_buyer_reference" not in self.customer_collective._fields:
            self.skipTest("the Leitweg-ID comes with tms_billing_edi")
        self.customer_collective.tms_buyer_reference = LEITWEG_ID
        link = self._link(self.customer_collective)
        self.assertEqual(self.fake.contacts[link.external_id]["buyerReference"], LEITWEG_ID)
        self._link(self.customer_single)
        self.assertNotIn(
            "buyerReference",
            self.fake.contacts[self.customer_single.tms_partner_link_ids.external_id],
        )
