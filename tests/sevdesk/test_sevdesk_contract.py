"""The sevDesk payloads against the facts of the vendor's OpenAPI file.

The facts (required properties, types, enums, the tax rule to rate table) are extracted
into ``addons/tms_billing_sevdesk/tests/sevdesk_openapi_facts.json``; nothing here reads
the network. The mapper runs over every tax situation, net and gross, single and
collective, one block per order and aggregated, with long and unicode texts.
"""

import itertools
from datetime import date

import pytest
from fake_sevdesk import COUNTRIES, FACTS, NOT_REQUIRED_IN, schema_violations
from sevdesk_api import (
    LEGACY_TAX_TYPES,
    TAX_RULE_RATES,
    MappingError,
    build_contact_address_payload,
    build_contact_payload,
    build_email_payload,
    build_save_invoice_payload,
    parse_invoice_status,
)

COUNTRY_IDS = {code.upper(): int(country_id) for code, (country_id, _name) in COUNTRIES.items()}
SCHEMAS = FACTS["schemas"]
# The connection defaults of tms_billing_sevdesk (DEFAULT_TAX_MAPPINGS): situation ->
# (tax rule, tax text, the rate Odoo's German chart gives such an invoice, country).
SITUATIONS = {
    "domestic": ("1", "Umsatzsteuer", 19.0, "DE"),
    "eu_private": ("1", "Umsatzsteuer", 19.0, "AT"),
    "eu_business": ("21", "Steuerschuldnerschaft des Leistungsempfängers", 0.0, "AT"),
    "third_country": ("17", "Nicht im Inland steuerbare Leistung", 0.0, "CH"),
    "small_business": ("11", "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.", 0.0, "DE"),
}
LONG = "Komplettladung Hamburg → Zürich, Kühlgut ❄ " * 60


def _draft(situation, tax_mode, single, aggregated, long_texts):
    _rule, _text, rate, country = SITUATIONS[situation]
    period = (date(2026, 10, 5), date(2026, 10, 5)) if single else (date(2026, 10, 1), None)
    orders = 1 if single else 3
    if aggregated:
        lines = [("Transport, Aufträge S001, S002, S003", float(orders), None)]
    else:
        lines = [(f"S00{n} Hamburg → Wien", 1.0, "Lieferschein ✓") for n in range(orders)]
    price = 100.0 * (1 + rate / 100) if tax_mode == "gross" else 100.0
    return {
        "marker": "TMS-0123456789abcdef",
        "customer_reference": "PO-Ä1" if single else None,
        "reference": "S001",
        "invoice_date": date(2026, 11, 2),
        "currency": "EUR",
        "tax_mode": tax_mode,
        "period_start": period[0],
        "period_end": period[1] or date(2026, 10, 31),
        "delivery_date": date(2026, 10, 5),
        "title": LONG if long_texts else "Sammelrechnung",
        "introduction": LONG if long_texts else None,
        "remark": LONG if long_texts else "Danke für Ihre Aufträge.",
        "payment_term": {"label": "14 Tage", "days": 14},
        "timezone": "Europe/Berlin",
        "contact_id": "1000",
        "address": {
            "name": "Große Spedition GmbH & Co. KG" + (LONG if long_texts else ""),
            "street": "Straße 1",
            "zip": "1010",
            "city": "Wien",
            "country_code": country,
            "country_name": "Österreich",
        },
        "lines": [
            {
                "name": (name + LONG) if long_texts else name,
                "description": description,
                "quantity": quantity,
                "unit_name": "Transport",
                "unit_code": "transport",
                "unit_price": price,
                "tax_rate": rate,
                "discount": 0.0,
            }
            for name, quantity, description in lines
        ],
    }


CASES = list(
    itertools.product(
        SITUATIONS, ("net", "gross"), (True, False), (False, True), (False, True), ("2.0", "1.0")
    )
)


