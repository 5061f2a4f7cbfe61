"""Many pushes through injected faults: every invoice must exist exactly once."""

from datetime import UTC, datetime, timedelta

from lexoffice_api import (
    LookupFailedError,
    RateLimitError,
    ServerError,
    UnknownOutcomeError,
    build_invoice_payload,
)

FAULTS = ["429", "500", "503", "504_after", "504_before", "drop_after", "timeout_after"]


def push(client, draft):
    """The push routine the Odoo ledger follows: never send twice what may exist."""
    payload = build_invoice_payload(draft)
    # The ledger stores when it first tried; the look-up need not go further back.
    first_try = datetime.now(UTC) - timedelta(seconds=1)
    outcome_unknown = False
    for _attempt in range(10):
        if outcome_unknown:
            found = client.find_invoice_by_marker(draft["marker"], created_since=first_try)
            if found:
                return found["id"]
        try:
            return client.create_invoice(payload)["id"]
        except UnknownOutcomeError:
            outcome_unknown = True
        except (RateLimitError, ServerError, LookupFailedError):
            pass  # retried later, as the connection does
    raise AssertionError(f"{draft['marker']} was never pushed")


def test_two_hundred_pushes_with_faults_create_each_invoice_once(fake, client, draft, fault_storm):
    fault_storm(
        fake, lambda one: push(client, one), draft, ("POST", "/v1/invoices"), FAULTS, seed=2026
    )
