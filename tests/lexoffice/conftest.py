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
def draft(invoice_draft):
    return invoice_draft
