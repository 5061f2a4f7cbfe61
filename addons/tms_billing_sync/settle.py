"""When a create whose answer was lost may be made again: the evidence rule.

A create that got no answer (a timeout, a 502/504, a dropped connection, a worker that
died) may have created the document there. Neither provider reads a document by our
reference: lexoffice finds it only in its voucher list, sevDesk in its invoice and
credit-note lists and contact search, and neither documents how late a new document
shows there. A look-up that misses is therefore evidence that nothing was created only
when it was made long enough after the attempt, and one such miss is not trusted
alone. The rule:

- The attempt may have created the document until ``ATTEMPT_MARGIN`` after its call
  could last (a gateway's 504 may come while the provider still works on the request).
- A miss counts once made ``SEARCH_LAG`` after that: a document created by the attempt
  would be listed by then, as long as the provider's search lags by less.
- ``MISSES_NEEDED`` counting misses, each ``MISS_SPACING`` after the one before, settle
  the outcome as "not created": only then is the document sent again.
- A row whose look-ups keep failing (the provider down, refusing the key) is handed to a
  person once it has been unknown ``HAND_OVER_AFTER``: it waits for a person to check
  there and either link what was found or have it sent again.

Worst case: a duplicate needs the provider's search to lag more than ``SEARCH_LAG``;
the document is sent again at the earliest ``earliest_resend`` after the attempt (25
minutes 35 seconds with a call of 35 s).

Nothing here imports ``odoo``.
"""

from dataclasses import dataclass
from datetime import timedelta

SEARCH_LAG = timedelta(minutes=15)
ATTEMPT_MARGIN = timedelta(minutes=5)
MISSES_NEEDED = 2
MISS_SPACING = timedelta(minutes=5)
HAND_OVER_AFTER = timedelta(hours=24)

# What a look-up that found nothing means.
ABSENT = "absent"  # settled: nothing was created, send it again
WAIT = "wait"  # not yet evidence: look again at ``next_look``


@dataclass(frozen=True)
class Miss:
    """What a look-up that found nothing tells, and when to look again."""

    verdict: str
    counted: int  # the counting misses, this one included when it counted
    counted_at: object  # the time of the last counting miss, or None
    next_look: object  # when a look-up is worth making again, or None


def counts_from(attempt_started, call_seconds):
    """From when a miss counts, for an attempt started then whose call could last
    ``call_seconds``."""
    return attempt_started + timedelta(seconds=call_seconds) + ATTEMPT_MARGIN + SEARCH_LAG


def earliest_resend(attempt_started, call_seconds):
    """The earliest a document whose create was lost is sent again."""
    return counts_from(attempt_started, call_seconds) + MISS_SPACING * (MISSES_NEEDED - 1)


def after_miss(now, attempt_started, call_seconds, counted, counted_at):
    """The verdict of a look-up made at ``now`` that found nothing, for an attempt started
    at ``attempt_started`` whose call could last ``call_seconds``, after ``counted``
    counting misses, the last at ``counted_at``."""
    start = counts_from(attempt_started, call_seconds)
    if now >= start and (counted_at is None or now >= counted_at + MISS_SPACING):
        counted, counted_at = counted + 1, now
    if counted >= MISSES_NEEDED:
        return Miss(ABSENT, counted, counted_at, None)
    next_look = start if counted_at is None else counted_at + MISS_SPACING
    return Miss(WAIT, counted, counted_at, max(next_look, now))


def after_failed_look_up(now, attempt_started):
    """Whether an outcome whose look-ups keep failing goes to a person now."""
    return now >= attempt_started + HAND_OVER_AFTER
