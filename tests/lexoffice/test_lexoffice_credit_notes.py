"""Credit notes of refunds: the mapper, the client and the fake's documented rules
(#credit-notes-endpoint of https://developers.lexware.io/docs/)."""

import pytest
from lexoffice_api import (
    MappingError,
    UnknownOutcomeError,
    ValidationError,
    build_credit_note_payload,
    build_invoice_payload,
    deeplink,
)


def _credit_draft(draft, marker="TMS-cn-1"):
    return dict(draft, kind="credit_note", marker=marker, preceding_id=None)


def _final_invoice(fake, client, draft):
    created = client.create_invoice(build_invoice_payload(draft))
    fake.set_invoice_status(created["id"], "open")
    return created["id"]


def _rejection_fields(caught):
    return {detail["field"]: detail["message"] for detail in caught.value.details}


def test_payload_has_no_shipping_payment_conditions_or_discounts(draft):
    payload = build_credit_note_payload(_credit_draft(draft), preceding_number="RE10001")
    assert "shippingConditions" not in payload
    assert "paymentConditions" not in payload
    items = payload["lineItems"]
    assert all("discountPercentage" not in item for item in items)
    # The 10 % discount of the second line is folded into its unit price.
    assert items[1]["unitPrice"]["netAmount"] == pytest.approx(225.45)
    # Positive amounts, as the vendor's own credit note samples.
    assert all(item["unitPrice"]["netAmount"] > 0 for item in items)
    assert payload["introduction"].startswith("Gutschrift zur Rechnung RE10001")
    assert payload["remark"].endswith("Unsere Referenz: TMS-cn-1")


def test_payload_refuses_what_lexoffice_would(draft):
    with pytest.raises(MappingError, match="at most 300"):
        build_credit_note_payload(dict(_credit_draft(draft), lines=draft["lines"] * 151))
    with pytest.raises(MappingError, match="EUR only"):
        build_credit_note_payload(dict(_credit_draft(draft), currency="USD"))
    negative = [dict(draft["lines"][0], unit_price=-10.0)]
    with pytest.raises(MappingError, match="positive"):
        build_credit_note_payload(dict(_credit_draft(draft), lines=negative))
    # The relevant date of a credit note's rates is its voucherDate: 16 % is valid in
    # the second half of 2020 only, whatever the invoice's delivery dates.
    sixteen = [dict(line, tax_rate=16.0) for line in draft["lines"]]
    with pytest.raises(MappingError, match="not 16"):
        build_credit_note_payload(dict(_credit_draft(draft), lines=sixteen))


def test_credit_note_of_a_final_invoice_is_created_as_linked_draft(fake, client, draft):
    invoice_id = _final_invoice(fake, client, draft)
    payload = build_credit_note_payload(_credit_draft(draft), preceding_number="RE1")
    created = client.create_credit_note(payload, invoice_id)
    credit_note = client.get_credit_note(created["id"])
    assert credit_note["voucherStatus"] == "draft"
    assert credit_note["relatedVouchers"] == [
        {
            "id": invoice_id,
            "voucherNumber": fake.invoices[invoice_id]["voucherNumber"],
            "voucherType": "invoice",
        }
    ]
    invoice = client.get_invoice(invoice_id)
    assert [v["id"] for v in invoice["relatedVouchers"]] == [created["id"]]
    assert ("POST", "/v1/credit-notes", 201) in fake.requests


def test_fake_refuses_a_draft_or_missing_invoice_with_406(fake, client, draft):
    draft_invoice = client.create_invoice(build_invoice_payload(draft))["id"]
    payload = build_credit_note_payload(_credit_draft(draft))
    for preceding in (draft_invoice, "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(ValidationError) as caught:
            client.create_credit_note(payload, preceding)
        assert caught.value.status == 406
        assert "precedingSalesVoucherId" in _rejection_fields(caught)
    assert fake.credit_notes == {}


def test_fake_allows_one_credit_note_per_invoice(fake, client, draft):
    invoice_id = _final_invoice(fake, client, draft)
    client.create_credit_note(build_credit_note_payload(_credit_draft(draft)), invoice_id)
    with pytest.raises(ValidationError) as caught:
        client.create_credit_note(
            build_credit_note_payload(_credit_draft(draft, "TMS-cn-2")), invoice_id
        )
    assert caught.value.status == 406
    assert len(fake.credit_notes) == 1


def test_fake_refuses_invoice_only_properties_and_limits(fake, client, draft):
    invoice_id = _final_invoice(fake, client, draft)
    payload = build_credit_note_payload(_credit_draft(draft))
    cases = {
        "shippingConditions": dict(payload, shippingConditions={"shippingType": "none"}),
        "paymentConditions": dict(payload, paymentConditions={"paymentTermDuration": 30}),
        "lineItems[0].discountPercentage": dict(
            payload, lineItems=[dict(payload["lineItems"][0], discountPercentage=5.0)]
        ),
        "lineItems": dict(payload, lineItems=payload["lineItems"][:1] * 301),
        "title": dict(payload, title="x" * 26),
        "voucherDate": {key: value for key, value in payload.items() if key != "voucherDate"},
    }
    for field, body in cases.items():
        with pytest.raises(ValidationError) as caught:
            client.create_credit_note(body, invoice_id)
        assert field in _rejection_fields(caught), field
    assert fake.credit_notes == {}


def test_credit_note_is_found_by_marker_after_a_lost_answer(fake, client, draft):
    invoice_id = _final_invoice(fake, client, draft)
    payload = build_credit_note_payload(_credit_draft(draft, "TMS-lost-1"))
    fake.inject("POST", "/v1/credit-notes", ["504_after"])
    with pytest.raises(UnknownOutcomeError):
        client.create_credit_note(payload, invoice_id)
    found = client.find_credit_note_by_marker("TMS-lost-1", invoice_id)
    assert found["id"] == next(iter(fake.credit_notes))
    assert client.find_credit_note_by_marker("TMS-other", invoice_id) is None


def test_look_up_reads_the_voucher_list_of_credit_notes(fake, client, draft):
    invoice_id = _final_invoice(fake, client, draft)
    created = client.create_credit_note(
        build_credit_note_payload(_credit_draft(draft, "TMS-list-1")), invoice_id
    )
    # Should lexoffice not list a draft among the invoice's related vouchers, the voucher
    # list of draft credit notes still finds it.
    fake.invoices[invoice_id]["relatedVouchers"] = []
    fake.voucherlist_queries.clear()
    found = client.find_credit_note_by_marker("TMS-list-1", invoice_id)
    assert found["id"] == created["id"]
    assert fake.voucherlist_queries[0]["voucherType"] == ["creditnote"]
    listing = client.list_vouchers(voucher_type="creditnote", voucher_status="draft")
    assert [v["voucherType"] for v in listing["content"]] == ["creditnote"]
    invoices = client.list_vouchers(voucher_type="invoice", voucher_status="any")
    assert {v["voucherType"] for v in invoices["content"]} == {"invoice"}


def test_deeplinks_of_credit_notes():
    assert deeplink(None, "credit-notes", "abc", edit=True).endswith(
        "/permalink/credit-notes/edit/abc"
    )
    assert deeplink("https://app.example/", "credit-notes", "abc") == (
        "https://app.example/permalink/credit-notes/view/abc"
    )
