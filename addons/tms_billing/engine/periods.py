"""Billing periods: which stretch of days a delivery date belongs to."""

import calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta

from .vocabulary import BILLING_INTERVALS

INTERVALS = tuple(code for code, _label in BILLING_INTERVALS)


@dataclass(frozen=True)
class Period:
    """A closed range of days; ``start``/``end`` are None for the irregular interval."""

    key: str
    start: date | None = None
    end: date | None = None

    def is_closed(self, today):
        """A period is over once its last day lies before ``today``; irregular never is."""
        return self.end is not None and self.end < today


IRREGULAR = Period(key="irregular")


# Thousands of orders share a few dozen delivery days: periods are immutable, so each
# is worked out once.
@functools.lru_cache(maxsize=4096)
def billing_period(day, interval):
    """Return the :class:`Period` of ``interval`` that contains ``day``."""
    if interval == "irregular":
        return IRREGULAR
    if interval == "weekly":
        iso_year, iso_week, iso_weekday = day.isocalendar()
        start = day - timedelta(days=iso_weekday - 1)
        return Period(f"{iso_year}-W{iso_week:02d}", start, start + timedelta(days=6))
    last_day = calendar.monthrange(day.year, day.month)[1]
    if interval == "monthly":
        return Period(
            f"{day.year}-{day.month:02d}",
            day.replace(day=1),
            day.replace(day=last_day),
        )
    if interval == "semi_monthly":
        if day.day <= 15:
            return Period(f"{day.year}-{day.month:02d}-H1", day.replace(day=1), day.replace(day=15))
        return Period(
            f"{day.year}-{day.month:02d}-H2", day.replace(day=16), day.replace(day=last_day)
        )
    raise ValueError(f"unknown billing interval {interval!r}")


@functools.lru_cache(maxsize=4096)
def period_after_billed(period, day, billed_until):
    """The part of ``period`` left for ``day`` once the customer was billed up to
    ``billed_until``.

    When a customer's interval changes, the new interval's period can reach back into
    days an earlier invoice already covered (weekly billed up to the 22nd, then monthly:
    the month starts on the 1st). The next period then starts the day after the last
    billed day, so no two invoices claim the same days. A late order delivered on or
    before ``billed_until`` keeps its own period: it is billed after the fact.
    """
    if billed_until is None or period.start is None or not (period.start <= billed_until < day):
        return period
    start = billed_until + timedelta(days=1)
    return Period(f"{period.key}-from-{start.isoformat()}", start, period.end)
