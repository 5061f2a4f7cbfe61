"""Many pushes through injected faults: every invoice must exist exactly once."""

import random

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


def test_two_hundred_pushes_with_faults_create_each_invoice_once(fake, client, draft, settings):
    rng = random.Random(4711)
    fake.fault_delay = 0.4
    ids = {}
    for number in range(200):
        draft = dict(draft, marker=f"TMS-sev-{number}")
        if rng.random() < 0.35:
            fake.inject("POST", "/Invoice/Factory", [rng.choice(FAULTS)])
        ids[draft["marker"]] = push(client, draft, settings)
    for marker, invoice_id in ids.items():
        assert [i["id"] for i in fake.invoices_with_marker(marker)] == [invoice_id]
    assert len(fake.invoices) == 200
