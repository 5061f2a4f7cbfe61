"""Many pushes through injected faults: every invoice must exist exactly once."""

from sevdesk_api import (
    RateLimitError,
    ServerError,
    UnknownOutcomeError,
    build_save_invoice_payload,
)

FAULTS = ["500", "502", "503", "504_after", "drop_after", "timeout_after"]


def push(client, draft, settings):
    payload = build_save_invoice_payload(draft, **settings)
    for _attempt in range(10):
        try:
            return client.save_invoice(payload)["id"]
        except UnknownOutcomeError:
            pass
        except (RateLimitError, ServerError):
            # What the backend's _sevdesk_errors hands the ledger as worth another try.
            pass
        found = client.find_invoice_by_marker(draft["marker"], contact_id=draft["contact_id"])
        if found:
            return found["id"]
    raise AssertionError(f"{draft['marker']} was never pushed")


def test_two_hundred_pushes_with_faults_create_each_invoice_once(
    fake, client, draft, settings, fault_storm
):
    def push_one(one):
        return push(client, one, settings)

    fault_storm(fake, push_one, draft, ("POST", "/Invoice/Factory"), FAULTS, seed=4711)
