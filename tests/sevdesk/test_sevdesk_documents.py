"""Rendered documents and buyer references: getPdf of invoices (openapi.yaml
L5086-5139) and credit notes (L2769-2823), and the contact's buyerReference (L9339)."""

import base64

import pytest
from fake_sevdesk import PDF
from sevdesk_api import (
    NotFoundError,
    SevdeskError,
    build_contact_payload,
    build_save_invoice_payload,
    parse_invoice_status,
)


def _invoice(fake, client, draft, settings, status="200"):
    invoice = client.save_invoice(build_save_invoice_payload(draft, **settings))
    fake.set_invoice_status(invoice["id"], status)
    return str(invoice["id"])


def test_invoice_document_is_decoded_and_never_marks_the_invoice_sent(
    fake, client, draft, settings
):
    invoice_id = _invoice(fake, client, draft, settings)
    document = client.get_invoice_document(invoice_id)
    assert document["content"].startswith(b"%PDF-1.4")
    assert document["content"].rstrip().endswith(b"%%EOF")
    assert document["filename"].endswith(".pdf")
    assert fake.pdf_sent == set()
    assert fake.pdf_requests == [(invoice_id, {"download": "true", "preventSendBy": "true"})]


def test_credit_note_document_and_a_missing_one(fake, client, draft, settings):
    with pytest.raises(NotFoundError):
        client.get_credit_note_document("999999")
    fake.credit_notes["77"] = {"id": "77", "status": "200", "creditNoteNumber": "GU-1"}
    document = client.get_credit_note_document("77")
    assert document == {"content": PDF, "filename": "GU-1.pdf"}


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"filename": "x.pdf"}, "without its content"),
        ({"content": "%PDF", "base64encoded": False}, "without base64"),
        ({"content": "not base64!"}, "broken base64"),
        ({"content": base64.b64encode(b"%PDF" + b"0" * 200).decode()}, "larger than"),
    ],
)
def test_odd_pdf_answers_are_refused(client, monkeypatch, answer, message):
    monkeypatch.setattr(client, "_request", lambda *args, **kwargs: answer)
    with pytest.raises(SevdeskError, match=message):
        client.get_invoice_document("1", max_bytes=100)


def test_status_names_the_update_the_document_is_rendered_from(fake, client, draft, settings):
    invoice_id = _invoice(fake, client, draft, settings, status="100")
    first = parse_invoice_status(client.get_invoice(invoice_id))["document_version"]
    fake.set_invoice_status(invoice_id, "200")
    second = parse_invoice_status(client.get_invoice(invoice_id))["document_version"]
    assert second and second != first


def test_buyer_reference_goes_with_the_contact(fake, client):
    payload = build_contact_payload(
        {"is_company": True, "name": "Stadt Musterstadt", "buyer_reference": "991-1-23"}
    )
    created = client.create_contact(payload)
    assert fake.contacts[str(created["id"])]["buyerReference"] == "991-1-23"
    plain = build_contact_payload({"is_company": True, "name": "Nordfracht GmbH"})
    assert "buyerReference" not in plain
