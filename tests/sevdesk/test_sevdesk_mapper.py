from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sevdesk_api import (
    MappingError,
    build_contact_payload,
    build_save_invoice_payload,
    check_tax_rule,
)


def test_keys_come_in_the_required_order(draft, settings):
    payload = build_save_invoice_payload(draft, **settings)
    assert list(payload) == [
        "invoice",
        "invoicePosSave",
        "invoicePosDelete",
        "discountSave",
        "discountDelete",
        "takeDefaultAddress",
    ]


def test_invoice_fields(draft, settings):
    invoice = build_save_invoice_payload(draft, **settings)["invoice"]
    assert invoice["status"] == "100"
    assert invoice["invoiceType"] == "RE"
    assert invoice["invoiceDate"] == "02.11.2026"
    assert invoice["deliveryDate"] == "01.10.2026"
    until = datetime.fromtimestamp(invoice["deliveryDateUntil"], ZoneInfo("Europe/Berlin"))
    assert (until.date(), until.hour) == (date(2026, 10, 31), 12)
    assert invoice["taxRule"] == {"id": "1", "objectName": "TaxRule"}
    assert invoice["taxText"] == "Umsatzsteuer"
    assert "taxType" not in invoice
    assert invoice["contactPerson"] == {"id": 77, "objectName": "SevUser"}
    assert invoice["addressCountry"] == {"id": 1, "objectName": "StaticCountry"}
    assert invoice["customerInternalNote"] == "TMS-sev-1"
    assert invoice["timeToPay"] == 30
    assert invoice["showNet"] is True
    assert invoice["address"] == "Nordfracht GmbH\nAm Kai 1\n20457 Hamburg\nDeutschland"


def test_positions_units_and_numbers(draft, settings):
    positions = build_save_invoice_payload(draft, **settings)["invoicePosSave"]
    assert [p["positionNumber"] for p in positions] == [0, 1]
    assert [p["unity"]["id"] for p in positions] == [1, 9]
    assert positions[0]["price"] == 480.0
    assert positions[0]["text"] == draft["lines"][0]["description"]


def test_gross_mode_sends_gross_prices(draft, settings):
    # With showNet false "the price attribute will hold ... the gross value" (L156).
    draft["tax_mode"] = "gross"
    payload = build_save_invoice_payload(draft, **settings)
    assert payload["invoice"]["showNet"] is False
    assert [p["price"] for p in payload["invoicePosSave"]] == [480.0, 250.5]


def test_legacy_accounts_get_a_tax_type(draft, settings):
    invoice = build_save_invoice_payload(draft, bookkeeping_version="1.0", **settings)["invoice"]
    assert "taxRule" not in invoice
    assert invoice["taxType"] == "default"
    assert invoice["taxRate"] == 19.0


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        ({}, {"tax_rule": "11"}, "allows tax rates of 0 % only, not 19 %"),
        ({}, {"tax_rule": "99"}, "take no tax rule 99"),
        ({}, {"tax_rule": "18"}, "take no tax rule 18"),
        ({}, {"tax_text": ""}, "needs a tax text"),
        ({}, {"country_ids": {"AT": 2}}, "no country with the ISO code DE"),
        ({"address": {"name": "X"}}, {}, "has no country"),
        ({"period_end": date(2026, 11, 5)}, {}, "after its invoice date"),
        ({"contact_id": None}, {}, "not linked"),
        ({"lines": []}, {}, "at least one line"),
    ],
)
def test_bad_drafts_are_refused_before_sending(draft, settings, change, kwargs, message):
    draft.update(change)
    with pytest.raises(MappingError, match=message):
        build_save_invoice_payload(draft, **{**settings, **kwargs})


def test_contact_payloads():
    company = build_contact_payload({"is_company": True, "name": "Nordfracht", "vat": "DE1"})
    assert company == {
        "category": {"id": 3, "objectName": "Category"},
        "status": 1000,
        "name": "Nordfracht",
        "vatNumber": "DE1",
    }
    person = build_contact_payload({"is_company": False, "name": "Anna Schulz"})
    assert (person["surename"], person["familyname"]) == ("Anna", "Schulz")
    assert "name" not in person


def test_a_tax_free_transport_goes_out_with_rule_four(client, fake, draft, settings):
    """VAT by route: a transport of exported goods, tax-free under § 4 Nr. 3 UStG, is
    rule 4 "Steuerfreie Umsätze §4 UStG" at 0 % (openapi.yaml L4, "Tax Rules"), and the
    fake takes it as sevDesk does."""
    text = "Steuerfreie grenzüberschreitende Güterbeförderung (§ 4 Nr. 3 Buchst. a UStG)"
    draft["tax_situation"] = "export_import_exempt"
    draft["lines"] = [dict(line, tax_rate=0.0) for line in draft["lines"]]
    payload = build_save_invoice_payload(draft, **{**settings, "tax_rule": "4", "tax_text": text})
    assert payload["invoice"]["taxRule"] == {"id": "4", "objectName": "TaxRule"}
    saved = client.save_invoice(payload)
    [invoice] = fake.invoices_with_marker(draft["marker"])
    assert (invoice["taxRule"]["id"], invoice["taxText"]) == ("4", text)
    assert str(saved["id"]) == str(invoice["id"])
    # 19 % does not fit rule 4; and a bookkeeping 1.0 account has no tax type for it.
    with pytest.raises(MappingError, match="allows tax rates of 0 % only"):
        check_tax_rule("4", [19.0])
    with pytest.raises(MappingError, match=r"Tax rule 4 has no tax type on bookkeeping 1\.0"):
        build_save_invoice_payload(
            draft, bookkeeping_version="1.0", **{**settings, "tax_rule": "4", "tax_text": text}
        )
