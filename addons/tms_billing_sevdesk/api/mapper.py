"""Plain invoice drafts and contacts to sevDesk payloads.

The draft is the dict described in ``tms_billing_lexoffice.api.mapper`` (the same shape
for every provider); sevDesk needs ``contact_id``. Backend settings come as arguments.
"""

from collections import OrderedDict

from .errors import MappingError

# Bookkeeping 2.0 tax rules and the rates each allows.
TAX_RULE_RATES = {
    "1": {0.0, 7.0, 19.0},
    "2": {0.0},
    "3": {0.0},
    "4": {0.0},
    "5": {0.0},
    "11": {0.0},
}
# Legacy (1.0) accounts name the same idea with taxType.
LEGACY_TAX_TYPES = {"1": "default", "2": "noteu", "3": "eu", "4": "ss", "5": "default", "11": "ss"}
STATUS_NAMES = {50: "cancelled", 100: "draft", 200: "open", 750: "partially_paid", 1000: "paid"}


def format_date(value):
    return value.strftime("%d.%m.%Y")


def _ref(object_name, object_id):
    return {"id": object_id, "objectName": object_name}


def _address_text(address):
    city = " ".join(part for part in (address.get("zip"), address.get("city")) if part)
    return "\n".join(part for part in (address.get("name"), address.get("street"), city) if part)


def build_save_invoice_payload(
    draft,
    *,
    contact_person_id,
    bookkeeping_version="2.0",
    tax_rule="1",
    unit_ids=None,
    country_ids=None,
):
    """The ``POST /Invoice/Factory/saveInvoice`` body; raises MappingError before any call."""
    if not draft.get("contact_id"):
        raise MappingError("The customer is not linked to a sevDesk contact.")
    if not contact_person_id:
        raise MappingError("The sevDesk backend has no contact person (sevDesk user).")
    lines = draft.get("lines") or []
    if not lines:
        raise MappingError("An invoice needs at least one line.")
    allowed = TAX_RULE_RATES.get(str(tax_rule))
    if allowed is None:
        raise MappingError(f"Unknown sevDesk tax rule {tax_rule}.")
    for line in lines:
        if float(line.get("tax_rate") or 0.0) not in allowed:
            raise MappingError(
                f"Tax rule {tax_rule} does not allow a tax rate of {line.get('tax_rate')} %."
            )
    invoice_date = draft["invoice_date"]
    start = draft.get("period_start") or draft.get("delivery_date")
    end = draft.get("period_end") or draft.get("delivery_date")
    if end and end > invoice_date:
        raise MappingError("A sevDesk invoice may not be delivered after its invoice date.")
    unit_ids = unit_ids or {"default": 1}
    country_ids = country_ids or {"DE": 1}
    address = draft.get("address") or {}
    gross = draft.get("tax_mode") == "gross"
    invoice = {
        "objectName": "Invoice",
        "mapAll": True,
        "contact": _ref("Contact", draft["contact_id"]),
        "contactPerson": _ref("SevUser", contact_person_id),
        "invoiceDate": format_date(invoice_date),
        "status": 100,
        "invoiceType": "RE",
        "currency": draft.get("currency") or "EUR",
        "header": draft.get("title") or draft.get("reference") or "",
        "headText": draft.get("introduction") or "",
        "footText": draft.get("remark") or "",
        "discount": 0,
        "address": _address_text(address),
        "addressCountry": _ref("StaticCountry", country_ids.get(address.get("country_code"), 1)),
        "showNet": not gross,
        "customerInternalNote": draft["marker"],
    }
    if start:
        invoice["deliveryDate"] = format_date(start)
    if end and end != start:
        invoice["deliveryDateUntil"] = format_date(end)
    term = draft.get("payment_term")
    if term and term.get("days") is not None:
        invoice["timeToPay"] = int(term["days"])
    if bookkeeping_version == "2.0":
        invoice["taxRule"] = _ref("TaxRule", str(tax_rule))
    else:
        invoice["taxType"] = LEGACY_TAX_TYPES[str(tax_rule)]
        invoice["taxRate"] = max(float(line.get("tax_rate") or 0.0) for line in lines)
        invoice["taxText"] = "Umsatzsteuer"
    positions = []
    for number, line in enumerate(lines):
        if not line.get("name"):
            raise MappingError("Every invoice line needs a name.")
        rate = float(line.get("tax_rate") or 0.0)
        price = round(float(line["unit_price"]), 4)
        position = {
            "objectName": "InvoicePos",
            "mapAll": True,
            "quantity": float(line["quantity"]),
            "price": round(price / (1 + rate / 100.0), 4) if gross else price,
            "name": line["name"],
            "text": line.get("description") or "",
            "unity": _ref("Unity", unit_ids.get(line.get("unit_name"), unit_ids["default"])),
            "taxRate": rate,
            "positionNumber": number,
        }
        if gross:
            position["priceGross"] = price
        if line.get("discount"):
            position["discount"] = float(line["discount"])
        positions.append(position)
    # sevDesk reads the top-level keys in this order.
    return OrderedDict(
        [
            ("invoice", invoice),
            ("invoicePosSave", positions),
            ("invoicePosDelete", None),
            ("discountSave", []),
            ("discountDelete", None),
            ("takeDefaultAddress", False),
        ]
    )


def build_contact_payload(contact):
    payload = {"category": _ref("Category", 3), "status": 1000}
    if contact.get("is_company"):
        if not contact.get("name"):
            raise MappingError("A company needs a name.")
        payload["name"] = contact["name"]
    else:
        last = contact.get("last_name") or (contact.get("name") or "").rsplit(" ", 1)[-1]
        if not last:
            raise MappingError("A person needs a last name.")
        payload["familyname"] = last
        first = contact.get("first_name")
        if first is None and " " in (contact.get("name") or ""):
            first = contact["name"].rsplit(" ", 1)[0]
        if first:
            payload["surename"] = first
    for source, target in (("customer_number", "customerNumber"), ("vat", "vatNumber")):
        if contact.get(source):
            payload[target] = str(contact[source])
    return payload


def build_contact_address_payload(contact_id, contact, country_ids=None):
    country_ids = country_ids or {"DE": 1}
    return {
        "contact": _ref("Contact", contact_id),
        "street": contact.get("street") or "",
        "zip": contact.get("zip") or "",
        "city": contact.get("city") or "",
        "country": _ref("StaticCountry", country_ids.get(contact.get("country_code"), 1)),
        "category": _ref("Category", 47),
    }


def build_email_payload(contact_id, email):
    return {
        "contact": _ref("Contact", contact_id),
        "type": "EMAIL",
        "value": email,
        "key": _ref("CommunicationWayKey", 2),
        "main": True,
    }


def parse_invoice_status(obj):
    code = int(obj.get("status") or 0)
    total = obj.get("sumGross")
    return {
        "status": STATUS_NAMES.get(code, str(code)),
        "code": code,
        "number": obj.get("invoiceNumber"),
        "total_gross": float(total) if total not in (None, "") else None,
    }
