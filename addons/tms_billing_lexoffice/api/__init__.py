"""Odoo-free lexoffice API client and payload mapper."""

from .client import LexofficeClient, RateLimiter, verify_webhook_signature
from .errors import (
    AuthenticationError,
    ConflictError,
    LexofficeError,
    LookupFailedError,
    MappingError,
    RateLimitError,
    ServerError,
    UnknownOutcomeError,
    ValidationError,
    WebhookKeyError,
)
from .mapper import (
    build_contact_payload,
    build_invoice_payload,
    check_tax_rates,
    escape_search_name,
    format_timestamp,
    contact_has_marker,
    has_marker,
    invoice_tax_type,
    parse_invoice_status,
    tax_rate_date,
)

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "LexofficeClient",
    "LexofficeError",
    "LookupFailedError",
    "MappingError",
    "RateLimitError",
    "RateLimiter",
    "ServerError",
    "UnknownOutcomeError",
    "ValidationError",
    "WebhookKeyError",
    "build_contact_payload",
    "build_invoice_payload",
    "check_tax_rates",
    "contact_has_marker",
    "escape_search_name",
    "format_timestamp",
    "has_marker",
    "invoice_tax_type",
    "parse_invoice_status",
    "tax_rate_date",
    "verify_webhook_signature",
]
