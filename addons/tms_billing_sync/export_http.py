"""The HTTP transport both providers' API clients share (Odoo-free, on requests).

One call is sent without following redirects, and every way it can fail becomes one of
the provider's own exceptions, saying whether the call may have been performed: a create
that got no answer may have created the invoice, which the ledger then looks up instead
of sending it again (``export_errors.ExportOutcomeUnknown``).
"""

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

# Answers that were not performed (429) or may be repeated after a wait (gateway errors);
# a provider's Retry class decides which methods repeat them.
RETRY_STATUSES = (429, 502, 503, 504)


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
    (``unreachable_class``) and a create whose outcome is unknown (``unknown_class``).
    """

    label = None
    default_base_url = None
    error_class = None
    unreachable_class = None
    unknown_class = None

    def __init__(self, secret, base_url, timeout, retry, session=None):
        self._secret = secret
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.timeout = timeout
        self.session = retrying_session(retry, session)

    def __repr__(self):
        return f"<{type(self).__name__} {self.base_url} secret=***>"

    def _send(self, method, path, *, creates, **kwargs):
        """One call of ``path``, its redirect refused; ``creates`` says whether it may
        create something there."""
        try:
            # Never follow a redirect: a 307 would send the invoice (and a 302 the
            # request) to whatever host the answer names.
            response = self.session.request(
                method,
                f"{self.base_url}{path}",
                timeout=self.timeout,
                allow_redirects=False,
                **kwargs,
            )
        except (requests.Timeout, requests.ConnectionError) as error:
            if creates and not never_sent(error):
                raise self.unknown_class(
                    f"No answer from {self.label} to {method} {path}; it may have been performed"
                ) from None
            raise self.unreachable_class(
                f"{self.label} could not be reached ({type(error).__name__})"
            ) from None
        except ValueError as error:
            # requests refuses a header it cannot send (a key with a line break, or
            # characters outside Latin-1) before anything leaves this machine.
            raise self.error_class(f"The request could not be sent: {error}") from None
        if response.is_redirect:
            location = response.headers.get("Location", "")
            raise self.error_class(
                f"{self.label} redirected {method} {path} to {location}; check the API URL",
                response.status_code,
            )
        return response

    def _json(self, response, method, path, *, creates):
        """The JSON body of a successful answer. An answer that is no JSON is refused,
        and to a create it leaves the outcome unknown: the create may have been done."""
        try:
            return response.json() if response.content else {}
        except ValueError:
            message = f"{self.label} answered {method} {path} with something other than JSON"
            if creates:
                raise self.unknown_class(message, response.status_code) from None
            raise self.error_class(message, response.status_code) from None
