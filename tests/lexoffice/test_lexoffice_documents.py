"""Rendered documents and XRechnung: the client's file downloads and the fake's rules
(#invoices-endpoint-download-an-invoice-file, #credit-notes-endpoint-download-a-credit-
note-file, #invoices-endpoint-xrechnung-details, #contacts-endpoint XRechnung Details of
https://developers.lexware.io/docs/)."""

import pytest
from lexoffice_api import (
    ConflictError,
    LexofficeError,
    MappingError,
    ValidationError,
    build_contact_payload,
    build_credit_note_payload,
    build_invoice_payload,
    contact_buyer_reference,
    parse_invoice_status,
    with_buyer_reference,
)

LEITWEG_ID = "04011000-1234512345-35"


def _open_invoice(fake, client, draft):
    created = client.create_invoice(build_invoice_payload(draft))
    fake.set_invoice_status(created["id"], "open")
    return created["id"]


def _xrechnung_contact(fake, client, vendor_number="70123456"):
    payload = build_contact_payload({"is_company": True, "name": "Stadt Musterstadt"})
    payload["xRechnung"] = {"buyerReference": LEITWEG_ID}
    if vendor_number:
        payload["xRechnung"]["vendorNumberAtCustomer"] = vendor_number
    return client.create_contact(payload)["id"]


def test_invoice_file_is_the_pdf_asked_for_with_the_pdf_accept_header(fake, client, draft):
    invoice_id = _open_invoice(fake, client, draft)
    content = client.get_invoice_file(invoice_id)
    assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
    assert fake.file_accepts == ["application/pdf"]


def test_draft_invoice_file_is_a_409_conflict(fake, client, draft):
    created = client.create_invoice(build_invoice_payload(draft))
    with pytest.raises(ConflictError) as caught:
        client.get_invoice_file(created["id"])
    assert caught.value.status == 409


def test_fake_refuses_an_undocumented_accept_header(fake, client, draft):
    invoice_id = _open_invoice(fake, client, draft)
    response = client.session.get(
        f"{fake.base_url}/v1/invoices/{invoice_id}/file",
        headers={"Authorization": "Bearer test-key", "Accept": "image/png"},
    )
    assert response.status_code == 406
    xml = client.session.get(
        f"{fake.base_url}/v1/invoices/{invoice_id}/file",
        headers={"Authorization": "Bearer test-key", "Accept": "application/xml"},
    )
    assert xml.status_code == 404  # no XRechnung, no XML


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read_whole(fake, client, draft):
    invoice_id = _open_invoice(fake, client, draft)
    with pytest.raises(LexofficeError, match="more than the 100"):
        client.get_invoice_file(invoice_id, max_bytes=100)


def test_credit_note_file_follows_the_same_rules(fake, client, draft):
    invoice_id = _open_invoice(fake, client, draft)
    credit = dict(draft, kind="credit_note", marker="TMS-cn-doc", preceding_id=invoice_id)
    created = client.create_credit_note(
        build_credit_note_payload(credit, preceding_number="RE1"), invoice_id
    )
    with pytest.raises(ConflictError):
        client.get_credit_note_file(created["id"])
    fake.set_credit_note_status(created["id"], "open")
    assert client.get_credit_note_file(created["id"]).startswith(b"%PDF")


def test_status_names_the_revision_the_document_is_rendered_from(fake, client, draft):
    created = client.create_invoice(build_invoice_payload(draft))
    before = parse_invoice_status(client.get_invoice(created["id"]))["document_version"]
    fake.set_invoice_status(created["id"], "open")
    after = parse_invoice_status(client.get_invoice(created["id"]))["document_version"]
    assert (before, after) == ("1", "2")


def test_contact_with_a_leitweg_id_needs_the_vendor_number(fake, client):
    with pytest.raises(ValidationError) as caught:
        _xrechnung_contact(fake, client, vendor_number=None)
    assert caught.value.status == 406
    contact_id = _xrechnung_contact(fake, client)
    assert contact_buyer_reference(client.get_contact(contact_id)) == LEITWEG_ID


def test_invoice_buyer_reference_reaches_an_xrechnung_contact(fake, client, draft):
    contact_id = _xrechnung_contact(fake, client)
    payload = with_buyer_reference(
        build_invoice_payload(dict(draft, contact_id=contact_id)), " 991-12345-67 "
    )
    created = client.create_invoice(payload)
    assert fake.invoices[created["id"]]["xRechnung"] == {"buyerReference": "991-12345-67"}


def test_fake_refuses_a_buyer_reference_for_an_ordinary_contact(fake, client, draft):
    contact_id = client.create_contact(
        build_contact_payload({"is_company": True, "name": "Nordfracht GmbH"})
    )["id"]
    payload = with_buyer_reference(
        build_invoice_payload(dict(draft, contact_id=contact_id)), LEITWEG_ID
    )
    with pytest.raises(ValidationError) as caught:
        client.create_invoice(payload)
    assert caught.value.status == 406
    assert [d["field"] for d in caught.value.details] == ["xRechnung.buyerReference"]
    assert fake.invoices == {}


def test_buyer_reference_needs_a_contact_and_a_value(draft):
    with pytest.raises(MappingError):
        with_buyer_reference(build_invoice_payload(draft), LEITWEG_ID)
    with pytest.raises(MappingError):
        with_buyer_reference(build_invoice_payload(dict(draft, contact_id="c-1")), "  ")
