"""The HTTP transport both providers' API clients share (Odoo-free, on requests).

One call is sent without following redirects, and every way it can fail becomes one of
the provider's own exceptions, saying whether the call may have been performed: a create
that got no answer may have created the invoice, which the ledger then looks up instead
of sending it again (``export_errors.ExportOutcomeUnknown``).

A call may have a deadline (a ``time.monotonic()`` value, ``ApiClient.until``): it is not
started with less than ``min_call_seconds`` left (``ExportDeadlineReached``), each of its
tries waits for the connection and the answer no longer than what is left, and it is
repeated only while the wait before the repeat and ``min_call_seconds`` still fit.
Without a deadline a call behaves as before: the configured timeout for each try.
"""

import threading
import time
from contextlib import contextmanager

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError, ResponseError
from urllib3.util import Retry, Timeout

from .export_errors import ExportDeadlineReached, _lt

# Answers that were not performed (429) or may be repeated after a wait (gateway errors);
# a provider's Retry class decides which methods repeat them.
RETRY_STATUSES = (429, 502, 503, 504)
# The least time a call is started with when it has a deadline: connecting and one
# short answer. Less than that, and the call would only fail as a timeout.
MIN_CALL_SECONDS = 1.0
# A socket timeout must be positive (0 would make it non-blocking).
_LEAST_TIMEOUT = 0.01
# The deadline of the call this thread is making: the session's Retry reads it here, as
# one session (and its Retry) serves every call of a client.
_CALL = threading.local()


def _earliest(*deadlines):
    known = [deadline for deadline in deadlines if deadline is not None]
    return min(known) if known else None


def _call_limits():
    """(deadline, min_call_seconds) of the call under way in this thread, or None."""
    return getattr(_CALL, "limits", None)


class DeadlineTimeout(Timeout):
    """urllib3's Timeout whose every try, repeats included, waits to connect and for
    the answer at most the configured time and never past ``deadline``
    (``time.monotonic()``). urllib3 clones the timeout for each try and reads these
    values when the try starts."""

    def __init__(self, connect, read, deadline):
        super().__init__(connect=connect, read=read)
        self.deadline = deadline

    def clone(self):
        return DeadlineTimeout(self._connect, self._read, self.deadline)

    def _left(self, configured):
        left = max(_LEAST_TIMEOUT, self.deadline - time.monotonic())
        return left if configured is None else min(configured, left)

    @property
    def connect_timeout(self):
        return self._left(self._connect)

    @property
    def read_timeout(self):
        return self._left(self._read)


class DeadlineRetry(Retry):
    """urllib3's Retry that repeats a call only while its deadline leaves room for the
    wait before the repeat and ``min_call_seconds`` of the repeat itself; otherwise the
    last answer (or the connection's failure) is what the call gives. A provider's
    Retry class derives from it; ``_wait_extra`` is the time it waits beyond the
    backoff (e.g. a rate limiter's turn) and ``_after_wait`` that wait itself."""

    def increment(
        self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None
    ):
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        limits = _call_limits()
        if limits:
            deadline, least = limits
            wait = retry._planned_wait(response) + retry._wait_extra()
            if time.monotonic() + wait + least > deadline:
                # What urllib3 raises when the tries are used up: the last answer is
                # handed back (raise_on_status=False), a failed connection raised.
                reason = error or ResponseError("no time left before the deadline to repeat")
                raise MaxRetryError(_pool, url, reason)
        return retry

    def _planned_wait(self, response):
        if response is not None and self.respect_retry_after_header:
            retry_after = self.get_retry_after(response)
            if retry_after is not None:
                return retry_after
        return self.get_backoff_time()

    def _wait_extra(self):
        return 0.0

    def _after_wait(self):
        """What a repeat waits for after its backoff (nothing here)."""

    def sleep(self, response=None):  # pylint: disable=missing-return
        # urllib3's Retry.sleep returns nothing.
        super().sleep(response)
        self._after_wait()
        limits = _call_limits()
        if limits and limits[0] - time.monotonic() < limits[1]:
            # The wait took longer than planned: the repeat is not sent.
            raise ExportDeadlineReached(
                "The call was not repeated: its deadline came during the wait before it."
            )
        return None


def retry_policy(retry_class, max_retries, backoff_factor, **kwargs):
    """urllib3's ``retry_class`` as both clients use it: failed connections and
    ``RETRY_STATUSES`` repeated with exponential backoff, ``Retry-After`` honoured, and
    the last answer handed back to the client rather than raised."""
    return retry_class(
        total=max_retries,
        connect=max_retries,
        status=max_retries,
        other=0,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor,
        respect_retry_after_header=True,
        raise_on_status=False,
        **kwargs,
    )


