"""The lexoffice payloads against the documented invoice and contact rules.

The rules are extracted, each with its section, into
``addons/tms_billing_lexoffice/tests/lexoffice_documented_rules.json``; the fake's
validators apply them. The mapper runs over every tax situation, net and gross, single
and collective, one block per order and aggregated, with long and unicode texts.
"""

import itertools
from datetime import date

import pytest
from fake_lexoffice import RULES, contact_violations, invoice_violations
from lexoffice_api import (
    ValidationError,
    build_contact_payload,
    build_invoice_payload,
    has_marker,
)
from lexoffice_api.const import EU_VAT_PREFIXES

# The connection defaults of tms_billing_lexoffice (DEFAULT_TAX_MAPPINGS): situation ->
# (tax type, the rate Odoo's German chart gives such an invoice, country, linked).
SITUATIONS = {
    "domestic": ("taxable", 19.0, "DE"),
    "eu_private": ("taxable", 19.0, "AT"),
    "eu_business": ("externalService13b", 0.0, "AT"),
    "third_country": ("thirdPartyCountryService", 0.0, "CH"),
    "small_business": ("vatfree", 0.0, "DE"),
}
LIMITS = RULES["text_limits"]
LONG = "Teilladung München → Zürich, Gefahrgut ☢ Übergröße " * 60


def _draft(situation, tax_mode, single, aggregated, long_texts):
    _type, rate, country = SITUATIONS[situation]
    orders = 1 if single else 3
    if aggregated:
        lines = [("Transport, Aufträge S001, S002, S003", float(orders))]
    else:
        lines = [(f"S00{n} München → Wien", 1.0) for n in range(orders)]
    return {
        "marker": "TMS-0123456789abcdef",
        "language": "de",
        "invoice_date": date(2026, 11, 2),
        "currency": "EUR",
        "tax_mode": tax_mode,
        "period_start": date(2026, 10, 5) if single else date(2026, 10, 1),
        "period_end": date(2026, 10, 5) if single else date(2026, 10, 31),
        "delivery_date": date(2026, 10, 5),
        "title": LONG if long_texts else "Sammelrechnung",
        "introduction": LONG if long_texts else "Aufträge S001",
        "remark": LONG if long_texts else None,
        "payment_term": {"label": "14 Tage netto" + (LONG if long_texts else ""), "days": 14},
        "timezone": "Europe/Berlin",
        "contact_id": "2f0c1b9e-0000-4000-8000-000000000001",
        "address": {
            "name": "Große Spedition GmbH & Co. KG" + (LONG if long_texts else ""),
            "supplement": "Buchhaltung",
            "street": "Ringstraße 1",
            "zip": "1010",
            "city": "Wien",
            "country_code": country,
        },
        "lines": [
            {
                "name": (name + LONG) if long_texts else name,
                "description": LONG if long_texts else "Lieferschein ✓",
                "quantity": quantity,
                "unit_name": "Transport",
                "unit_code": "transport",
                "unit_price": 100.0 * (1 + rate / 100) if tax_mode == "gross" else 100.0,
                "tax_rate": rate,
                "discount": 0.0,
            }
            for name, quantity in lines
        ],
    }


