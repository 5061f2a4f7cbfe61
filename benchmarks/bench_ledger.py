"""Push invoices through the export ledger to the fake lexoffice, on a real Odoo 18.

    benchmarks/run push [--invoices 60] [--fault-rate 0.1]

Creates N draft invoices of one linked customer, queues them for a lexoffice connection
pointed at the loopback fake (2 requests/second, like the real API) and runs the send
cron as Odoo would (it commits around every call), until every row is sent. Prints the
invoices pushed per second as a share of the limit, the attempts, and the duplicates in
the fake (which must be 0).
"""

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.fields import Command
from odoo.tools import config

FAULTS = ["503", "504_after", "drop_after", "500"]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from pure_addons import load  # noqa: E402 (the loader lives in tools/)


def make_invoices(env, n, backend, customer_name="Bench Spedition GmbH"):
    """N draft invoices of a new customer (``customer_name``) linked to ``backend``."""
    euro = env.ref("base.EUR")
    euro.active = True
    env.company.currency_id = euro
    tax = env["account.tax"].search(
        [("name", "=", "Bench 19%"), ("company_id", "=", env.company.id)], limit=1
    ) or env["account.tax"].create({"name": "Bench 19%", "amount": 19.0, "type_tax_use": "sale"})
    customer = env["res.partner"].create(
        {
            "name": customer_name,
            "is_company": True,
            "street": "Kai 1",
            "zip": "20457",
            "city": "Hamburg",
            "country_id": env.ref("base.de").id,
        }
    )
    env["tms.billing.partner.link"]._tms_create_contact(customer, backend)
    return env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "tms_invoicing_mode": "collective",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": f"Transport {number}",
                            "quantity": 1,
                            "price_unit": 100.0 + number,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                ],
            }
            for number in range(n)
        ]
    )


def load_fake_lexoffice():
    """The fake server, loaded without its addon's tests package: importing that would
    pull in Odoo's test framework, which a benchmark must not."""
    return load("tms_billing_lexoffice.tests.fake_lexoffice")


def load_fake_sevdesk():
    """The fake sevDesk, loaded as ``load_fake_lexoffice`` loads lexoffice's."""
    return load("tms_billing_sevdesk.tests.fake_sevdesk")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=60)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    args, odoo_args = parser.parse_known_args()
    config.parse_config(odoo_args)
    odoo.tools.config["log_level"] = "warn"
    fake_lexoffice = load_fake_lexoffice()
    fake = fake_lexoffice.FakeLexoffice(api_key="bench-key", rate_limit=2.0, fault_delay=3.0)
    fake.start()
    registry = odoo.modules.registry.Registry(config["db_name"])
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        backend = env["tms.billing.backend"].create(
            {
                "name": "lexoffice (fake)",
                "provider": "lexoffice",
                "api_url": fake.base_url,
                "api_key": "bench-key",
                "timeout": 2.0,
            }
        )
        moves = make_invoices(env, args.invoices, backend)
        exports = env["tms.billing.export"]._tms_queue(moves, backend)
        cr.commit()
        rng = random.Random(7)
        fake.inject(
            "POST",
            "/v1/invoices",
            [
                rng.choice(FAULTS) if rng.random() < args.fault_rate else "none"
                for _ in range(args.invoices)
            ],
        )
        time.sleep(1.0)  # the contact creation used the burst: start from a full bucket
        calls_before = len(fake.requests)
        started = time.perf_counter()
        while True:
            env["tms.billing.export"]._cron_tms_send_exports()
            exports.invalidate_recordset()
            waiting = exports.filtered(lambda export: export.state != "sent")
            if not waiting:
                break
            # The backoff would wait minutes; the benchmark lets it pass at once.
            waiting.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
            cr.commit()
        elapsed = time.perf_counter() - started
        markers = exports.mapped("marker")
        duplicates = sum(len(fake.invoices_with_marker(marker)) - 1 for marker in markers)
        refused = sum(1 for call in fake.requests[calls_before:] if call[2] == 429)
        rate = len(exports) / elapsed
        print(
            f"ledger push: {len(exports)} invoices in {elapsed:.1f} s = {rate:.2f} invoices/s "
            f"({rate / 2.0:.0%} of the 2 requests/s limit), fault rate {args.fault_rate:.0%}, "
            f"attempts {sum(exports.mapped('attempts'))}, "
            f"requests {len(fake.requests) - calls_before} (429: {refused}), "
            f"duplicates {duplicates}"
        )
        cr.rollback()
    fake.stop()


if __name__ == "__main__":
    sys.exit(main())
