from datetime import date
from typing import get_type_hints

from odoo import models
from odoo.tests import tagged

from ..export_contract import (
    ContactDraft,
    CreditNoteDraft,
    DocumentRef,
    DraftAddress,
    DraftLine,
    InvoiceDraft,
    PaymentTerm,
)
from .common import TmsSyncCase


@tagged("post_install", "-at_install")
class TestExportContract(TmsSyncCase):
    """The drafts and contacts handed to the providers are exactly the documented shapes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["tms.billing.backend"].create({"name": "Stub", "api_key": "k"})
        cls.env["tms.billing.partner.link"].create(
            {"partner_id": cls.customer_collective.id, "backend_id": cls.backend.id}
            | {"external_id": "C-1"}
        )
        cls.customer_collective.property_payment_term_id = cls.payment_term_30

    def assertShape(self, value, shape):
        self.assertEqual(set(value), set(get_type_hints(shape)), shape.__name__)

    def test_invoice_and_credit_note_drafts_have_the_contract_shape(self):
        move = self._draft_invoices(self.customer_collective, 1)
        move.invoice_payment_term_id = self.payment_term_30
        export = self.env["tms.billing.export"]._tms_queue(move, self.backend)
        draft = move._tms_prepare_export_draft(export, "C-1")
        self.assertShape(draft, InvoiceDraft)
        self.assertShape(draft["address"], DraftAddress)
        self.assertShape(draft["payment_term"], PaymentTerm)
        self.assertTrue(draft["lines"])
        for line in draft["lines"]:
            self.assertShape(line, DraftLine)

        move.action_post()
        export.sudo().write({"state": "sent", "external_id": "INV-1"})
        refund = move._reverse_moves([{"invoice_date": move.invoice_date}])
        refund.action_post()
        credit = self.env["tms.billing.export"]._tms_queue_credit_notes(refund)
        self.assertShape(refund._tms_prepare_export_draft(credit, "C-1"), CreditNoteDraft)
        # What a provider reads, looks for or cancels: plain values, never the row.
        for row in (export, credit):
            ref = row._tms_document_ref()
            self.assertShape(ref, DocumentRef)
            self.assertFalse(any(isinstance(value, models.BaseModel) for value in ref.values()))
        self.assertEqual(credit._tms_document_ref()["preceding_id"], "INV-1")

    def test_contacts_have_the_contract_shape(self):
        contact = self.backend._tms_contact_values(self.customer_single)
        self.assertShape(contact, ContactDraft)

    def test_the_drafts_period_ends_on_the_invoice_date_at_the_latest(self):
        move = self._draft_invoices(
            self.customer_collective,
            1,
            invoice_date=date(2026, 10, 7),
            delivery_date=date(2026, 10, 1),
            tms_period_start=date(2026, 10, 1),
            tms_period_end=date(2026, 10, 31),
        )
        export = self.env["tms.billing.export"]._tms_queue(move, self.backend)
        draft = move._tms_prepare_export_draft(export, "C-1")
        self.assertEqual(
            (draft["period_start"], draft["period_end"]), (date(2026, 10, 1), date(2026, 10, 7))
        )
