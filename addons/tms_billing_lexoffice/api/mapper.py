"""Plain invoice drafts and contacts to lexoffice payloads, and back.

Drafts and contacts come as the shapes of ``tms_billing/export_contract.py``:
``InvoiceDraft`` (``kind`` "invoice"), ``CreditNoteDraft`` ("credit_note") and
``ContactDraft``. A contact here also carries ``allow_tax_free`` (the customer is billed
without German VAT), which only lexoffice's contact payload needs.

Every rule below names its section of the vendor's documentation,
https://developers.lexware.io/docs/.
"""

import html
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from ...tms_billing_sync.export_contract import rates_not_allowed
from .const import (
    CONTACT_TAX_TYPES,
    EU_VAT_PREFIXES,
    MAX_LINE_ITEMS,
    TAX_TYPES,
    TAXED_TAX_TYPES,
    TEXT_LIMITS,
    allowed_tax_rates,
)
from .errors import MappingError, _lt

ELLIPSIS = "…"


def format_timestamp(value, tz="Europe/Berlin"):
    """``yyyy-MM-ddTHH:mm:ss.SSSXXX`` exactly, e.g. ``2025-06-02T00:00:00.000+02:00``."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    stamp = value.isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z") if value.utcoffset().total_seconds() == 0 else stamp


# Texts without a documented limit (address fields, unit name, payment term label,
# contact name) are sent whole: lexoffice's own validation error names one too long.
# The remark's last line names our reference, by which a pushed invoice is found again.
# No invoice field is documented as unprinted (#invoices-endpoint-properties), so it is
# worded for the customer who reads it.
CONTACT_NOTE = "Angelegt aus Odoo, Referenz {marker}"
MARKER_WORDING = {"de": "Unsere Referenz: {marker}", "en": "Our reference: {marker}"}


def truncate(text, limit):
    if text is None or len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def fit(text, field):
    """``text`` cut to the documented maximum length of ``field`` (TEXT_LIMITS)."""
    return truncate(text, TEXT_LIMITS[field])


def escape_search_name(name):
    """Escape a contact search term as the API requires.

    ``_`` and ``%`` are wildcards unless escaped; ``&``, ``<`` and ``>`` must be HTML
    escaped (a plain ``&`` silently matches nothing). URL encoding is left to requests.
    """
    escaped = name.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")
    return html.escape(escaped, quote=False)


def marker_line(marker, language="de"):
    """The remark's last line, by which a pushed invoice is recognised again."""
    return MARKER_WORDING.get(language, MARKER_WORDING["en"]).format(marker=marker)


def contact_has_marker(contact, marker):
    """Whether ``contact`` (as lexoffice returns it) is the one created with ``marker``."""
    return isinstance(contact, dict) and marker in (contact.get("note") or "")


def has_marker(remark, marker):
    """Whether the remark's last line ends with ``marker``, whatever its wording."""
    lines = (remark or "").rstrip().splitlines()
    return bool(lines) and lines[-1].rstrip().endswith(marker)


def _remark_with_marker(remark, marker, language):
    """The remark ends with the marker, which must survive any truncation."""
    tail = marker_line(marker, language)
    if not remark:
        return tail
    room = TEXT_LIMITS["remark"] - len(tail) - 1
    return f"{truncate(remark, room)}\n{tail}"


def _shipping_conditions(draft, tz):
    start, end = draft.get("period_start"), draft.get("period_end")
    if start and end and end < start:
        raise MappingError(
            _lt(
                "The billing period of the invoice ends before it starts: correct Billing "
                "Period Start and End on the invoice's Transport tab."
            )
        )
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


def tax_rate_date(draft):
    """The date the tax rates must be valid on: "voucherDate if shippingType is none;
    shippingDate for service/delivery; shippingEndDate for the period types"
    (FAQ "Valid tax rates")."""
    kind = _shipping_conditions(draft, draft.get("timezone") or "Europe/Berlin")["shippingType"]
    if kind == "none":
        return draft["invoice_date"]
    if kind.endswith("period"):
        return draft.get("period_end") or draft["invoice_date"]
    return draft.get("delivery_date") or draft.get("period_start") or draft["invoice_date"]


