from datetime import date

import pytest
from fake_sevdesk import COUNTRIES, FakeSevdesk
from sevdesk_api import SevdeskClient

# The StaticCountry ids of the fake.
COUNTRY_IDS = {code.upper(): int(country_id) for code, (country_id, _name) in COUNTRIES.items()}


@pytest.fixture
def fake():
    with FakeSevdesk(fault_delay=0.6) as server:
        yield server


@pytest.fixture
def client(fake):
    return SevdeskClient(
        "test-token", base_url=fake.base_url, backoff_factor=0.01, timeout=(2, 0.3)
    )


@pytest.fixture
def contact_id(client):
    return client.create_customer(
        {
            "is_company": True,
            "name": "Nordfracht GmbH",
            "street": "Am Kai 1",
            "zip": "20457",
            "city": "Hamburg",
            "country_code": "DE",
            "email": "buchhaltung@example.com",
        },
        client.get_country_ids(),
    )[0]["id"]


@pytest.fixture
def draft(contact_id):
    return {
        "marker": "TMS-sev-1",
        "reference": "S00001, S00002",
        "invoice_date": date(2026, 11, 2),
        "currency": "EUR",
        "tax_mode": "net",
        "period_start": date(2026, 10, 1),
        "period_end": date(2026, 10, 31),
        "delivery_date": date(2026, 10, 28),
        "title": "Sammelrechnung Oktober",
        "introduction": None,
        "remark": "Vielen Dank.",
        "payment_term": {"label": "14 Tage", "days": 14},
        "contact_id": contact_id,
        "address": {
            "name": "Nordfracht GmbH",
            "street": "Am Kai 1",
            "zip": "20457",
            "city": "Hamburg",
            "country_code": "DE",
        },
        "lines": [
            {
                "name": "S00001 Hamburg → Berlin",
                "description": "POD: https://pod.example.com/1",
                "quantity": 1.0,
                "unit_name": "Transport",
                "unit_price": 480.0,
                "tax_rate": 19.0,
                "discount": 0.0,
            },
            {
                "name": "S00002 Wartezeit",
                "description": None,
                "quantity": 2.0,
                "unit_name": "Std",
                "unit_price": 45.0,
                "tax_rate": 19.0,
                "discount": 0.0,
            },
        ],
    }


@pytest.fixture
def settings():
    return {
        "contact_person_id": "77",
        "unit_ids": {"default": 1, "Std": 9, "Transport": 1},
        "tax_rule": "1",
        "tax_text": "Umsatzsteuer",
        "country_ids": COUNTRY_IDS,
    }
