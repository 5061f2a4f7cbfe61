"""Plain invoice drafts and contacts to lexoffice payloads, and back.

An invoice draft is a dict::

    {
        "marker": "TMS-1f2e3d-42",      # unique per invoice and backend, kept in the remark
        "invoice_date": date,
        "currency": "EUR",
        "tax_mode": "net" | "gross",    # unit prices below are net or gross
        "tax_type": None | "vatfree" | ...,  # taxConditions.taxType, default tax_mode
        "period_start": date | None, "period_end": date | None,
        "delivery_date": date | None,
        "title": str | None, "introduction": str | None, "remark": str | None,
        "payment_term": {"label": str, "days": int | None} | None,
        "timezone": "Europe/Berlin",
        "contact_id": str | None,       # else the one-off "address" is used
        "address": {"name", "street", "zip", "city", "country_code"},
        "lines": [{"name", "description", "quantity", "unit_name", "unit_price",
                   "tax_rate", "discount"}],
    }

A contact is a dict with ``is_company``, ``name``, ``first_name``, ``last_name``,
``street``, ``zip``, ``city``, ``country_code``, ``email``, ``vat``, ``phone``.
"""

import html
from datetime import datetime, time
from zoneinfo import ZoneInfo

from .const import MAX_LINE_ITEMS, NAME_MAX, TAX_TYPES, TEXT_MAX, TITLE_MAX
from .errors import MappingError

ELLIPSIS = "…"


def format_timestamp(value, tz="Europe/Berlin"):
    """``yyyy-MM-ddTHH:mm:ss.SSSXXX`` exactly, e.g. ``2025-06-02T00:00:00.000+02:00``."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    stamp = value.isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z") if value.utcoffset().total_seconds() == 0 else stamp


def truncate(text, limit):
    if text is None or len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def escape_search_name(name):
    """Escape a contact search term as the API requires.

    ``_`` and ``%`` are wildcards unless escaped; ``&``, ``<`` and ``>`` must be HTML
    escaped (a plain ``&`` silently matches nothing). URL encoding is left to requests.
    """
    escaped = name.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")
    return html.escape(escaped, quote=False)


def marker_line(marker):
    """The remark's last line, by which a pushed invoice is recognised again."""
    return f"Ref. {marker}"


def has_marker(remark, marker):
    lines = (remark or "").splitlines()
    return bool(lines) and lines[-1] == marker_line(marker)


def _remark_with_marker(remark, marker):
    """The remark ends with the marker, which must survive any truncation."""
    tail = marker_line(marker)
    if not remark:
        return tail
    room = TEXT_MAX - len(tail) - 1
    return f"{truncate(remark, room)}\n{tail}"


def _shipping_conditions(draft, tz):
    start, end = draft.get("period_start"), draft.get("period_end")
    if start and end and end < start:
        raise MappingError("The billing period ends before it starts.")
    if start and end and start < end:
        return {
            "shippingType": "serviceperiod",
            "shippingDate": format_timestamp(start, tz),
            "shippingEndDate": format_timestamp(end, tz),
        }
    day = draft.get("delivery_date") or start or end
    if not day:
        return {"shippingType": "none"}
    return {"shippingType": "service", "shippingDate": format_timestamp(day, tz)}


def _line_item(line, price_key, currency):
    if not line.get("name"):
        raise MappingError("Every invoice line needs a name.")
    item = {
        "type": "custom",
        "name": truncate(line["name"], NAME_MAX),
        "quantity": round(float(line["quantity"]), 4),
        "unitName": line.get("unit_name") or "Stück",
        "unitPrice": {
            "currency": currency,
            price_key: round(float(line["unit_price"]), 4),
            "taxRatePercentage": round(float(line.get("tax_rate") or 0.0), 4),
        },
    }
    if line.get("description"):
        item["description"] = truncate(line["description"], TEXT_MAX)
    if line.get("discount"):
        item["discountPercentage"] = round(float(line["discount"]), 4)
    return item


