import re
from datetime import UTC, date, datetime

import pytest
from lexoffice_api import (
    MappingError,
    build_contact_payload,
    build_invoice_payload,
    escape_search_name,
    format_timestamp,
    xrechnung_net_draft,
)

FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 6, 2), "2025-06-02T00:00:00.000+02:00"),  # summer time
        (date(2025, 12, 2), "2025-12-02T00:00:00.000+01:00"),  # winter time
        (date(2026, 3, 29), "2026-03-29T00:00:00.000+01:00"),  # DST starts that night
        (date(2026, 10, 25), "2026-10-25T00:00:00.000+02:00"),  # DST ends that night
        (datetime(2026, 1, 1, 12, 30, 5, 123456, tzinfo=UTC), "2026-01-01T12:30:05.123Z"),
    ],
)
def test_timestamps_have_the_exact_format(value, expected):
    assert format_timestamp(value) == expected
    assert FORMAT.match(format_timestamp(value))


def test_invoice_payload_net_with_service_period(draft):
    payload = build_invoice_payload(draft)
    assert payload["voucherDate"] == "2026-11-02T00:00:00.000+01:00"
    assert payload["taxConditions"] == {"taxType": "net"}
    assert payload["shippingConditions"] == {
        "shippingType": "serviceperiod",
        "shippingDate": "2026-10-01T00:00:00.000+02:00",
        "shippingEndDate": "2026-10-31T00:00:00.000+01:00",
    }
    assert payload["address"]["countryCode"] == "DE"
    first, second = payload["lineItems"]
    assert first["type"] == "custom"
    assert first["unitName"] == "Transport"
    assert first["unitPrice"] == {"currency": "EUR", "netAmount": 480.0, "taxRatePercentage": 19.0}
    assert "POD" in first["description"]
    assert "discountPercentage" not in first
    assert second["discountPercentage"] == 10.0
    assert "description" not in second
    assert payload["paymentConditions"] == {
        "paymentTermLabel": "30 Tage netto",
        "paymentTermDuration": 30,
    }
    # Worded for the customer who reads it, and found again by its end.
    assert payload["remark"].endswith("\nUnsere Referenz: TMS-abc-1")
    assert payload["totalPrice"] == {"currency": "EUR"}


def test_gross_mode_uses_gross_amounts(draft):
    draft["tax_mode"] = "gross"
    payload = build_invoice_payload(draft)
    assert payload["taxConditions"] == {"taxType": "gross"}
    assert all("grossAmount" in item["unitPrice"] for item in payload["lineItems"])
    assert not any("netAmount" in item["unitPrice"] for item in payload["lineItems"])


@pytest.mark.parametrize(
    ("start", "end", "delivery", "expected"),
    [
        (date(2026, 10, 5), date(2026, 10, 5), date(2026, 10, 5), "service"),
        (None, None, date(2026, 10, 5), "service"),
        (None, None, None, "none"),
    ],
)
def test_shipping_types(draft, start, end, delivery, expected):
    draft.update(period_start=start, period_end=end, delivery_date=delivery)
    conditions = build_invoice_payload(draft)["shippingConditions"]
    assert conditions["shippingType"] == expected
    assert ("shippingDate" in conditions) == (expected != "none")


def test_linked_contact_keeps_the_odoo_invoice_address(draft):
    draft["contact_id"] = "c-1"
    draft["address"]["supplement"] = "Buchhaltung"
    assert build_invoice_payload(draft)["address"] == {
        "contactId": "c-1",
        "name": "Nordfracht GmbH",
        "supplement": "Buchhaltung",
        "street": "Am Kai 1",
        "zip": "20457",
        "city": "Hamburg",
        "countryCode": "DE",
    }
    draft["address"] = {}
    assert build_invoice_payload(draft)["address"] == {"contactId": "c-1"}


def test_lengths_are_kept_and_the_marker_survives(draft):
    draft["title"] = "Sammelrechnung Oktober 2026 für Nordfracht"
    draft["remark"] = "x" * 5000
    draft["lines"][0]["name"] = "n" * 400
    draft["lines"][0]["description"] = "d" * 3000
    payload = build_invoice_payload(draft)
    assert len(payload["title"]) == 25
    assert len(payload["remark"]) <= 2000
    assert payload["remark"].endswith("Unsere Referenz: TMS-abc-1")
    assert len(payload["lineItems"][0]["name"]) == 255
    assert len(payload["lineItems"][0]["description"]) == 2000


