from datetime import date

import pytest
from fake_lexoffice import FakeLexoffice
from lexoffice_api import LexofficeClient


@pytest.fixture
def fake():
    # Most tests are about behaviour, not pacing: a generous rate limit keeps them fast.
    with FakeLexoffice(rate_limit=1000.0, fault_delay=0.6) as server:
        yield server


@pytest.fixture
def client(fake):
    return LexofficeClient(
        "test-key", base_url=fake.base_url, rate_limit=0, backoff_factor=0.01, timeout=(2, 0.3)
    )


@pytest.fixture
def draft():
    return {
        "kind": "invoice",
        "marker": "TMS-abc-1",
        "language": "de",
        "tax_situation": "domestic",
        "fiscal_position": None,
        "reference": "S00001, S00002",
        "customer_reference": None,
        "invoice_date": date(2026, 11, 2),
        "currency": "EUR",
        "tax_mode": "net",
        "period_start": date(2026, 10, 1),
        "period_end": date(2026, 10, 31),
        "delivery_date": date(2026, 10, 28),
        "title": "Sammelrechnung",
        "introduction": "Transporte Oktober",
        "remark": "Vielen Dank für Ihre Aufträge.",
        "payment_term": {"label": "30 Tage netto", "days": 30},
        "timezone": "Europe/Berlin",
        "contact_id": None,
        "address": {
            "name": "Nordfracht GmbH",
            "supplement": None,
            "street": "Am Kai 1",
            "zip": "20457",
            "city": "Hamburg",
            "country_code": "DE",
            "country_name": "Deutschland",
        },
        "lines": [
            {
                "name": "S00001 Hamburg → Berlin",
                "description": "zugestellt 03.10.2026\nPOD: https://pod.example.com/1",
                "quantity": 1.0,
                "unit_name": "Transport",
                "unit_price": 480.0,
                "tax_rate": 19.0,
                "discount": 0.0,
            },
            {
                "name": "S00002 Bremen → Leipzig",
                "description": None,
                "quantity": 2.0,
                "unit_name": "Transport",
                "unit_price": 250.5,
                "tax_rate": 19.0,
                "discount": 10.0,
            },
        ],
    }