def _line_item(line, price_key, currency):
    if not line.get("name"):
        raise MappingError(
            _lt("Every invoice line needs a label: enter one on each line of the invoice.")
        )
    item = {
        # Free lines are "custom": service and material lines need an article id.
        "type": "custom",
        "name": fit(line["name"], "lineItemName"),
        "quantity": round(float(line["quantity"]), 4),
        "unitName": line.get("unit_name") or "Stück",
        "unitPrice": {
            "currency": currency,
            price_key: round(float(line["unit_price"]), 4),
            "taxRatePercentage": round(float(line.get("tax_rate") or 0.0), 4),
        },
    }
    if line.get("description"):
        item["description"] = fit(line["description"], "lineItemDescription")
    if line.get("discount"):
        item["discountPercentage"] = round(float(line["discount"]), 4)
    return item


def invoice_tax_type(tax_type, tax_mode):
    """The taxType of an invoice: a mapping of ``taxable`` follows the invoice's own
    net/gross mode, as "net" and "gross" are both the taxed case and the price kind."""
    if tax_type == "taxable":
        return "gross" if tax_mode == "gross" else "net"
    return tax_type


def check_tax_rates(tax_type, rates, relevant_date):
    """Raise MappingError unless every rate is allowed for ``tax_type`` on the date."""
    refusal = rates_not_allowed(rates, allowed_tax_rates(tax_type, relevant_date))
    if refusal:
        raise MappingError(
            _lt(
                "Tax type %(tax_type)s allows tax rates of %(allowed)s %% only, not "
                "%(refused)s %%: choose the lexoffice tax type of this tax situation on the "
                "Taxes tab of the connection (Transport Billing > Configuration > "
                "Accounting Systems), or correct the taxes of the invoice lines."
            ),
            tax_type=tax_type,
            **refusal,
        )


# What an invoice ("invoice") and a credit note ("credit_note") are told alike, each in
# its own words.
CURRENCY_REFUSALS = {
    "invoice": _lt(
        "lexoffice takes invoices in EUR only, not in %(currency)s: create the invoice in EUR."
    ),
    "credit_note": _lt(
        "lexoffice takes credit notes in EUR only, not in %(currency)s: create the credit "
        "note in EUR."
    ),
}
NO_LINES_REFUSALS = {
    "invoice": _lt("An invoice needs at least one line."),
    "credit_note": _lt("A credit note needs at least one line."),
}
TOO_MANY_LINES_REFUSALS = {
    "invoice": _lt(
        "lexoffice takes at most %(limit)s lines per invoice, this one has %(count)s: set "
        "Invoice Lines to Aggregated positions on the customer's Transport Billing tab."
    ),
    "credit_note": _lt(
        "lexoffice takes at most %(limit)s lines per credit note, this one has %(count)s: "
        "split the refund into several credit notes."
    ),
}


def _checked_voucher(draft, tax_type, tax_note, kind, rate_date):
    """What an invoice and a credit note check alike before any call (``kind``:
    "invoice" or "credit_note"): ``(currency, lines, tax_type, timezone, price_key,
    tax_conditions)``; raises MappingError."""
    currency = draft.get("currency") or "EUR"
    # "Only possible value is EUR" (#voucherlist-endpoint; totalPrice.currency).
    if currency != "EUR":
        raise MappingError(CURRENCY_REFUSALS[kind], currency=currency)
    lines = draft.get("lines") or []
    if not lines:
        raise MappingError(NO_LINES_REFUSALS[kind])
    # "A maximum of 300 line items can be used in a single invoice" / "... credit note"
    # (#invoices-endpoint, #credit-notes-endpoint-credit-notes-properties).
    if len(lines) > MAX_LINE_ITEMS:
        raise MappingError(TOO_MANY_LINES_REFUSALS[kind], limit=MAX_LINE_ITEMS, count=len(lines))
    tax_type = invoice_tax_type(tax_type, draft.get("tax_mode"))
    if tax_type not in TAX_TYPES:
        raise MappingError(
            _lt(
                "Unknown tax type %(tax_type)s for lexoffice: choose the lexoffice tax type "
                "of each tax situation on the Taxes tab of the connection (Transport "
                "Billing > Configuration > Accounting Systems)."
            ),
            tax_type=repr(tax_type),
        )
    if tax_type in CONTACT_TAX_TYPES and not draft.get("contact_id"):
        raise MappingError(
            _lt(
                "Tax type %(tax_type)s needs a linked lexoffice contact: link the customer "
                "to its lexoffice contact on the customer's Transport Billing tab."
            ),
            tax_type=tax_type,
        )
    check_tax_rates(tax_type, [line.get("tax_rate") or 0.0 for line in lines], rate_date)
    # unitPrice: netAmount "Only relevant if taxConditions.taxType != gross", grossAmount
    # "Only relevant if ... == gross" (#invoices-endpoint-line-items-details).
    price_key = "grossAmount" if tax_type == "gross" else "netAmount"
    tax_conditions = {"taxType": tax_type}
    # "When taxType is set to a vat-free tax type then a note regarding the conditions can
    # be set. When omitted Lexware sets the organization's default." (taxTypeNote)
    if tax_note and tax_type not in TAXED_TAX_TYPES:
        tax_conditions["taxTypeNote"] = tax_note
    tz = draft.get("timezone") or "Europe/Berlin"
    return currency, lines, tax_type, tz, price_key, tax_conditions


