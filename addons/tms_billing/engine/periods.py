"""Billing periods: which stretch of days a delivery date belongs to."""

import calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta

INTERVALS = ("weekly", "semi_monthly", "monthly", "irregular")


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
