from datetime import date, timedelta

import pytest
from tms_billing_engine import billing_period, period_after_billed

D = date


@pytest.mark.parametrize(
    ("day", "key", "start", "end"),
    [
        # month ends of 31/30/28/29-day months
        (D(2026, 1, 31), "2026-01", D(2026, 1, 1), D(2026, 1, 31)),
        (D(2026, 4, 30), "2026-04", D(2026, 4, 1), D(2026, 4, 30)),
        (D(2026, 5, 1), "2026-05", D(2026, 5, 1), D(2026, 5, 31)),
        (D(2025, 2, 28), "2025-02", D(2025, 2, 1), D(2025, 2, 28)),
        (D(2024, 2, 29), "2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        (D(2028, 2, 29), "2028-02", D(2028, 2, 1), D(2028, 2, 29)),
        (D(2026, 12, 31), "2026-12", D(2026, 12, 1), D(2026, 12, 31)),
    ],
)
def test_monthly(day, key, start, end):
    period = billing_period(day, "monthly")
    assert (period.key, period.start, period.end) == (key, start, end)


@pytest.mark.parametrize(
    ("day", "key", "start", "end"),
    [
        (D(2026, 3, 1), "2026-03-H1", D(2026, 3, 1), D(2026, 3, 15)),
        (D(2026, 3, 15), "2026-03-H1", D(2026, 3, 1), D(2026, 3, 15)),
        (D(2026, 3, 16), "2026-03-H2", D(2026, 3, 16), D(2026, 3, 31)),
        (D(2026, 4, 30), "2026-04-H2", D(2026, 4, 16), D(2026, 4, 30)),
        (D(2025, 2, 28), "2025-02-H2", D(2025, 2, 16), D(2025, 2, 28)),
        (D(2024, 2, 29), "2024-02-H2", D(2024, 2, 16), D(2024, 2, 29)),
        (D(2024, 2, 15), "2024-02-H1", D(2024, 2, 1), D(2024, 2, 15)),
    ],
)
def test_semi_monthly(day, key, start, end):
    period = billing_period(day, "semi_monthly")
    assert (period.key, period.start, period.end) == (key, start, end)


@pytest.mark.parametrize(
    ("day", "key", "start", "end"),
    [
        # ISO week 53 and weeks across the turn of the year
        (D(2020, 12, 31), "2020-W53", D(2020, 12, 28), D(2021, 1, 3)),
        (D(2021, 1, 3), "2020-W53", D(2020, 12, 28), D(2021, 1, 3)),
        (D(2021, 1, 4), "2021-W01", D(2021, 1, 4), D(2021, 1, 10)),
        (D(2026, 12, 31), "2026-W53", D(2026, 12, 28), D(2027, 1, 3)),
        (D(2027, 1, 1), "2026-W53", D(2026, 12, 28), D(2027, 1, 3)),
        (D(2025, 12, 29), "2026-W01", D(2025, 12, 29), D(2026, 1, 4)),
        # Monday and Sunday of an ordinary week
        (D(2026, 11, 16), "2026-W47", D(2026, 11, 16), D(2026, 11, 22)),
        (D(2026, 11, 22), "2026-W47", D(2026, 11, 16), D(2026, 11, 22)),
        (D(2024, 2, 29), "2024-W09", D(2024, 2, 26), D(2024, 3, 3)),
    ],
)
def test_weekly_iso_weeks(day, key, start, end):
    period = billing_period(day, "weekly")
    assert (period.key, period.start, period.end) == (key, start, end)


def test_irregular_has_no_bounds_and_never_closes():
    period = billing_period(D(2026, 5, 17), "irregular")
    assert (period.key, period.start, period.end) == ("irregular", None, None)
    assert period == billing_period(D(1999, 1, 1), "irregular")
    assert not period.is_closed(D(2100, 1, 1))


@pytest.mark.parametrize("interval", ["weekly", "semi_monthly", "monthly"])
def test_period_closes_the_day_after_its_last_day(interval):
    period = billing_period(D(2026, 2, 10), interval)
    assert not period.is_closed(period.end)
    assert not period.is_closed(period.start)
    assert period.is_closed(period.end + timedelta(days=1))


def test_unknown_interval_is_refused():
    with pytest.raises(ValueError, match="quarterly"):
        billing_period(D(2026, 1, 1), "quarterly")


@pytest.mark.parametrize(
    ("interval", "billed_until", "day", "start", "end"),
    [
        # weekly billed up to Sunday the 22nd, then monthly: the month goes on from the 23rd
        ("monthly", D(2026, 11, 22), D(2026, 11, 25), D(2026, 11, 23), D(2026, 11, 30)),
        # monthly billed up to October, then weekly: week 44 (Oct 26 - Nov 1) from Nov 1
        ("weekly", D(2026, 10, 31), D(2026, 11, 1), D(2026, 11, 1), D(2026, 11, 1)),
        # billed on the 10th on demand (irregular), then semi-monthly
        ("semi_monthly", D(2026, 11, 10), D(2026, 11, 12), D(2026, 11, 11), D(2026, 11, 15)),
    ],
)
def test_next_period_starts_after_the_last_billed_day(interval, billed_until, day, start, end):
    period = period_after_billed(billing_period(day, interval), day, billed_until)
    assert (period.start, period.end) == (start, end)
    assert period.key != billing_period(day, interval).key


@pytest.mark.parametrize(
    ("billed_until", "day"),
    [
        (None, D(2026, 11, 25)),  # never billed
        (D(2026, 10, 31), D(2026, 11, 25)),  # billed up to the day before the period
        (D(2026, 11, 30), D(2026, 11, 20)),  # a late order in a billed period
        (D(2026, 11, 22), D(2026, 11, 22)),  # delivered on the last billed day
    ],
)
def test_period_is_kept_when_nothing_billed_overlaps(billed_until, day):
    period = billing_period(day, "monthly")
    assert period_after_billed(period, day, billed_until) is period


def test_irregular_period_is_never_clipped():
    period = billing_period(D(2026, 11, 25), "irregular")
    assert period_after_billed(period, D(2026, 11, 25), D(2026, 11, 22)) is period
