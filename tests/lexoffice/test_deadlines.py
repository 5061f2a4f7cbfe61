"""Calls bounded by a deadline (``export_http.ApiClient.until``), against the fake
lexoffice's slow answers (test faults): no call outlasts its deadline, none is started
without time for it. Elapsed times are checked with generous margins."""

import threading
import time

import pytest
from lexoffice_api import (
    LexofficeClient,
    ServerError,
    UnknownOutcomeError,
    build_invoice_payload,
)
from tms_billing_errors import ExportDeadlineReached


def _client(fake, **kwargs):
    options = {"rate_limit": 0, "backoff_factor": 0.01, "timeout": (2, 30)}
    return LexofficeClient("test-key", base_url=fake.base_url, **(options | kwargs))


def test_a_call_without_time_for_it_is_not_started(fake, draft):
    client = _client(fake)
    with client.until(time.monotonic() + 0.5), pytest.raises(ExportDeadlineReached) as caught:
        client.create_invoice(build_invoice_payload(draft))
    assert caught.value.performed is False
    assert caught.value.retry is True
    assert caught.value.outcome_unknown is False
    assert "not sent" in str(caught.value)
    assert fake.requests == []
    assert fake.invoices == {}
    past = _client(fake, deadline=time.monotonic() - 1)
    with pytest.raises(ExportDeadlineReached):
        past.get_profile()
    assert fake.requests == []


def test_without_a_deadline_the_configured_timeout_holds(fake):
    fake.slow_seconds = 1.5
    fake.inject("GET", "/v1/profile", ["slow_after"])
    client = _client(fake, timeout=(2, 3))
    started = time.monotonic()
    assert client.get_profile()["companyName"]  # answered late, within the timeout
    assert time.monotonic() - started >= 1.5
    assert client.time_left() is None


@pytest.mark.parametrize("fault", ["slow_after", "slow_before", "slow_unperformed"])
def test_a_slow_answer_does_not_keep_a_call_past_its_deadline(fake, draft, fault):
    """The configured timeout (30 s) is longer than the answer takes (4 s); the deadline,
    2 s away, is what ends the call."""
    fake.slow_seconds = 4.0
    fake.inject("POST", "/v1/invoices", [fault])
    client = _client(fake)
    started = time.monotonic()
    with client.until(started + 2.0), pytest.raises(UnknownOutcomeError):
        client.create_invoice(build_invoice_payload(draft))
    assert time.monotonic() - started < 3.5


def test_retries_stop_at_the_deadline(fake):
    """503 after 503: urllib3 would wait 0, 2, 4 and 8 s between five tries (backoff
    factor 1); with a deadline 3 s away the last answer comes back before it."""
    fake.inject("GET", "/v1/profile", ["503"] * 6)
    client = _client(fake, backoff_factor=1.0)
    started = time.monotonic()
    with client.until(started + 3.0), pytest.raises(ServerError) as caught:
        client.get_profile()
    assert caught.value.status == 503
    assert time.monotonic() - started < 3.5
    assert 1 <= len(fake.requests) < 6


def test_a_run_of_slow_calls_ends_by_its_deadline(fake, draft):
    """A sequential run of pushes against a host where every other answer is slow: no
    call outlasts the run's deadline, and the calls after it are not started."""
    fake.slow_rate, fake.slow_seconds = 0.5, 3.0
    client = _client(fake)
    started = time.monotonic()
    deadline = started + 5.0
    outcomes = []
    with client.until(deadline):
        for number in range(20):
            try:
                client.create_invoice(build_invoice_payload(dict(draft, marker=f"TMS-d-{number}")))
                outcomes.append("created")
            except UnknownOutcomeError:
                outcomes.append("unknown")
            except ExportDeadlineReached:
                outcomes.append("not started")
            if time.monotonic() > deadline + 1.0:
                break
    elapsed = time.monotonic() - started
    assert elapsed < 6.5
    assert outcomes[-1] == "not started"
    assert "unknown" in outcomes


def test_the_earliest_deadline_wins_and_each_thread_has_its_own(fake):
    client = _client(fake, deadline=time.monotonic() + 60)
    assert 59 < client.time_left() <= 60
    with client.until(time.monotonic() + 10):
        assert 9 < client.time_left() <= 10
        with client.until(time.monotonic() + 30):
            assert client.time_left() <= 10
        with client.until(None):
            assert client.time_left() <= 10
        seen = []
        thread = threading.Thread(target=lambda: seen.append(client.time_left()))
        thread.start()
        thread.join()
        assert seen[0] > 50
    assert client.time_left() > 50
