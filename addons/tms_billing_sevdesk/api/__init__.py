"""Odoo-free sevDesk API client and payload mapper."""

from .client import SevdeskClient
from .errors import (
    AuthenticationError,
    MappingError,
    NotFoundError,
    RateLimitError,
    ServerError,
    SevdeskError,
    UnknownOutcomeError,
    ValidationError,
)
from .mapper import (
    LEGACY_TAX_TYPES,
    TAX_RULE_RATES,
    build_contact_address_payload,
    build_contact_payload,
    build_email_payload,
    build_save_credit_note_payload,
    build_save_invoice_payload,
    check_tax_rule,
    format_date,
    has_marker,
    parse_credit_note_status,
    parse_invoice_status,
)

__all__ = [
    "LEGACY_TAX_TYPES",
    "TAX_RULE_RATES",
    "AuthenticationError",
    "MappingError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "SevdeskClient",
    "SevdeskError",
    "UnknownOutcomeError",
    "ValidationError",
    "build_contact_address_payload",
    "build_contact_payload",
    "build_email_payload",
    "build_save_credit_note_payload",
    "build_save_invoice_payload",
    "check_tax_rule",
    "format_date",
    "has_marker",
    "parse_credit_note_status",
    "parse_invoice_status",
]
