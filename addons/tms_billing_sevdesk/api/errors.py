"""Exceptions of the sevDesk client."""


class SevdeskError(Exception):
    def __init__(self, message, status=None, exception_uuid=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.exception_uuid = exception_uuid

    def __str__(self):
        return f"{self.message} (HTTP {self.status})" if self.status else self.message


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
