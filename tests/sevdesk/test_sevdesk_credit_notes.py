"""Credit notes and cancellations: the mapper, the client and the fake's rules from the
vendor's OpenAPI file (saveCreditNote L2341-2400, L4 "sevdesk-Update 2.0 > Credit
Notes", cancelInvoice L4912-4940)."""

import json
from datetime import date

import pytest
from sevdesk_api import (
    MappingError,
    NotFoundError,
    SevdeskError,
    UnknownOutcomeError,
    ValidationError,
    build_save_credit_note_payload,
    build_save_invoice_payload,
    parse_credit_note_status,
)


def _payload(draft, settings, preceding_id, marker="TMS-cn-1", number="GU-1001", **changes):
    return build_save_credit_note_payload(
        dict(draft, kind="credit_note", marker=marker, **changes),
        contact_person_id=settings["contact_person_id"],
        tax_rule=settings["tax_rule"],
        tax_text=settings["tax_text"],
        country_ids=settings["country_ids"],
        preceding_id=preceding_id,
        preceding_number="RE-1001",
        credit_note_number=number,
        unit_ids=settings["unit_ids"],
    )


def _invoice(fake, client, draft, settings, status="200"):
    invoice = client.save_invoice(
        build_save_invoice_payload(
            draft,
            contact_person_id=settings["contact_person_id"],
            tax_rule=settings["tax_rule"],
            tax_text=settings["tax_text"],
            country_ids=settings["country_ids"],
            unit_ids=settings["unit_ids"],
        )
    )
    fake.set_invoice_status(invoice["id"], status)
    return invoice["id"]


def _raw_post(fake, client, path, body):
    """A body sent as written, keys in the given order."""
    response = client.session.post(
        f"{fake.base_url}{path}",
        data=json.dumps(body),
        headers={"Authorization": "test-token", "Content-Type": "application/json"},
    )
    return response.status_code, response.json()


def test_payload_refers_to_the_invoice_with_its_delivery_dates(draft, settings):
    payload = _payload(draft, settings, "1234")
    assert list(payload) == [
        "creditNote",
        "creditNotePosSave",
        "creditNotePosDelete",
        "discountSave",
        "discountDelete",
        "takeDefaultAddress",
        "forCashRegister",
    ]
    credit_note = payload["creditNote"]
    assert credit_note["bookingCategory"] == "UNDERACHIEVEMENT"
    assert credit_note["refSrcInvoice"] == 1234
    assert credit_note["status"] == "100"
    assert credit_note["customerInternalNote"] == "TMS-cn-1"
    assert credit_note["header"] == "Gutschrift zu Rechnung RE-1001"
    # Model_creditNote.required lists creditNoteNumber (L10811).
    assert credit_note["creditNoteNumber"] == "GU-1001"
    assert credit_note["deliveryDate"] == "01.10.2026"
    assert isinstance(credit_note["deliveryDateUntil"], int)
    assert [p["objectName"] for p in payload["creditNotePosSave"]] == ["CreditNotePos"] * 2
    assert all(p["price"] > 0 for p in payload["creditNotePosSave"])


def test_payload_refuses_what_cannot_be_a_credit_note(draft, settings):
    with pytest.raises(MappingError, match="invoice's sevDesk id"):
        _payload(draft, settings, None)
    negative = [dict(draft["lines"][0], unit_price=-5.0)]
    with pytest.raises(MappingError, match="positive"):
        _payload(draft, settings, "1234", lines=negative)
    with pytest.raises(MappingError, match="not a number"):
        _payload(draft, settings, "abc")
    for number in (None, "", "  "):
        with pytest.raises(MappingError, match="creditNoteNumber"):
            _payload(draft, settings, "1234", number=number)


def test_credit_note_of_an_open_invoice_is_saved_as_draft(fake, client, draft, settings):
    invoice_id = _invoice(fake, client, draft, settings)
    created = client.save_credit_note(_payload(draft, settings, invoice_id))
    credit_note = client.get_credit_note(created["id"])
    assert parse_credit_note_status(credit_note)["status"] == "draft"
    assert credit_note["refSrcInvoice"] == str(invoice_id)
    assert float(credit_note["sumNet"]) == pytest.approx(480 + 2 * 250.5 * 0.9)
    assert (
        client.find_credit_note_by_marker("TMS-cn-1", draft["contact_id"])["id"] == (created["id"])
    )
    assert client.find_credit_note_by_marker("TMS-other") is None


