"""Push draft invoices to the fake lexoffice at its real limit of 2 requests/second.

    python3 benchmarks/bench_push.py [--invoices 60] [--workers 4] [--fault-rate 0.1]

Prints invoices pushed per second as a share of the provider's limit, and the number
of duplicates in the fake (which must be 0). No Odoo needed.
"""

import argparse
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from pure_addons import load

api = load("tms_billing_lexoffice.api")
fake_module = load("tms_billing_lexoffice.tests.fake_lexoffice")


def draft(number):
    return {
        "marker": f"TMS-bench-{number}",
        "invoice_date": date(2026, 11, 2),
        "currency": "EUR",
        "tax_mode": "net",
        "period_start": date(2026, 10, 1),
        "period_end": date(2026, 10, 31),
        "address": {"name": f"Kunde {number}", "country_code": "DE"},
        "lines": [
            {
                "name": "Transport",
                "quantity": 1,
                "unit_name": "Transport",
                "unit_price": 100.0 + number,
                "tax_rate": 19.0,
            }
        ],
    }


def push(client, invoice):
    """Create once; after an unknown outcome look the invoice up before sending again."""
    payload = api.build_invoice_payload(invoice)
    since = datetime.now(UTC) - timedelta(seconds=1)
    unknown = False
    for _attempt in range(20):
        if unknown and client.find_invoice_by_marker(invoice["marker"], created_since=since):
            return
        try:
            client.create_invoice(payload)
            return
        except api.UnknownOutcomeError:
            unknown = True
        except (api.RateLimitError, api.ServerError, api.LookupFailedError):
            pass  # retried later, as the connection does
    raise RuntimeError(f"{invoice['marker']} not pushed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    args = parser.parse_args()
    rng = random.Random(5)
    with fake_module.FakeLexoffice(rate_limit=api.client.RATE_LIMIT, fault_delay=1.0) as fake:
        client = api.LexofficeClient(
            "test-key", base_url=fake.base_url, backoff_factor=0.5, timeout=(5, 0.8)
        )
        for _ in range(int(args.invoices * args.fault_rate)):
            fake.inject("POST", "/v1/invoices", [rng.choice(["503", "504_after", "drop_after"])])
        started = time.perf_counter()
        with ThreadPoolExecutor(args.workers) as pool:
            list(pool.map(lambda n: push(client, draft(n)), range(args.invoices)))
        seconds = time.perf_counter() - started
        duplicates = sum(
            len(fake.invoices_with_marker(f"TMS-bench-{n}")) - 1 for n in range(args.invoices)
        )
        refused = sum(1 for *_, status in fake.requests if status == 429)
        requests_sent = len(fake.requests)
    rate = args.invoices / seconds
    print(f"push: {args.invoices} invoices, {args.workers} workers, fault rate {args.fault_rate}")
    print(
        f"  {seconds:.1f} s, {rate:.2f} invoices/s = {rate / api.client.RATE_LIMIT:.0%} of the "
        f"2 requests/s limit; {requests_sent} requests, {refused} refused with 429"
    )
    print(f"  duplicates: {duplicates}")


if __name__ == "__main__":
    main()
