"""Faults with time in the fake lexoffice (a search lag, slow answers, its own clock) and
what the client meets with them. The faults are test faults, not statements about
lexoffice's API."""

import time
from datetime import datetime

import pytest
from lexoffice_api import (
    LexofficeClient,
    ServerError,
    UnknownOutcomeError,
    build_contact_payload,
    build_credit_note_payload,
    build_invoice_payload,
)

LAG = 15 * 60  # seconds: longer than any wait a test could afford


def _stamp(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _client(fake, **kwargs):
    options = {"rate_limit": 0, "backoff_factor": 0.01, "timeout": (2, 30)}
    return LexofficeClient("test-key", base_url=fake.base_url, **(options | kwargs))


# -- the fake's clock and search lag ------------------------------------------------


def test_the_fake_clock_moves_without_waiting(fake, client, draft):
    before = fake.now()
    fake.advance(LAG)
    assert fake.now() - before >= LAG
    created = client.create_invoice(build_invoice_payload(draft))
    # Creation stamps follow the fake's clock.
    assert _stamp(created["createdDate"]).timestamp() >= before + LAG
    assert _stamp(client.get_invoice(created["id"])["createdDate"]) == _stamp(
        created["createdDate"]
    )


def test_a_new_invoice_is_read_by_its_id_at_once_but_listed_only_after_the_lag(fake, client, draft):
    fake.search_lag = LAG
    created = client.create_invoice(build_invoice_payload(draft))
    assert client.get_invoice(created["id"])["id"] == created["id"]
    assert client.list_vouchers()["content"] == []
    assert client.find_invoice_by_marker(draft["marker"]) is None
    fake.advance(LAG - 1)
    assert client.list_vouchers()["content"] == []
    fake.advance(1)
    assert [v["id"] for v in client.list_vouchers()["content"]] == [created["id"]]
    assert client.find_invoice_by_marker(draft["marker"])["id"] == created["id"]


def test_a_new_credit_note_shows_among_related_vouchers_and_in_lists_after_the_lag(
    fake, client, draft
):
    invoice = client.create_invoice(build_invoice_payload(draft), finalize=True)
    fake.search_lag = LAG
    refund = dict(draft, kind="credit_note", marker="TMS-cn-lag")
    created = client.create_credit_note(build_credit_note_payload(refund), invoice["id"])
    assert client.get_credit_note(created["id"])["id"] == created["id"]
    assert client.get_invoice(invoice["id"])["relatedVouchers"] == []
    assert client.find_credit_note_by_marker("TMS-cn-lag", invoice["id"]) is None
    fake.advance(LAG)
    related = client.get_invoice(invoice["id"])["relatedVouchers"]
    assert [v["id"] for v in related] == [created["id"]]
    assert client.find_credit_note_by_marker("TMS-cn-lag", invoice["id"])["id"] == created["id"]


def test_a_new_contact_is_found_by_name_only_after_the_lag(fake, client):
    fake.search_lag = LAG
    payload = build_contact_payload({"is_company": True, "name": "Nordfracht GmbH"})
    created = client.create_contact(payload)
    assert client.get_contact(created["id"])["company"]["name"] == "Nordfracht GmbH"
    assert client.search_contacts(name="Nordfracht")["content"] == []
    fake.advance(LAG)
    assert [c["id"] for c in client.search_contacts(name="Nordfracht")["content"]] == [
        created["id"]
    ]


def test_reset_forgets_the_lag_and_the_clock(fake):
    fake.search_lag, fake.slow_rate = 90, 0.5
    fake.advance(LAG)
    fake.reset()
    assert (fake.search_lag, fake.slow_rate, fake.clock_offset) == (0.0, 0.0, 0.0)


# -- slow answers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "created_at_once", "created_later"),
    [("slow_after", True, True), ("slow_before", False, True), ("slow_unperformed", False, False)],
)
def test_a_slow_create_is_an_unknown_outcome(
    fake, client, draft, fault, created_at_once, created_later
):
    """The client (read timeout 0.3 s) stops waiting before the answer; the fake performed
    the create at once, after the wait, or not at all."""
    fake.slow_seconds = 1.5
    fake.inject("POST", "/v1/invoices", [fault])
    with pytest.raises(UnknownOutcomeError):
        client.create_invoice(build_invoice_payload(draft))
    assert bool(fake.invoices_with_marker(draft["marker"])) is created_at_once
    time.sleep(fake.slow_seconds + 0.5)
    assert bool(fake.invoices_with_marker(draft["marker"])) is created_later
    assert fake.slow_calls == [("POST", "/v1/invoices", fault)]


def test_a_slow_read_is_a_server_error(fake, client):
    fake.slow_seconds = 1.0
    fake.inject("GET", "/v1/profile", ["slow_after"])
    with pytest.raises(ServerError):
        client.get_profile()
    assert client.get_profile()["companyName"]


def test_a_share_of_all_calls_is_slow(fake):
    fake.slow_rate, fake.slow_seconds = 0.5, 0.5
    client = _client(fake, timeout=(2, 0.2))
    outcomes = []
    for _n in range(20):
        try:
            client.get_profile()
            outcomes.append("ok")
        except ServerError:
            outcomes.append("slow")
    assert 3 <= outcomes.count("slow") <= 17
    assert len(fake.slow_calls) == outcomes.count("slow")
    assert {fault for _m, _p, fault in fake.slow_calls} <= {"slow_after", "slow_unperformed"}


def test_a_call_injected_as_none_may_still_be_slow(fake, draft):
    """ "none" keeps a call's place in a list of injected faults (as the deployment
    benchmark injects them, one per invoice); a share of slow answers still meets it."""
    fake.slow_rate, fake.slow_seconds = 1.0, 0.5
    fake.slow_faults = ("slow_unperformed",)
    fake.inject("POST", "/v1/invoices", ["none"])
    client = _client(fake, timeout=(2, 0.2))
    with pytest.raises(UnknownOutcomeError):
        client.create_invoice(build_invoice_payload(draft))
    assert fake.slow_calls == [("POST", "/v1/invoices", "slow_unperformed")]
    assert fake.invoices == {}