def build_invoice_payload(draft):
    """The ``POST /v1/invoices`` body for ``draft``; raises MappingError before any call."""
    currency = draft.get("currency") or "EUR"
    if currency != "EUR":
        raise MappingError(f"lexoffice invoices are in EUR only, not {currency}.")
    lines = draft.get("lines") or []
    if not lines:
        raise MappingError("An invoice needs at least one line.")
    if len(lines) > MAX_LINE_ITEMS:
        raise MappingError(
            f"lexoffice accepts at most {MAX_LINE_ITEMS} lines, this invoice has {len(lines)}."
        )
    tax_type = draft.get("tax_type") or draft.get("tax_mode") or "net"
    if tax_type not in TAX_TYPES:
        raise MappingError(f"Unknown tax type {tax_type!r}.")
    if tax_type == "vatfree" and any(line.get("tax_rate") for line in lines):
        raise MappingError("A tax-free invoice cannot have lines with a tax rate.")
    tz = draft.get("timezone") or "Europe/Berlin"
    price_key = "grossAmount" if tax_type == "gross" else "netAmount"
    payload = {
        "voucherDate": format_timestamp(draft["invoice_date"], tz),
        "address": _address(draft),
        "lineItems": [_line_item(line, price_key, currency) for line in lines],
        "totalPrice": {"currency": currency},
        "taxConditions": {"taxType": tax_type},
        "shippingConditions": _shipping_conditions(draft, tz),
        "remark": _remark_with_marker(draft.get("remark"), draft["marker"]),
    }
    if draft.get("title"):
        payload["title"] = truncate(draft["title"], TITLE_MAX)
    if draft.get("introduction"):
        payload["introduction"] = truncate(draft["introduction"], TEXT_MAX)
    term = draft.get("payment_term")
    if term:
        conditions = {"paymentTermLabel": truncate(term["label"], NAME_MAX)}
        if term.get("days") is not None:
            conditions["paymentTermDuration"] = int(term["days"])
        payload["paymentConditions"] = conditions
    return payload


def _address(draft):
    if draft.get("contact_id"):
        return {"contactId": draft["contact_id"]}
    address = draft.get("address") or {}
    if not address.get("name") or not address.get("country_code"):
        raise MappingError("Without a linked contact the invoice needs a name and a country.")
    result = {"name": address["name"], "countryCode": address["country_code"]}
    for source, target in (("street", "street"), ("zip", "zip"), ("city", "city")):
        if address.get(source):
            result[target] = address[source]
    return result


def _split_name(contact):
    first, last = contact.get("first_name"), contact.get("last_name")
    if last:
        return first, last
    parts = (contact.get("name") or "").strip().rsplit(" ", 1)
    if not parts[0]:
        raise MappingError("A person needs a last name.")
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def build_contact_payload(contact):
    """The ``POST /v1/contacts`` body of a customer (company or person)."""
    payload = {"version": 0, "roles": {"customer": {}}}
    if contact.get("is_company"):
        if not contact.get("name"):
            raise MappingError("A company needs a name.")
        company = {"name": truncate(contact["name"], NAME_MAX)}
        if contact.get("vat"):
            company["vatRegistrationId"] = contact["vat"]
        payload["company"] = company
    else:
        first, last = _split_name(contact)
        person = {"lastName": last}
        if first:
            person["firstName"] = first
        payload["person"] = person
    if contact.get("country_code"):
        billing = {"countryCode": contact["country_code"]}
        for key in ("street", "zip", "city"):
            if contact.get(key):
                billing[key] = contact[key]
        payload["addresses"] = {"billing": [billing]}
    if contact.get("email"):
        payload["emailAddresses"] = {"business": [contact["email"]]}
    if contact.get("phone"):
        payload["phoneNumbers"] = {"business": [contact["phone"]]}
    return payload


def parse_invoice_status(body):
    """What we keep of ``GET /v1/invoices/{id}``."""
    totals = body.get("totalPrice") or {}
    return {
        "status": body.get("voucherStatus"),
        "number": body.get("voucherNumber"),
        "total_gross": totals.get("totalGrossAmount"),
    }


def to_date(value):
    """Parse a lexoffice timestamp back to a date (used by tests and status read-back)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).date() if value else None


__all__ = [
    "build_contact_payload",
    "build_invoice_payload",
    "escape_search_name",
    "format_timestamp",
    "has_marker",
    "marker_line",
    "parse_invoice_status",
    "to_date",
    "truncate",
]
