"""Odoo-free lexoffice API client and payload mapper."""

from .client import LexofficeClient, RateLimiter, verify_webhook_signature
from .errors import (
    AuthenticationError,
    ConflictError,
    LexofficeError,
    MappingError,
    RateLimitError,
    ServerError,
    UnknownOutcomeError,
    ValidationError,
)
from .mapper import (
    build_contact_payload,
    build_invoice_payload,
    escape_search_name,
    format_timestamp,
    has_marker,
    parse_invoice_status,
)

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "LexofficeClient",
    "LexofficeError",
    "MappingError",
    "RateLimitError",
    "RateLimiter",
    "ServerError",
    "UnknownOutcomeError",
    "ValidationError",
    "build_contact_payload",
    "build_invoice_payload",
    "escape_search_name",
    "format_timestamp",
    "has_marker",
    "parse_invoice_status",
    "verify_webhook_signature",
]