def test_amounts_are_rounded_to_four_decimals(draft):
    draft["lines"][0]["unit_price"] = 1 / 3
    draft["lines"][0]["quantity"] = 2 / 3
    item = build_invoice_payload(draft)["lineItems"][0]
    assert item["unitPrice"]["netAmount"] == 0.3333
    assert item["quantity"] == 0.6667


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"currency": "CHF"}, "EUR"),
        ({"lines": []}, "at least one line"),
        ({"tax_type": "vatfree"}, "allows tax rates of 0 % only, not 19 %"),
        ({"tax_type": "bogus"}, "Unknown tax type"),
        ({"tax_type": "externalService13b"}, "needs a linked lexoffice contact"),
        ({"period_start": date(2026, 10, 31), "period_end": date(2026, 10, 1)}, "ends before"),
        ({"address": {"name": "", "country_code": "DE"}}, "name and a country"),
    ],
)
def test_bad_drafts_are_refused_before_sending(draft, change, message):
    tax_type = change.pop("tax_type", "taxable")
    draft.update(change)
    with pytest.raises(MappingError, match=message):
        build_invoice_payload(draft, tax_type=tax_type)


def test_too_many_lines(draft):
    draft["lines"] = draft["lines"][:1] * 301
    with pytest.raises(MappingError, match="300"):
        build_invoice_payload(draft)


def test_company_and_person_contacts():
    company = build_contact_payload(
        {
            "is_company": True,
            "name": "Nordfracht GmbH",
            "vat": "DE123456789",
            "country_code": "DE",
            "street": "Am Kai 1",
            "zip": "20457",
            "city": "Hamburg",
            "email": "a@example.com",
            "phone": "+49 40 1",
        }
    )
    assert company["version"] == 0
    assert company["roles"] == {"customer": {}}
    assert company["company"] == {"name": "Nordfracht GmbH", "vatRegistrationId": "DE123456789"}
    assert company["addresses"]["billing"] == [
        {"countryCode": "DE", "street": "Am Kai 1", "zip": "20457", "city": "Hamburg"}
    ]
    assert company["emailAddresses"] == {"business": ["a@example.com"]}
    person = build_contact_payload({"is_company": False, "name": "Anna Maria Schulz"})
    assert person["person"] == {"firstName": "Anna Maria", "lastName": "Schulz"}
    assert "addresses" not in person
    with pytest.raises(MappingError):
        build_contact_payload({"is_company": True, "name": ""})


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("Müller & Söhne", "Müller &amp; Söhne"),
        ("50%_Logistik", "50\\%\\_Logistik"),
        ("<Fracht>", "&lt;Fracht&gt;"),
    ],
)
def test_search_escaping(name, escaped):
    assert escape_search_name(name) == escaped


def _gross(invoice_draft, lines, totals):
    return dict(
        invoice_draft,
        tax_mode="gross",
        lines=[
            dict(invoice_draft["lines"][0], quantity=quantity, unit_price=price, discount=0.0)
            for quantity, price in lines
        ],
        totals=dict(zip(("net", "tax", "gross"), totals, strict=True)),
    )


def test_a_gross_xrechnung_becomes_net_when_the_totals_stay_the_same(invoice_draft):
    """lexoffice's FAQ "XRechnung": an XRechnung invoice has the tax type net."""
    gross = _gross(invoice_draft, [(1.0, 119.0), (2.0, 59.5)], (200.0, 38.0, 238.0))
    net = xrechnung_net_draft(gross)
    assert net["tax_mode"] == "net"
    assert [line["unit_price"] for line in net["lines"]] == [100.0, 50.0]
    payload = build_invoice_payload(net)
    assert payload["taxConditions"] == {"taxType": "net"}
    assert [item["unitPrice"]["netAmount"] for item in payload["lineItems"]] == [100.0, 50.0]


def test_a_gross_xrechnung_whose_net_prices_miss_a_cent_stays_gross(invoice_draft):
    # 3 x 33.33 gross: 99.99 with 15.96 VAT; net 3 x 28.0084 = 84.03 with 15.97 VAT.
    assert xrechnung_net_draft(_gross(invoice_draft, [(3.0, 33.33)], (84.03, 15.96, 99.99))) is None
