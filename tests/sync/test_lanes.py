"""A connection's rows in lanes: one slow answer does not hold the others, the deadline
stops taking new rows, and no row is worked on twice."""

import threading
import time

import pytest
from tms_billing_lanes import run_in_lanes


def test_every_item_is_worked_on_once_in_order_of_taking():
    seen, lock = [], threading.Lock()

    def work(item):
        with lock:
            seen.append(item)
        return item * 2

    results = run_in_lanes(list(range(40)), work, lanes=6)
    assert sorted(seen) == list(range(40))
    assert results == {item: item * 2 for item in range(40)}


def test_a_slow_item_does_not_hold_the_other_lanes():
    """One answer as late as a read timeout: the other lanes work off the rest
    meanwhile."""
    release = threading.Event()
    done_while_slow = []

    def work(item):
        if item == 0:
            assert release.wait(5), "the other lanes never finished"
            return "slow"
        done_while_slow.append(item)
        if len(done_while_slow) == 9:
            release.set()
        return "fast"

    results = run_in_lanes(list(range(10)), work, lanes=3)
    assert sorted(done_while_slow) == list(range(1, 10))
    assert results[0] == "slow"


def test_one_lane_works_in_the_callers_thread():
    threads = set()
    results = run_in_lanes(
        [1, 2, 3], lambda item: threads.add(threading.current_thread()) or True, lanes=1
    )
    assert results == {1: True, 2: True, 3: True}
    assert threads == {threading.current_thread()}


def test_no_new_item_is_taken_after_the_deadline_but_the_first_always_is():
    now = [100.0]
    taken = []

    def work(item):
        taken.append(item)
        now[0] += 10  # each item takes 10 s of the clock
        return True

    run_in_lanes(list(range(5)), work, lanes=1, deadline=95.0, clock=lambda: now[0])
    assert taken == [0]
    taken.clear()
    now[0] = 100.0
    run_in_lanes(list(range(5)), work, lanes=1, deadline=125.0, clock=lambda: now[0])
    assert taken == [0, 1, 2]


def test_a_lane_stops_when_no_time_was_left_for_its_call():
    taken = []

    def work(item):
        taken.append(item)
        return None if item == 1 else True

    results = run_in_lanes([0, 1, 2, 3], work, lanes=1)
    assert taken == [0, 1]
    assert results == {0: True, 1: None}


def test_an_error_stops_its_lane_and_is_raised_after_the_others_ended():
    finished = []

    def work(item):
        if item == 0:
            raise RuntimeError("lane broke")
        time.sleep(0.01)
        finished.append(item)
        return True

    with pytest.raises(RuntimeError, match="lane broke"):
        run_in_lanes(list(range(6)), work, lanes=2)
    # The other lane finished the row it held; no new rows are taken after an error.
    assert len(finished) <= 2