def build_invoice_payload(draft, tax_type="taxable", tax_note=None):
    """The ``POST /v1/invoices`` body for ``draft``; raises MappingError before any call.

    ``tax_type`` is the connection's code for the draft's tax situation: ``taxable`` or
    one of the vat-free taxTypes; ``tax_note`` the taxTypeNote of vat-free invoices.
    """
    currency, lines, tax_type, tz, price_key, tax_conditions = _checked_voucher(
        draft, tax_type, tax_note, "invoice", tax_rate_date(draft)
    )
    payload = {
        "voucherDate": format_timestamp(draft["invoice_date"], tz),
        "address": _address(draft),
        "lineItems": [_line_item(line, price_key, currency) for line in lines],
        "totalPrice": {"currency": currency},
        "taxConditions": tax_conditions,
        "shippingConditions": _shipping_conditions(draft, tz),
        "remark": _remark_with_marker(
            draft.get("remark"), draft["marker"], draft.get("language") or "de"
        ),
    }
    if draft.get("title"):
        payload["title"] = fit(draft["title"], "title")
    if draft.get("introduction"):
        payload["introduction"] = fit(draft["introduction"], "introduction")
    term = draft.get("payment_term")
    if term:
        conditions = {"paymentTermLabel": term["label"]}
        if term.get("days") is not None:
            conditions["paymentTermDuration"] = int(term["days"])
        payload["paymentConditions"] = conditions
    return payload


# The credit note's header names the invoice it refunds: "the printed document does not
# show the related invoice resp. the invoice number. However, to show the invoice
# number, it can simply be included in the header text (introduction)"; introduction:
# "We recommended to include the invoice number in the header when the credit note is
# related to an invoice" (#credit-notes-endpoint-purpose, -credit-notes-properties).
CREDIT_NOTE_WORDING = {
    "de": "Gutschrift zur Rechnung {number}",
    "en": "Credit note for invoice {number}",
}


def _credit_line_item(line, price_key, currency):
    """A credit note's line: "Compared to invoices, credit notes do not have ... any line
    item discounts" (#credit-notes-endpoint-credit-notes-properties), so a discount is
    folded into the unit price. The documentation does not say whether amounts are
    positive or negative; its own credit note samples carry positive netAmount values
    and totals, and so positive amounts are sent."""
    line = dict(line)
    discount = float(line.pop("discount", 0) or 0)
    if discount:
        line["unit_price"] = float(line["unit_price"]) * (1 - discount / 100.0)
    if float(line["unit_price"]) < 0 or float(line["quantity"]) < 0:
        raise MappingError(
            _lt(
                "A credit note's lines need positive quantities and prices: enter the "
                "refunded amounts as positive lines of the credit note."
            )
        )
    return _line_item(line, price_key, currency)


def build_credit_note_payload(draft, tax_type="taxable", tax_note=None, preceding_number=None):
    """The ``POST /v1/credit-notes`` body of a refund (#credit-notes-endpoint-create-a-
    credit-note); raises MappingError before any call.

    The required properties are the invoice's without shippingConditions: "credit notes
    do not have a due date, shipping conditions, delivery terms, payment conditions and
    any line item discounts" (#credit-notes-endpoint-credit-notes-properties).
    """
    # "for voucher types without shippingConditions (i.e., quotations, credit notes),
    # the relevant date is voucherDate" (FAQ "Valid tax rates").
    currency, lines, tax_type, tz, price_key, tax_conditions = _checked_voucher(
        draft, tax_type, tax_note, "credit_note", draft["invoice_date"]
    )
    language = draft.get("language") or "de"
    header = None
    if preceding_number:
        header = CREDIT_NOTE_WORDING.get(language, CREDIT_NOTE_WORDING["en"]).format(
            number=preceding_number
        )
    introduction = "\n".join(part for part in (header, draft.get("introduction")) if part)
    payload = {
        "voucherDate": format_timestamp(draft["invoice_date"], tz),
        "address": _address(draft),
        "lineItems": [_credit_line_item(line, price_key, currency) for line in lines],
        "totalPrice": {"currency": currency},
        "taxConditions": tax_conditions,
        "remark": _remark_with_marker(draft.get("remark"), draft["marker"], language),
    }
    if draft.get("title"):
        payload["title"] = fit(draft["title"], "title")
    if introduction:
        payload["introduction"] = fit(introduction, "introduction")
    return payload


