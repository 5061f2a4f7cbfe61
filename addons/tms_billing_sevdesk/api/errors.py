"""Exceptions of the sevDesk client.

Every message is a template marked with ``_lt`` and its named parameters, e.g.
``MappingError(_lt("A company needs a name: ..."))``: Odoo's translation export takes
the template into this addon's translations, and the Odoo side gives it in the reader's
language (``error.text(translate)``); ``message`` and ``str(error)`` are English.
"""

# ``_lt`` marks a template for Odoo's translation export, which extracts ``_lt("...")``
# from every .py file of this addon; it is translated where it is shown.
from ...tms_billing_sync.export_errors import TranslatableError, _lt  # noqa: F401


class SevdeskError(TranslatableError):
    """A call failed. ``template`` and ``params`` make the message; the parameters'
    names must not be those of the other arguments."""

    def __init__(self, template, status=None, exception_uuid=None, **params):
        self.status = status
        self.exception_uuid = exception_uuid
        super().__init__(template, **params)

    def _suffix(self):
        return f" (HTTP {self.status})" if self.status else ""

    def recast(self, error_class):
        """The same error as an ``error_class``, e.g. a 400 that means "not found"."""
        return error_class(self.template, self.status, self.exception_uuid, **self.params)


class MappingError(SevdeskError, ValueError):
    """The draft cannot become a valid sevDesk payload; nothing was sent."""


class AuthenticationError(SevdeskError):
    """401/403: wrong token. Never retried: repeated errors can get a token blocked."""


class ValidationError(SevdeskError):
    """400/422, or a 500 whose message is a validation message."""


class NotFoundError(SevdeskError):
    """404."""


class RateLimitError(SevdeskError):
    """429 after all retries: the call was not performed."""


class ServerError(SevdeskError):
    """5xx after all retries, or sevDesk could not be reached."""


class UnknownOutcomeError(SevdeskError):
    """A create timed out, lost its connection or got 502/504: it may have been saved."""
