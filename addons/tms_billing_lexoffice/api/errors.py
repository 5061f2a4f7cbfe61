"""Exceptions of the lexoffice client; they carry the provider's own details.

Every message is a template marked with ``_lt`` and its named parameters, e.g.
``MappingError(_lt("A company needs a name: ..."))``: Odoo's translation export takes
the template into this addon's translations, and the Odoo side gives it in the reader's
language (``error.text(translate)``); ``message`` and ``str(error)`` are English.
"""

# ``_lt`` marks a template for Odoo's translation export, which extracts ``_lt("...")``
# from every .py file of this addon; it is translated where it is shown.
from ...tms_billing_sync.export_errors import TranslatableError, _lt  # noqa: F401


class LexofficeError(TranslatableError):
    """A call failed. ``details`` lists ``{"field", "message"}`` from the provider.
    Whether to retry is the connection's decision (``_lexoffice_errors`` maps each class to
    the export ledger's), not the client's.

    ``template`` and ``params`` make the message; the parameters' names must not be
    those of the other arguments."""

    def __init__(self, template, status=None, details=None, **params):
        self.status = status
        self.details = details or []
        super().__init__(template, **params)

    def _suffix(self):
        """The HTTP status and the provider's field messages, as lexoffice gave them."""
        text = f" (HTTP {self.status})" if self.status else ""
        if self.details:
            fields = "; ".join(
                f"{d['field']}: {d['message']}" if d.get("field") else d["message"]
                for d in self.details
            )
            text = f"{text}: {fields}"
        return text


class NotFoundError(LexofficeError):
    """404: "The requested resource does not exist (anymore)" (#http-status-codes), e.g.
    a draft deleted in the web app."""


class MappingError(LexofficeError, ValueError):
    """The draft cannot become a valid lexoffice payload; nothing was sent."""


class AuthenticationError(LexofficeError):
    """401/403: the API key is wrong or lacks the scope."""


class ValidationError(LexofficeError):
    """400/406/415/422: the provider refused the content; re-sending will not help."""


class ConflictError(LexofficeError):
    """409: stale version, or a document in a state that forbids the call."""


class RateLimitError(LexofficeError):
    """429 after all retries: the call was not performed."""


class ServerError(LexofficeError):
    """5xx after all retries."""


class UnknownOutcomeError(LexofficeError):
    """A create timed out or the gateway answered 504: it may have been performed."""


class LookupFailedError(LexofficeError):
    """The look-up for an invoice whose creation is uncertain failed: the outcome stays
    unknown, and the look-up is tried again later. Its message names the failed call's
    error (parameter ``error``), status and details included: they are not repeated."""

    def _suffix(self):
        return ""


class WebhookKeyError(LexofficeError, ValueError):
    """The public key configured for event callbacks is not a readable PEM key."""