def retrying_session(retry, session=None):
    """``session`` (or a new one) repeating its calls by ``retry``."""
    session = session or requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def never_sent(error):
    """Whether a failed call certainly never reached the server: the connection could
    not be made (refused, no route, timed out while connecting)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = getattr(error.args[0] if error.args else None, "reason", None)
    return isinstance(reason, NewConnectionError)


class ApiClient:
    """The base of a provider's API client: where the API is, how long a call may take,
    and a session that repeats calls by the provider's retry policy.

    A provider's client names itself in messages (``label``) and gives the exceptions
    it raises for a refused request (``error_class``), an unreachable or broken server
    (``unreachable_class``) and a create whose outcome is unknown (``unknown_class``):
    ``export_errors.TranslatableError`` classes taking ``(template, status, ...,
    **params)``, whose templates here are this addon's translations.

    ``timeout`` is (connect, read) seconds, or one number for both. ``deadline`` (a
    ``time.monotonic()`` value, or None) bounds every call of the client; ``until``
    bounds the calls of a block. A call with less than ``min_call_seconds`` left is not
    started: ``export_errors.ExportDeadlineReached``.
    """

    label = None
    default_base_url = None
    error_class = None
    unreachable_class = None
    unknown_class = None

    def __init__(
        self,
        secret,
        base_url,
        timeout,
        retry,
        session=None,
        deadline=None,
        min_call_seconds=MIN_CALL_SECONDS,
    ):
        if not isinstance(retry, DeadlineRetry):
            raise TypeError("A client's retry policy must be a DeadlineRetry.")
        self._secret = secret
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.timeout = timeout
        self.deadline = deadline
        self.min_call_seconds = min_call_seconds
        self.session = retrying_session(retry, session)
        self._local = threading.local()

    def __repr__(self):
        return f"<{type(self).__name__} {self.base_url} secret=***>"

    # -- deadlines ----------------------------------------------------------------

    @contextmanager
    def until(self, deadline):
        """Calls made in this block, by this thread, end by ``deadline`` (a
        ``time.monotonic()`` value; None: no bound) or the client's own deadline,
        whichever comes first."""
        outer = getattr(self._local, "deadline", None)
        self._local.deadline = _earliest(outer, deadline)
        try:
            yield self
        finally:
            self._local.deadline = outer

    def call_deadline(self):
        """The deadline a call started now has, or None."""
        return _earliest(self.deadline, getattr(self._local, "deadline", None))

    def time_left(self):
        """Seconds until the deadline of a call started now (negative once it has
        passed), or None without one."""
        deadline = self.call_deadline()
        return None if deadline is None else deadline - time.monotonic()

    def _check_time(self, method, path):
        """The call's deadline, or ExportDeadlineReached if it leaves too little."""
        left = self.time_left()
        if left is not None and left < self.min_call_seconds:
            raise ExportDeadlineReached(
                f"{method} {path} was not sent to {self.label}: {max(left, 0.0):.1f} s were "
                f"left before the deadline, less than the {self.min_call_seconds:g} s a call "
                "needs. Nothing was performed; it is tried again later."
            )
        return self.call_deadline()

    def _call_timeout(self, deadline):
        if deadline is None:
            return self.timeout
        connect, read = self.timeout if isinstance(self.timeout, tuple) else (self.timeout,) * 2
        return DeadlineTimeout(connect, read, deadline)

    # -- one call -----------------------------------------------------------------

    def _send(self, method, path, *, creates, **kwargs):
        """One call of ``path``, its redirect refused; ``creates`` says whether it may
        create something there."""
        deadline = self._check_time(method, path)
        outer = _call_limits()
        _CALL.limits = (deadline, self.min_call_seconds) if deadline is not None else None
        try:
            # Never follow a redirect: a 307 would send the invoice (and a 302 the
            # request) to whatever host the answer names.
            response = self.session.request(
                method,
                f"{self.base_url}{path}",
                timeout=self._call_timeout(deadline),
                allow_redirects=False,
                **kwargs,
            )
        except (requests.Timeout, requests.ConnectionError) as error:
            if creates and not never_sent(error):
                raise self.unknown_class(
                    _lt(
                        "No answer from %(provider)s to %(method)s %(path)s; it may have "
                        "been performed"
                    ),
                    provider=self.label,
                    method=method,
                    path=path,
                ) from None
            raise self.unreachable_class(
                _lt("%(provider)s could not be reached (%(error)s)"),
                provider=self.label,
                error=type(error).__name__,
            ) from None
        except ValueError as error:
            # requests refuses a header it cannot send (a key with a line break, or
            # characters outside Latin-1) before anything leaves this machine.
            raise self.error_class(
                _lt(
                    "The request to %(provider)s could not be sent (%(error)s): check the API "
                    "key on the Credentials tab of the connection (Transport Billing > "
                    "Configuration > Accounting Systems)."
                ),
                provider=self.label,
                error=error,
            ) from None
        finally:
            _CALL.limits = outer
        if response.is_redirect:
            location = response.headers.get("Location", "")
            raise self.error_class(
                _lt(
                    "%(provider)s redirected %(method)s %(path)s to %(location)s: check the "
                    "API URL on the Credentials tab of the connection (Transport Billing > "
                    "Configuration > Accounting Systems)."
                ),
                response.status_code,
                provider=self.label,
                method=method,
                path=path,
                location=location,
            )
        return response

    def _json(self, response, method, path, *, creates):
        """The JSON body of a successful answer. An answer that is no JSON is refused,
        and to a create it leaves the outcome unknown: the create may have been done."""
        try:
            return response.json() if response.content else {}
        except ValueError:
            error_class = self.unknown_class if creates else self.error_class
            raise error_class(
                _lt("%(provider)s answered %(method)s %(path)s with something other than JSON"),
                response.status_code,
                provider=self.label,
                method=method,
                path=path,
            ) from None
