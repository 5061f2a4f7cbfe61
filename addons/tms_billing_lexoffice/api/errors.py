"""Exceptions of the lexoffice client; they carry the provider's own details."""


class LexofficeError(Exception):
    """A call failed. ``details`` lists ``{"field", "message"}`` from the provider.
    Whether to retry is the connection's decision (``_lexoffice_errors`` maps each class to
    the export ledger's), not the client's."""

    def __init__(self, message, status=None, details=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.details = details or []

    def __str__(self):
        text = self.message
        if self.status:
            text = f"{text} (HTTP {self.status})"
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
    unknown, and the look-up is tried again later."""


class WebhookKeyError(LexofficeError, ValueError):
    """The public key configured for event callbacks is not a readable PEM key."""
