"""One rate limit per API key across processes, kept in the database."""

import hashlib
import time

from psycopg2.extensions import TransactionRollbackError

# Reservations of one key by many processes at once: Odoo's repeatable-read transactions
# refuse a concurrent update of the slot, and a new transaction simply tries again.
MAX_TRIES = 50


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
        for _attempt in range(MAX_TRIES):
            try:
                delay = self._reserve()
                break
            except TransactionRollbackError:
                continue
        else:
            raise RuntimeError("No rate limit slot could be reserved")
        if delay > 0:
            self._sleep(delay)

    def _reserve(self):
        """Seconds until this call's slot, reserved and committed."""
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
                # A refused concurrent update is expected here and tried again.
                log_exceptions=False,
            )
            # Leaving the cursor's block commits the reservation.
            return float(cr.fetchone()[0])
