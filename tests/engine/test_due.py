from datetime import date, timedelta

import pytest
from tms_billing_engine import billing_period, due_exclusion

DELIVERED = date(2026, 10, 5)


@pytest.mark.parametrize("today", [DELIVERED, DELIVERED + timedelta(days=1), date(2030, 1, 1)])
def test_single_customers_are_due_at_once(make_order, today):
    assert due_exclusion(make_order(invoicing_mode="single", interval="monthly"), today) is None


@pytest.mark.parametrize("interval", ["weekly", "semi_monthly", "monthly"])
def test_collective_customers_are_due_after_the_period(make_order, interval):
    order = make_order(interval=interval, delivery_date=DELIVERED)
    end = billing_period(DELIVERED, interval).end
    assert due_exclusion(order, DELIVERED) == "period_open"
    assert due_exclusion(order, end) == "period_open"
    assert due_exclusion(order, end + timedelta(days=1)) is None


def test_irregular_collective_orders_wait_for_a_manual_run(make_order):
    order = make_order(interval="irregular")
    assert due_exclusion(order, date(2099, 1, 1)) == "irregular_manual"


def test_an_order_delivered_in_the_future_is_never_due(make_order):
    # Its weekly period would end in the year 10000: it is left out before that is asked.
    order = make_order(interval="weekly", delivery_date=date(9999, 12, 31), delivery_in_future=True)
    assert due_exclusion(order, date(2026, 11, 26)) == "delivery_in_future"