@pytest.mark.parametrize(
    ("situation", "tax_mode", "single", "aggregated", "long_texts", "version"), CASES
)
def test_every_invoice_payload_keeps_the_documented_contract(
    situation, tax_mode, single, aggregated, long_texts, version
):
    rule, text, rate, country = SITUATIONS[situation]
    draft = _draft(situation, tax_mode, single, aggregated, long_texts)
    settings = {
        "contact_person_id": "77",
        "tax_rule": rule,
        "tax_text": text,
        "country_ids": COUNTRY_IDS,
        "bookkeeping_version": version,
    }
    if version == "1.0" and rule not in LEGACY_TAX_TYPES:
        # Bookkeeping 1.0 knows no such rule: refused before any call.
        with pytest.raises(MappingError, match=rf"Tax rule {rule} has no tax type on bookkeeping"):
            build_save_invoice_payload(draft, **settings)
        return
    payload = build_save_invoice_payload(draft, **settings)
    invoice, positions = payload["invoice"], payload["invoicePosSave"]
    assert not schema_violations(
        invoice,
        SCHEMAS["Model_Invoice"],
        skip_required=NOT_REQUIRED_IN[version],
        extra_enum={"taxType": ["ss"]},
    )
    for position in positions:
        assert not schema_violations(position, SCHEMAS["Model_InvoicePos"])
    assert set(payload) - {"invoicePosDelete", "takeDefaultAddress"} <= set(
        SCHEMAS["saveInvoice"]["properties"]
    )
    # The tax treatment, as the mapping says and the rule table allows.
    if version == "2.0":
        assert invoice["taxRule"] == {"id": rule, "objectName": "TaxRule"}
    else:
        assert invoice["taxType"] == LEGACY_TAX_TYPES[rule]
    assert invoice["taxText"] == text
    assert {p["taxRate"] for p in positions} <= set(FACTS["tax_rules"]["rates"][rule])
    # Prices: net with showNet, gross without (tag Invoice, L156).
    assert invoice["showNet"] is (tax_mode == "net")
    expected_price = 100.0 * (1 + rate / 100) if tax_mode == "gross" else 100.0
    assert {p["price"] for p in positions} == {round(expected_price, 4)}
    assert invoice["addressCountry"] == {"id": COUNTRY_IDS[country], "objectName": "StaticCountry"}
    # The marker survives whatever else the note holds; texts are sent whole, since the
    # file documents no maximum length.
    assert invoice["customerInternalNote"].endswith(draft["marker"])
    assert [p["name"] for p in positions] == [line["name"] for line in draft["lines"]]
    assert [p["positionNumber"] for p in positions] == list(range(len(positions)))
    assert len(positions) == (1 if single or aggregated else 3)


def test_rule_table_matches_the_specification():
    documented = {rule: set(rates) for rule, rates in FACTS["tax_rules"]["rates"].items()}
    assert TAX_RULE_RATES == documented
    assert set(TAX_RULE_RATES) | set(FACTS["tax_rules"]["rates_depend_on_country"]) == set(
        SCHEMAS["Model_Invoice"]["properties"]["taxRule"]["properties"]["id"]["enum"]
    )
    assert LEGACY_TAX_TYPES == FACTS["tax_rules"]["legacy_tax_type"]


@pytest.mark.parametrize(
    "contact",
    [
        {"is_company": True, "name": "Große Spedition GmbH", "vat": "ATU13585627"},
        {"is_company": False, "name": "Anna Maria Gruber"},
        {"is_company": False, "name": "Gruber", "customer_number": "1001"},
    ],
)
def test_contact_payloads_keep_the_documented_contract(contact):
    assert not schema_violations(build_contact_payload(contact), SCHEMAS["Model_Contact"])
    address = build_contact_address_payload(
        "1000",
        {"street": "Ring 1", "zip": "1010", "city": "Wien", "country_code": "at"},
        COUNTRY_IDS,
    )
    assert not schema_violations(address, SCHEMAS["Model_ContactAddress"])
    assert address["country"] == {"id": 2, "objectName": "StaticCountry"}
    email = build_email_payload("1000", "rechnung@example.at")
    assert not schema_violations(email, SCHEMAS["Model_CommunicationWay"])


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("100", "draft"),
        ("200", "open"),
        ("750", "partially_paid"),
        ("1000", "paid"),
        ("50", "unknown"),
        ("4711", "unknown"),
    ],
)
def test_statuses_as_documented(code, status):
    # 50 is a deactivated recurring invoice (L168), never one of our drafts.
    parsed = parse_invoice_status({"status": code, "invoiceNumber": "RE-1"})
    assert (parsed["status"], parsed["raw_status"]) == (status, code)
