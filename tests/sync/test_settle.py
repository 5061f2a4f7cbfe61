"""The evidence rule for unknown outcomes: never a second document while the provider's
search lags by up to SEARCH_LAG, and a lost create is sent again once settled."""

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from tms_billing_settle import (
    ABSENT,
    ATTEMPT_MARGIN,
    HAND_OVER_AFTER,
    SEARCH_LAG,
    WAIT,
    after_failed_look_up,
    after_miss,
    earliest_resend,
)

START = datetime(2026, 12, 1, 8, 0, 0)
CALL = 35.0


def _run(created_at, lag, schedule):
    """Look-ups at the times ``schedule`` yields (given the last verdict), against a
    provider that lists a document ``lag`` after ``created_at`` (None: nothing created).
    Returns the verdicts until the first that is not WAIT."""
    counted, counted_at, verdicts, now = 0, None, [], START
    for step in schedule:
        now = step(now, verdicts[-1] if verdicts else None)
        if created_at is not None and now >= created_at + lag:
            verdicts.append("found")
            return verdicts
        miss = after_miss(now, START, CALL, counted, counted_at)
        counted, counted_at = miss.counted, miss.counted_at
        verdicts.append(miss)
        if miss.verdict != WAIT:
            return verdicts
    return verdicts


steps = st.lists(st.integers(min_value=1, max_value=3_000), min_size=1, max_size=60).map(
    lambda seconds: [
        (lambda now, _last, delta=delta: now + timedelta(seconds=delta)) for delta in seconds
    ]
)


@settings(max_examples=500, deadline=None)
@given(
    created_after=st.floats(min_value=0, max_value=CALL + ATTEMPT_MARGIN.total_seconds()),
    lag=st.floats(min_value=0, max_value=SEARCH_LAG.total_seconds()),
    schedule=steps,
)
def test_a_created_document_is_never_sent_again_while_the_lag_is_within_the_bound(
    created_after, lag, schedule
):
    created_at = START + timedelta(seconds=created_after)
    verdicts = _run(created_at, timedelta(seconds=lag), schedule)
    assert not any(getattr(verdict, "verdict", None) == ABSENT for verdict in verdicts)


@settings(max_examples=200, deadline=None)
@given(early=st.lists(st.integers(min_value=1, max_value=600), max_size=20))
def test_nothing_created_is_settled_by_looking_when_the_rule_says(early):
    # Whatever look-ups came early, looking at each next_look settles it.
    schedule = [(lambda now, _l, d=d: now + timedelta(seconds=d)) for d in early]
    schedule += [(lambda now, last: max(now, last.next_look) if last else now)] * 10
    verdicts = _run(None, SEARCH_LAG, schedule)
    assert verdicts[-1].verdict == ABSENT
    settled_at = verdicts[-1].counted_at
    assert settled_at >= earliest_resend(START, CALL)


def test_the_earliest_resend_after_a_35_second_call():
    assert earliest_resend(START, CALL) - START == timedelta(minutes=25, seconds=35)
    miss = after_miss(START + timedelta(minutes=1), START, CALL, 0, None)
    assert (miss.verdict, miss.counted) == (WAIT, 0)
    assert miss.next_look == START + timedelta(minutes=20, seconds=35)


def test_one_late_miss_is_not_enough():
    late = START + timedelta(hours=2)
    miss = after_miss(late, START, CALL, 0, None)
    assert (miss.verdict, miss.counted, miss.next_look) == (WAIT, 1, late + timedelta(minutes=5))
    again = after_miss(late + timedelta(minutes=1), START, CALL, miss.counted, miss.counted_at)
    assert (again.verdict, again.counted) == (WAIT, 1), "misses close together count once"
    settled = after_miss(late + timedelta(minutes=5), START, CALL, again.counted, again.counted_at)
    assert settled.verdict == ABSENT


def test_look_ups_failing_for_a_day_hand_the_outcome_to_a_person():
    day = START + HAND_OVER_AFTER
    assert not after_failed_look_up(day - timedelta(seconds=1), START)
    assert after_failed_look_up(day, START)
    # Misses settle it by themselves, however late.
    assert after_miss(day, START, CALL, 1, day - timedelta(minutes=5)).verdict == ABSENT
