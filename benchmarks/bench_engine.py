"""Time the pure billing engine on many orders (no Odoo needed).

python3 benchmarks/bench_engine.py [--orders 100000] [--customers 5000]
"""

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from pure_addons import load


def load_engine():
    return load("tms_billing.engine")


def make_orders(engine, n_orders, n_customers, seed=7):
    rng = random.Random(seed)
    policies = [
        engine.BillingPolicy(mode, interval, lines, tax)
        for mode in ("single", "collective")
        for interval in engine.INTERVALS
        for lines in ("per_order", "aggregated")
        for tax in ("net", "gross")
    ]
    customer_policy = {c: rng.choice(policies) for c in range(1, n_customers + 1)}
    start = date(2026, 1, 1)
    orders = []
    for order_id in range(1, n_orders + 1):
        customer = rng.randint(1, n_customers)
        orders.append(
            engine.OrderFacts(
                id=order_id,
                name=f"S{order_id:06d}",
                customer_id=customer,
                company_id=1,
                currency_id=1,
                invoice_partner_id=customer * 10 + rng.choice((0, 0, 0, 1)),
                policy=customer_policy[customer],
                delivery_date=start + timedelta(days=rng.randrange(90)),
                payment_term_id=rng.choice((1, 1, 1, 2)),
                payment_method_id=1,
                amount_to_invoice=round(rng.uniform(50, 2000), 2),
            )
        )
    return orders


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=5_000)
    args = parser.parse_args()
    engine = load_engine()
    orders = make_orders(engine, args.orders, args.customers)

    started = time.perf_counter()
    plan = engine.plan_invoices(orders)
    plan_seconds = time.perf_counter() - started

    started = time.perf_counter()
    due = [o for o in orders if not engine.due_exclusion(o, date(2026, 4, 1))]
    due_seconds = time.perf_counter() - started

    print(f"engine: {args.orders} orders, {args.customers} customers")
    print(
        f"  plan_invoices: {plan_seconds:.3f} s, {args.orders / plan_seconds:,.0f} orders/s, "
        f"{len(plan.invoices)} invoices, {len(plan.excluded)} excluded"
    )
    print(f"  due_exclusion: {due_seconds:.3f} s for {len(due)} due orders")


if __name__ == "__main__":
    main()
