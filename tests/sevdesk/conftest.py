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
def draft(invoice_draft, contact_id):
    """The shared draft for a linked contact, its second line in hours."""
    first, second = invoice_draft["lines"]
    return dict(
        invoice_draft,
        marker="TMS-sev-1",
        contact_id=contact_id,
        lines=[first, dict(second, unit_name="Std")],
    )


@pytest.fixture
def settings():
    return {
        "contact_person_id": "77",
        "unit_ids": {"default": 1, "Std": 9, "Transport": 1},
        "tax_rule": "1",
        "tax_text": "Umsatzsteuer",
        "country_ids": COUNTRY_IDS,
    }