def _address(draft):
    """The invoice address (#invoices-endpoint-address-details): ``name`` and
    ``countryCode`` are "only required when no existing contact is referenced"; with a
    contact, "the referenced address can also be modified for this specific invoice ...
    by setting all required address fields", so the Odoo invoice address is sent too."""
    address = draft.get("address") or {}
    result = {"contactId": draft["contact_id"]} if draft.get("contact_id") else {}
    if not address.get("name") or not address.get("country_code"):
        if result:
            return result
        raise MappingError(
            _lt(
                "Without a linked lexoffice contact the invoice address needs a name and a "
                "country: enter them on the customer, or link the customer to its lexoffice "
                "contact on the customer's Transport Billing tab."
            )
        )
    result.update({"name": address["name"], "countryCode": address["country_code"]})
    for key in ("supplement", "street", "zip", "city"):
        if address.get(key):
            result[key] = address[key]
    return result


def _split_name(contact):
    first, last = contact.get("first_name"), contact.get("last_name")
    if last:
        return first, last
    parts = (contact.get("name") or "").strip().rsplit(" ", 1)
    if not parts[0]:
        raise MappingError(
            _lt(
                "A person needs a last name in lexoffice: enter the customer's name as "
                "first and last name."
            )
        )
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def is_eu_vat_id(vat):
    """Whether ``vat`` is a VAT ID lexoffice's contact field takes: one of an EU member
    state, by its prefix (EU_VAT_PREFIXES).

    The field is for contacts inside the EU only and is checked (help centre, "Wie
    erstelle ich besondere Rechnungen?"), so a Swiss (CHE...) or Norwegian (NO...) number
    is left out of the contact, and put nowhere else: no contact field is documented for
    a VAT number from outside the EU, and the ``note``, "just additional information"
    (#contacts-endpoint), holds our reference. lexoffice does not need it either: a
    customer in a third country is billed with a vat-free tax type, usable only "in
    combination with a referenced contact" (#invoices-endpoint, Purpose) that allows
    tax-free invoices (``allowTaxFreeInvoices``, the same help centre article). The
    number stays on the customer in Odoo."""
    return bool(vat) and vat[:2].upper() in EU_VAT_PREFIXES


def build_contact_payload(contact):
    """The ``POST /v1/contacts`` body of a customer (company or person)."""
    payload = {"version": 0, "roles": {"customer": {}}}
    if contact.get("is_company"):
        if not contact.get("name"):
            raise MappingError(_lt("A company needs a name: enter the customer's name."))
        company = {"name": contact["name"]}
        if is_eu_vat_id(contact.get("vat")):
            company["vatRegistrationId"] = contact["vat"]
        if contact.get("allow_tax_free"):
            # Help centre: tax-free invoices (§ 13b, third countries) need "Steuerfreie
            # Rechnungen erlauben" on the customer; the API names the flag only.
            company["allowTaxFreeInvoices"] = True
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
    if contact.get("marker"):
        # The contact's "note" is "just additional information" (#contacts-endpoint): it
        # carries our reference, to find the contact when the answer to its creation
        # was lost.
        payload["note"] = fit(CONTACT_NOTE.format(marker=contact["marker"]), "contactNote")
    if contact.get("email"):
        payload["emailAddresses"] = {"business": [contact["email"]]}
    if contact.get("phone"):
        payload["phoneNumbers"] = {"business": [contact["phone"]]}
    return payload


# voucherStatus of an invoice (#invoices-endpoint-properties; "overdue" and "paidoff" as
# listed for the voucher list, #voucherlist-endpoint); of a credit note "draft, open,
# paidoff (has been fully paid back to the customer), voided"
# (#credit-notes-endpoint-credit-notes-properties); anything else is kept as unknown.
STATUSES = {
    "draft": "draft",
    "open": "open",
    "overdue": "open",
    "paid": "paid",
    "paidoff": "paid",
    "voided": "voided",
}