def test_fake_refuses_what_the_file_documents(fake, client, draft, settings):
    invoice_id = _invoice(fake, client, draft, settings)
    payload = _payload(draft, settings, invoice_id)
    credit_note = payload["creditNote"]
    cases = [
        # The last five keys, all of them, in their order (L2346-2378).
        ({k: v for k, v in payload.items() if k != "forCashRegister"}, "expects the keys"),
        # UNDERACHIEVEMENT needs refSrcInvoice (L117).
        (
            dict(
                payload, creditNote={k: v for k, v in credit_note.items() if k != "refSrcInvoice"}
            ),
            "refSrcInvoice",
        ),
        # "ACCOUNTING_TYPE is currently not supported" (L11071-11090).
        (
            dict(payload, creditNote=dict(credit_note, bookingCategory="ACCOUNTING_TYPE")),
            "not supported",
        ),
        # Created as drafts only (L4, "Saving a credit note").
        (dict(payload, creditNote=dict(credit_note, status="200")), "drafts"),
        # The invoice's date of delivery must be kept (L4, Credit Notes).
        (
            dict(
                payload,
                creditNote={k: v for k, v in credit_note.items() if k != "deliveryDateUntil"},
            ),
            "needs one",
        ),
        (
            dict(
                payload,
                creditNote=dict(
                    credit_note, deliveryDateUntil=credit_note["deliveryDateUntil"] - 86400 * 5
                ),
            ),
            "before the invoice",
        ),
        # creditNoteNumber is required (Model_creditNote, L10811); empty is refused too.
        (
            dict(
                payload,
                creditNote={k: v for k, v in credit_note.items() if k != "creditNoteNumber"},
            ),
            "creditNote.creditNoteNumber is required",
        ),
        (
            dict(payload, creditNote=dict(credit_note, creditNoteNumber="")),
            "creditNoteNumber must not be empty",
        ),
        # Positions are CreditNotePos with the rule's rates (L4, Tax Rules).
        (
            dict(payload, creditNotePosSave=[dict(payload["creditNotePosSave"][0], taxRate=16.0)]),
            "Tax rate",
        ),
    ]
    for body, message in cases:
        status, answer = _raw_post(fake, client, "/CreditNote/Factory/saveCreditNote", body)
        assert status in (400, 422), message
        assert message in answer["error"]["message"], (message, answer)
    assert fake.credit_notes == {}


def test_fake_refuses_credit_notes_of_advance_invoices(fake, client, draft, settings):
    invoice_id = _invoice(fake, client, draft, settings)
    fake.invoices[str(invoice_id)]["invoiceType"] = "AR"
    with pytest.raises(ValidationError, match="advance"):
        client.save_credit_note(_payload(draft, settings, invoice_id))


def test_lost_answer_leaves_a_credit_note_found_by_its_marker(fake, client, draft, settings):
    invoice_id = _invoice(fake, client, draft, settings)
    fake.inject("POST", "/CreditNote/Factory/saveCreditNote", ["504_after"])
    with pytest.raises(UnknownOutcomeError):
        client.save_credit_note(_payload(draft, settings, invoice_id, marker="TMS-lost"))
    assert client.find_credit_note_by_marker("TMS-lost", draft["contact_id"])
    assert len(fake.credit_notes) == 1


def test_missing_credit_note_answers_400_read_as_not_found(client):
    with pytest.raises(NotFoundError):
        client.get_credit_note("999999")


def test_cancel_invoice_makes_a_paid_cancellation_invoice(fake, client, draft, settings):
    invoice_id = _invoice(fake, client, draft, settings)
    cancellation = client.cancel_invoice(invoice_id)
    assert cancellation["invoiceType"] == "SR"
    assert cancellation["status"] == "1000"
    assert client.get_invoice(invoice_id)["status"] == "cancelled"
    # A lost answer is an unknown outcome: never repeated blindly.
    other = _invoice(fake, client, dict(draft, invoice_date=date(2026, 11, 3)), settings)
    fake.inject("POST", f"/Invoice/{other}/cancelInvoice", ["504_after"])
    with pytest.raises(UnknownOutcomeError):
        client.cancel_invoice(other)
    assert [call for call in fake.requests if call[1].endswith(f"{other}/cancelInvoice")] == [
        ("POST", f"/api/v1/Invoice/{other}/cancelInvoice", 504)
    ]


def test_the_next_credit_note_number_comes_from_the_account_sequence(fake, client, draft, settings):
    """GET /SevSequence/Factory/getByType?objectType=CreditNote&type=CN (L119)."""
    invoice_id = _invoice(fake, client, draft, settings)
    number = client.get_next_credit_note_number()
    assert number == "GU-1001"
    assert ("GET", "/api/v1/SevSequence/Factory/getByType", 200) in fake.requests
    created = client.save_credit_note(_payload(draft, settings, invoice_id, number=number))
    assert client.get_credit_note(created["id"])["creditNoteNumber"] == "GU-1001"
    assert client.get_next_credit_note_number() == "GU-1002"


@pytest.mark.parametrize(
    ("number_format", "message"),
    [("GU-%YYYY-%NUMBER", "other than %NUMBER"), ("GU-", "no single %NUMBER")],
)
def test_a_number_format_the_file_does_not_explain_is_refused(fake, client, number_format, message):
    fake.sequences[("CreditNote", "CN")][0] = number_format
    with pytest.raises(SevdeskError, match=message):
        client.get_next_credit_note_number()
