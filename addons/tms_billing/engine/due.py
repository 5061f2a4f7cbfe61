"""Which orders a periodic run bills on a given day."""

from . import vocabulary as reasons
from .periods import billing_period


def due_exclusion(order, today):
    """Why a periodic run on ``today`` leaves a billable ``order`` alone, or None if due.

    Single-invoice customers are billed as soon as an order is delivered; collective
    ones once the billing period of the delivery date is over. The irregular interval
    has no period end, so such orders wait for a manual run.
    """
    if order.delivery_in_future:
        # Not billed before it is delivered; the period of a date far ahead may not even
        # exist (a week of 31.12.9999 ends in the year 10000).
        return reasons.DELIVERY_IN_FUTURE
    policy = order.policy
    if policy.invoicing_mode == "single":
        return None
    if policy.interval == "irregular":
        return reasons.IRREGULAR_MANUAL
    if not billing_period(order.delivery_date, policy.interval).is_closed(today):
        return reasons.PERIOD_OPEN
    return None