def parse_invoice_status(body):
    """What we keep of ``GET /v1/invoices/{id}``."""
    if not isinstance(body, dict):
        raise MappingError(_lt("lexoffice answered without an invoice."))
    totals = body.get("totalPrice") or {}
    raw = body.get("voucherStatus")
    return {
        "status": STATUSES.get(raw, "unknown"),
        "raw_status": raw,
        "number": body.get("voucherNumber"),
        "total_gross": totals.get("totalGrossAmount"),
        # "Version (revision) number which will be increased on each change"
        # (#invoices-endpoint-invoices-properties): what the document was rendered from.
        "document_version": str(body["version"]) if body.get("version") is not None else None,
    }


def contact_buyer_reference(contact):
    """The Leitweg-ID of a lexoffice contact, or None: ``xRechnung.buyerReference``, which
    "Contacts for German public authorities should be created with", together with
    ``vendorNumberAtCustomer`` (#contacts-endpoint, XRechnung Details)."""
    xrechnung = contact.get("xRechnung") if isinstance(contact, dict) else None
    if not isinstance(xrechnung, dict):
        return None
    return xrechnung.get("buyerReference") or None


def with_buyer_reference(payload, buyer_reference):
    """``payload`` of an invoice with the customer's Leitweg-ID: "The buyerReference
    (Leitweg-ID) stored in the referenced contact can be overwritten for a specific
    invoice by transmitting a different buyerReference during invoice creation", and
    "If xRechnung is present, buyerReference is a mandatory field"
    (#invoices-endpoint-xrechnung-details)."""
    if not buyer_reference or not buyer_reference.strip():
        raise MappingError(
            _lt(
                "An XRechnung invoice needs the buyer reference (Leitweg-ID): enter it on "
                "the customer's Transport Billing tab."
            )
        )
    if not (payload.get("address") or {}).get("contactId"):
        # "XRechnung properties are only relevant if an XRechnung enabled contact is
        # referenced" (same section).
        raise MappingError(
            _lt(
                "An XRechnung invoice needs a linked lexoffice contact: link the customer "
                "to its lexoffice contact on the customer's Transport Billing tab."
            )
        )
    return dict(payload, xRechnung={"buyerReference": buyer_reference.strip()})


def _cents(value):
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _net_totals(lines):
    """``(net, tax)`` of net lines as an EN 16931 invoice states them: each line's net
    amount rounded to the cent (BT-131), the VAT of each rate on the sum of its lines
    (BT-117), rounded to the cent."""
    per_rate = {}
    for line in lines:
        factor = Decimal(str(line["quantity"])) * (
            1 - Decimal(str(line.get("discount") or 0)) / 100
        )
        amount = _cents(Decimal(str(line["unit_price"])) * factor)
        rate = Decimal(str(line.get("tax_rate") or 0))
        per_rate[rate] = per_rate.get(rate, Decimal(0)) + amount
    net = sum(per_rate.values(), Decimal(0))
    tax = sum((_cents(base * rate / 100) for rate, base in per_rate.items()), Decimal(0))
    return net, tax


def xrechnung_net_draft(draft):
    """A gross ``draft`` as the net invoice lexoffice sends as XRechnung, or None.

    lexoffice's FAQ "XRechnung": an invoice with ``xRechnung`` must have the tax type
    ``net``, so a gross invoice for a customer with a Leitweg-ID goes there with net
    unit prices: each gross price divided by its tax rate, to 4 decimals (lexoffice's
    precision for unit prices). That is only the same invoice when its net amount, VAT
    and total come out as the draft's ``totals`` to the cent; None when they do not."""
    lines = [
        dict(
            line,
            unit_price=float(
                (
                    Decimal(str(line["unit_price"]))
                    / (1 + Decimal(str(line.get("tax_rate") or 0)) / 100)
                ).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            ),
        )
        for line in draft["lines"]
    ]
    net, tax = _net_totals(lines)
    totals = draft["totals"]
    if (net, tax, net + tax) != (
        _cents(totals["net"]),
        _cents(totals["tax"]),
        _cents(totals["gross"]),
    ):
        return None
    return dict(draft, tax_mode="net", lines=lines)


def to_date(value):
    """Parse a lexoffice timestamp back to a date (used by tests and status read-back)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).date() if value else None


__all__ = [
    "build_contact_payload",
    "build_credit_note_payload",
    "build_invoice_payload",
    "check_tax_rates",
    "contact_buyer_reference",
    "escape_search_name",
    "fit",
    "format_timestamp",
    "has_marker",
    "invoice_tax_type",
    "is_eu_vat_id",
    "marker_line",
    "parse_invoice_status",
    "tax_rate_date",
    "to_date",
    "truncate",
    "with_buyer_reference",
    "xrechnung_net_draft",
]
