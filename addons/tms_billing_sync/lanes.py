"""A connection's rows worked on side by side, so that one slow answer does not leave
the key idle.

A provider's answer may come as late as the connection's read timeout (35 s by
default). Worked on one after another, 3 % of answers that late leave the key idle two
thirds of the time; in a few lanes, the others go on while one waits. The key's rate
limit (``rate_limit.SharedRateLimiter``) still spaces every call, whichever lane makes
it.

Nothing here imports ``odoo``.
"""

import threading
import time

# What a lane is given when no item is left for it to take.
_NONE_LEFT = object()


def run_in_lanes(items, work, lanes, deadline=None, clock=time.monotonic):
    """Calls ``work(item)`` for ``items``, in their order, on up to ``lanes`` threads at
    once, and returns ``{item: result}`` of the items worked on.

    A lane takes no new item once ``deadline`` (a ``clock`` value) has passed, except the
    first item of all, so that every run makes progress. A lane stops when ``work``
    returns None (no time was left for its call: the item is as it was). An exception of
    ``work`` stops its lane only; the first one is raised once every lane has ended.
    """
    pending = iter(items)
    lock = threading.Lock()
    results, errors = {}, []
    started = False

    def next_item():
        nonlocal started
        with lock:
            if errors or (started and deadline is not None and clock() > deadline):
                return _NONE_LEFT
            started = True
            return next(pending, _NONE_LEFT)

    def lane():
        while (item := next_item()) is not _NONE_LEFT:
            try:
                result = work(item)
            except Exception as error:  # raised once every lane ended
                with lock:
                    errors.append(error)
                return
            with lock:
                results[item] = result
            if result is None:
                return

    count = max(1, min(lanes, len(items)))
    if count == 1:
        lane()
    else:
        threads = [threading.Thread(target=lane, name=f"lane-{n}") for n in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return results
