"""One rate limit per API key across processes, kept in the database."""

import hashlib
import time


class SharedRateLimiter:
    """Spaces the calls of one API key at most ``rate`` per second, over every process
    that uses the same database.

    Each call reserves the key's next free slot in a short transaction of its own (a
    cursor from ``cursor_factory``, committed at once, so no lock outlives it), then
    sleeps until the slot. It has the ``wait()`` of the clients' in-process limiter.
    """

    def __init__(self, cursor_factory, api_key, rate, sleep=time.sleep):
        self._cursor = cursor_factory
        self._key_hash = hashlib.sha256(api_key.encode()).hexdigest()
        self.interval = 1.0 / rate if rate else 0.0
        self._sleep = sleep

    def wait(self):
        if not self.interval:
            return
        with self._cursor() as cr:
            cr.execute(
                """
                INSERT INTO tms_billing_rate_slot AS slot (key_hash, next_at)
                VALUES (%(key)s, (clock_timestamp() AT TIME ZONE 'UTC')
                                 + %(interval)s * interval '1 second')
                ON CONFLICT (key_hash) DO UPDATE
                   SET next_at = GREATEST(slot.next_at, clock_timestamp() AT TIME ZONE 'UTC')
                                 + %(interval)s * interval '1 second'
                RETURNING EXTRACT(EPOCH FROM slot.next_at
                                  - (clock_timestamp() AT TIME ZONE 'UTC')) - %(interval)s
                """,
                {"key": self._key_hash, "interval": self.interval},
            )
            delay = float(cr.fetchone()[0])
        # Leaving the cursor's block committed the reservation.
        if delay > 0:
            self._sleep(delay)
