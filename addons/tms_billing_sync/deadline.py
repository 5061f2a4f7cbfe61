"""The deadline of the provider calls made within one run of a connection's job or one
request ("Send now"): a ``time.monotonic()`` value the providers' clients are made
with (``tms.billing.backend._tms_call_deadline``), so that a run's budget holds with
calls in flight."""

from ..tms_billing.call_scope import CallScope

CALL_DEADLINE = CallScope("call_deadline")
# The least time the calls of a run's first row are given, so that every run makes
# progress whatever its budget (the budget Odoo's limits leave a run is larger).
FIRST_ROW_SECONDS = 5
