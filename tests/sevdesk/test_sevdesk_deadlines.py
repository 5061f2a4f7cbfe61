"""Calls bounded by a deadline (``export_http.ApiClient.until``), against the fake
sevDesk's slow answers (test faults). Elapsed times are checked with generous margins."""

import time

import pytest
from sevdesk_api import ServerError, SevdeskClient
from tms_billing_errors import ExportDeadlineReached


def test_slow_reads_are_retried_only_until_the_deadline(fake):
    """sevDesk's reads repeat after a timeout (three repeats here, read timeout 1 s);
    with a deadline 2.5 s away the call ends before it."""
    fake.slow_rate, fake.slow_seconds = 1.0, 3.0
    client = SevdeskClient(
        "test-token", base_url=fake.base_url, backoff_factor=0.01, timeout=(2, 1.0)
    )
    started = time.monotonic()
    with client.until(started + 2.5), pytest.raises((ServerError, ExportDeadlineReached)):
        client.get_bookkeeping_version()
    assert time.monotonic() - started < 4.0
    assert len(fake.slow_calls) <= 3


def test_an_address_left_unsent_at_the_deadline_does_not_lose_the_contact(fake, client):
    """The contact is created; its address finds no time left: the contact comes back
    with the address as a problem, never as a failure that would create it again."""
    countries = client.get_country_ids()
    fake.slow_seconds = 1.5
    fake.inject("POST", "/Contact", ["slow_before"])
    slow_client = SevdeskClient(
        "test-token", base_url=fake.base_url, backoff_factor=0.01, timeout=(2, 5)
    )
    with slow_client.until(time.monotonic() + 2.0):
        contact, problems = slow_client.create_customer(
            {"is_company": True, "name": "Spät GmbH", "country_code": "DE"}, countries
        )
    assert contact["id"] in fake.contacts
    assert problems and str(problems[0]) == "address not saved: no time was left for it"
    assert fake.addresses == []