@pytest.mark.parametrize(
    ("situation", "tax_mode", "single", "aggregated", "long_texts"),
    list(
        itertools.product(SITUATIONS, ("net", "gross"), (True, False), (False, True), (False, True))
    ),
)
def test_every_invoice_payload_keeps_the_documented_rules(
    situation, tax_mode, single, aggregated, long_texts
):
    tax_type, rate, country = SITUATIONS[situation]
    draft = _draft(situation, tax_mode, single, aggregated, long_texts)
    payload = build_invoice_payload(draft, tax_type=tax_type)
    assert not invoice_violations(payload)
    assert set(RULES["invoice"]["required"]) <= set(payload)
    sent_type = payload["taxConditions"]["taxType"]
    assert sent_type in RULES["tax_types"]["values"]
    expected_type = tax_mode if tax_type == "taxable" else tax_type
    assert sent_type == expected_type
    price_key = "grossAmount" if sent_type == "gross" else "netAmount"
    for item in payload["lineItems"]:
        assert item["unitPrice"]["taxRatePercentage"] == rate
        assert set(item["unitPrice"]) == {"currency", price_key, "taxRatePercentage"}
        assert len(item["name"]) <= LIMITS["lineItemName"]
        assert len(item.get("description", "")) <= LIMITS["lineItemDescription"]
    assert len(payload["lineItems"]) == (1 if single or aggregated else 3)
    # The Odoo invoice address goes with the contact, with every required field.
    address = payload["address"]
    assert address["contactId"] == draft["contact_id"]
    assert (address["countryCode"], address["city"]) == (country, "Wien")
    for key in ("title", "introduction", "remark"):
        assert len(payload.get(key) or "") <= LIMITS[key]
    # The marker ends the remark, worded for the reader, whatever was cut before it.
    assert payload["remark"].splitlines()[-1] == "Unsere Referenz: TMS-0123456789abcdef"
    assert has_marker(payload["remark"], draft["marker"])
    assert payload["shippingConditions"]["shippingType"] == (
        "service" if single else "serviceperiod"
    )


@pytest.mark.parametrize(
    "contact",
    [
        {
            "is_company": True,
            "name": "Wiener Transporte GmbH",
            "vat": "ATU13585627",
            "allow_tax_free": True,
            "country_code": "AT",
            "street": "Ring 1",
            "zip": "1010",
            "city": "Wien",
            "email": "a@example.at",
            "phone": "+43 1 1",
        },
        {"is_company": False, "name": "Anna Maria Gruber", "country_code": "AT"},
        {"is_company": True, "name": "Ü" * 300},
    ],
)
def test_contact_payloads_keep_the_documented_rules(contact):
    payload = build_contact_payload(contact)
    assert not contact_violations(payload)
    if contact.get("allow_tax_free"):
        assert payload["company"]["allowTaxFreeInvoices"] is True
        assert payload["company"]["vatRegistrationId"] == "ATU13585627"


def test_old_lookup_and_remark_shapes_are_recognised_or_refused():
    # The remark's old last line ("Ref. <marker>") still marks an invoice pushed before.
    assert has_marker("Danke.\nRef. TMS-0123456789abcdef", "TMS-0123456789abcdef")
    assert not has_marker("Ref. TMS-0123456789abcdef\nDanke.", "TMS-0123456789abcdef")


@pytest.mark.parametrize(
    ("vat", "sent"),
    [
        ("ATU13585627", True),
        ("DE123456788", True),
        ("EL094259216", True),
        ("CHE-123.456.788MWST", False),  # Switzerland
        ("NO923609016MVA", False),  # Norway
        ("GB123456789", False),  # the United Kingdom
        ("123456789", False),  # no prefix: no member state's
    ],
)
def test_only_an_eu_vat_id_goes_to_the_contact(client, fake, vat, sent):
    """The VAT ID field is for contacts inside the EU and is checked (help centre, "Wie
    erstelle ich besondere Rechnungen?"): one from outside is left out, and put nowhere
    else; the fake refuses it as lexoffice would."""
    contact = {"is_company": True, "name": "Zürcher Spedition AG", "vat": vat}
    payload = build_contact_payload(dict(contact, country_code="CH", marker="TMS-c-1"))
    assert ("vatRegistrationId" in payload["company"]) is sent
    if not sent:
        assert vat not in str(payload)
    assert not contact_violations(payload)
    created = client.create_contact(payload)
    assert fake.contacts[created["id"]]["company"].get("vatRegistrationId") == (
        vat if sent else None
    )
    forced = dict(payload, company=dict(payload["company"], vatRegistrationId=vat))
    if sent:
        assert not contact_violations(forced)
    else:
        with pytest.raises(ValidationError) as caught:
            client.create_contact(forced)
        assert caught.value.status == 406
        assert caught.value.details == [
            {"field": "company.vatRegistrationId", "message": "invalid_value"}
        ]


def test_the_mapper_and_the_fake_know_the_same_member_states():
    assert set(EU_VAT_PREFIXES) == set(RULES["contact"]["vat_registration_id_prefixes"])
    assert len(EU_VAT_PREFIXES) == 27
