"""Properties of the engine over random orders (hypothesis)."""

import math
from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from tms_billing_engine import (
    INTERVALS,
    BillingPolicy,
    LineFacts,
    OrderFacts,
    aggregate_lines,
    billing_period,
    plan_invoices,
)

policies = st.builds(
    BillingPolicy,
    invoicing_mode=st.sampled_from(["single", "collective"]),
    interval=st.sampled_from(INTERVALS),
    line_mode=st.sampled_from(["per_order", "aggregated"]),
    tax_mode=st.sampled_from(["net", "gross"]),
)
days = st.dates(min_value=date(2019, 12, 1), max_value=date(2029, 2, 28))


@st.composite
def order_lists(draw):
    customer_policies = draw(st.lists(policies, min_size=1, max_size=4))
    orders = []
    for order_id in range(1, draw(st.integers(0, 40)) + 1):
        customer = draw(st.integers(0, len(customer_policies) - 1))
        orders.append(
            OrderFacts(
                id=order_id,
                name=f"S{order_id}",
                customer_id=customer + 1,
                company_id=draw(st.sampled_from([1, 1, 1, 2])),
                currency_id=draw(st.sampled_from([1, 1, 2])),
                invoice_partner_id=draw(st.sampled_from([0, 10, 11])) + customer * 100,
                policy=customer_policies[customer],
                delivery_date=draw(st.none() | days),
                payment_term_id=draw(st.sampled_from([0, 1, 2])),
                payment_method_id=draw(st.sampled_from([0, 1])),
                confirmed=draw(st.booleans()) or draw(st.booleans()),
                invoice_status=draw(st.sampled_from(["to invoice"] * 4 + ["invoiced", "no"])),
                amount_to_invoice=draw(
                    st.sampled_from([0.0]) | st.floats(-1e4, 1e6, allow_nan=False)
                ),
            )
        )
    return orders


@settings(max_examples=300, deadline=None)
@given(order_lists())
def test_every_order_is_planned_once_or_excluded(orders):
    plan = plan_invoices(orders)
    placed = Counter(order_id for invoice in plan.invoices for order_id in invoice.order_ids)
    assert all(count == 1 for count in placed.values())
    assert set(placed) | set(plan.excluded) == {order.id for order in orders}
    assert not set(placed) & set(plan.excluded)


@settings(max_examples=300, deadline=None)
@given(order_lists())
def test_totals_are_preserved(orders):
    plan = plan_invoices(orders)
    planned = sum(invoice.amount for invoice in plan.invoices)
    billable = sum(o.amount_to_invoice for o in orders if o.id not in plan.excluded)
    assert math.isclose(planned, billable, rel_tol=1e-9, abs_tol=1e-6)


@settings(max_examples=300, deadline=None)
@given(order_lists())
def test_invoices_are_homogeneous_and_splits_explained(orders):
    plan = plan_invoices(orders)
    for invoice in plan.invoices:
        assert len({(o.customer_id, o.company_id, o.currency_id) for o in invoice.orders}) == 1
        assert len({o.invoice_partner_id for o in invoice.orders}) == 1
        assert len({o.payment_term_id for o in invoice.orders}) == 1
        assert invoice.period == billing_period(
            invoice.orders[0].delivery_date, invoice.orders[0].policy.interval
        )
    by_customer = Counter(invoice.customer_id for invoice in plan.invoices)
    for invoice in plan.invoices:
        assert bool(invoice.split_reasons) == (by_customer[invoice.customer_id] > 1)
        assert None not in invoice.split_reasons


@settings(max_examples=300, deadline=None)
@given(order_lists())
def test_orders_with_equal_keys_share_an_invoice(orders):
    plan = plan_invoices(orders)
    invoice_of = {oid: index for index, inv in enumerate(plan.invoices) for oid in inv.order_ids}
    collective = [
        o for o in orders if o.id in invoice_of and o.policy.invoicing_mode == "collective"
    ]
    for a in collective:
        for b in collective:
            same_key = (
                a.customer_id == b.customer_id
                and a.company_id == b.company_id
                and a.currency_id == b.currency_id
                and a.invoice_partner_id == b.invoice_partner_id
                and a.payment_term_id == b.payment_term_id
                and a.payment_method_id == b.payment_method_id
                and a.policy.tax_mode == b.policy.tax_mode
                and billing_period(a.delivery_date, a.policy.interval)
                == billing_period(b.delivery_date, b.policy.interval)
            )
            assert same_key == (invoice_of[a.id] == invoice_of[b.id])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.sampled_from("abc"), st.floats(0, 100))))
def test_aggregation_preserves_quantities(raw):
    lines = [LineFacts(id=i, key=(k,), quantity=q) for i, k, q in raw]
    merged = aggregate_lines(lines)
    assert math.isclose(sum(m.quantity for m in merged), sum(q for _, _, q in raw), abs_tol=1e-6)
    for line_id in {i for i, _, _ in raw}:
        total = sum(q for i, _, q in raw if i == line_id)
        shares = sum(m.quantity_by_line.get(line_id, 0.0) for m in merged)
        assert math.isclose(shares, total, abs_tol=1e-6)
    assert len({m.key for m in merged}) == len(merged)


@settings(max_examples=300, deadline=None)
@given(days, st.sampled_from(["weekly", "semi_monthly", "monthly"]))
def test_periods_contain_their_day_and_tile_the_calendar(day, interval):
    period = billing_period(day, interval)
    assert period.start <= day <= period.end
    following = billing_period(period.end + timedelta(days=1), interval)
    assert following.start == period.end + timedelta(days=1)
    assert following.key != period.key
    assert billing_period(period.start, interval) == period
