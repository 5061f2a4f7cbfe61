"""Plain invoice drafts and contacts to sevDesk payloads.

Drafts and contacts come as the shapes of ``tms_billing/export_contract.py``
(``InvoiceDraft``, ``CreditNoteDraft``, ``ContactDraft``), the same for every provider;
sevDesk needs ``contact_id``. Backend settings come as arguments.

The judge of every rule here is sevDesk's OpenAPI file (``api.sevdesk.de/openapi.yaml``;
the public copy GitHub ``j-mastr/sevdesk-api``, ``external/openapi.yaml``, is what the
line numbers below refer to). Where that file is silent, the code says so.
"""

from collections import OrderedDict
from datetime import datetime, time
from zoneinfo import ZoneInfo

from ...tms_billing_sync.export_contract import rates_not_allowed
from .errors import MappingError, _lt

# Revenue tax rules an invoice may carry and the position tax rates each allows:
# openapi.yaml L4, "sevdesk-Update 2.0 > Tax Rules", tables "VAT rules for
# Regelbesteuerung (Revenue)" and "for small business owner (Revenue)"; the rule ids are
# the enum of Model_Invoice.taxRule.id (L13059-13070). The One Stop Shop rules 18-20
# allow rates "depending on country", which the file does not list: not supported here.
TAX_RULE_RATES = {
    "1": {0.0, 7.0, 19.0},  # Umsatzsteuerpflichtige Umsätze
    "2": {0.0},  # Ausfuhren
    "3": {0.0, 7.0, 19.0},  # Innergemeinschaftliche Lieferungen
    "4": {0.0},  # Steuerfreie Umsätze § 4 UStG
    "5": {0.0},  # Reverse Charge gem. § 13b UStG (field 60 of the VAT return)
    "11": {0.0},  # Steuer nicht erhoben nach § 19 UStG (Kleinunternehmer)
    "17": {0.0},  # Nicht im Inland steuerbare Leistung
    "21": {0.0},  # Reverse Charge gem. § 18b UStG (field 21 of the VAT return)
}
# Bookkeeping 1.0 accounts name a rule by its old taxType: the same table's column
# "Old property (deprecated)". The other rules have none and cannot be sent to them.
LEGACY_TAX_TYPES = {"1": "default", "3": "eu", "11": "ss", "17": "noteu"}
# Model_Invoice.status (L13022-13030; meanings: tag "Types and status of invoices", L168).
# 50 is a deactivated recurring invoice, which a pushed draft never becomes.
STATUS_NAMES = {"100": "draft", "200": "open", "750": "partially_paid", "1000": "paid"}
# Model_creditNoteResponse.status (L10539-10546; tag CreditNote, L114: 100 draft, 200
# open/delivered, 1000 paid); 750 read as for invoices. 300 and 500 (Model_creditNote
# enum, L10882-10891) are explained nowhere and are kept as unknown.
CREDIT_NOTE_STATUS_NAMES = {"100": "draft", "200": "open", "750": "partially_paid", "1000": "paid"}
# Model_creditNote.bookingCategory (L11071-11090): "UNDERACHIEVEMENT" is the credit note
# of an invoice, "you need to provide the ID of this invoice ... in the attribute
# refSrcInvoice" (tag CreditNote, L111/L117).
UNDERACHIEVEMENT = "UNDERACHIEVEMENT"
# Model_Contact.category: "Customer (ID: 3)" (tag Contact, L91).
CUSTOMER_CATEGORY = 3
# Model_Contact.status: "100 <-> Lead - 500 <-> Pending - 1000 <-> Active" (L9183).
CONTACT_ACTIVE = 1000
# Model_ContactAddress.category: the file only says "send a GET to
# /Category?objectType=ContactAddress" (L9724) and lists no ids; 47 is the invoice
# address category of sevDesk accounts as seen in public clients (unconfirmed).
INVOICE_ADDRESS_CATEGORY = 47
# CommunicationWayKey "Rechnungsadresse" / "Invoicing (ID: 8)": GET /CommunicationWayKey
# (L1641-1650) and tag CommunicationWay (L73-75).
INVOICE_EMAIL_KEY = 8
# The file gives no maxLength for any text (no maxLength anywhere in it): texts are sent
# whole, and a text sevDesk finds too long comes back as its validation error.
TIMEZONE = "Europe/Berlin"


def format_date(value):
    """``dd.mm.yyyy``: Model_Invoice.invoiceDate "timestamp or dd.mm.yyyy" (L12925)."""
    return value.strftime("%d.%m.%Y")


def timestamp(value, tz=TIMEZONE):
    """A day as a Unix timestamp, at noon in ``tz`` so that it is that day in any zone
    sevDesk may read it in: Model_Invoice.deliveryDateUntil is an integer (L13017)."""
    return int(datetime.combine(value, time(12), tzinfo=ZoneInfo(tz)).timestamp())


# What to tell when the id of a reference is not a number, and where it is corrected.
NOT_A_NUMBER = {
    "Contact": _lt(
        "The sevDesk contact id %(value)s is not a number: link the customer to its sevDesk "
        "contact again on the customer's Transport Billing tab."
    ),
    "SevUser": _lt(
        "The sevDesk user id %(value)s of the contact person is not a number: choose the "
        "contact person on the sevDesk tab of the connection (Transport Billing > "
        "Configuration > Accounting Systems)."
    ),
    "Unity": _lt(
        "The sevDesk unit id %(value)s is not a number: choose the unit on the sevDesk tab "
        "of the connection (Transport Billing > Configuration > Accounting Systems)."
    ),
    "Invoice": _lt("The sevDesk id %(value)s of the invoice is not a number."),
    "StaticCountry": _lt("The sevDesk country id %(value)s is not a number."),
    "Category": _lt("The sevDesk category id %(value)s is not a number."),
    "CommunicationWayKey": _lt("The sevDesk email key id %(value)s is not a number."),
}


def _ref(object_name, object_id):
    """A reference ``{id, objectName}``; the file types every such id an integer."""
    try:
        return {"id": int(object_id), "objectName": object_name}
    except (TypeError, ValueError):
        raise MappingError(NOT_A_NUMBER[object_name], value=repr(object_id)) from None


def _country_ref(country_ids, code):
    if not code:
        raise MappingError(
            _lt("The customer's address has no country: enter the country on the customer.")
        )
    if code.upper() not in country_ids:
        raise MappingError(
            _lt(
                "sevDesk knows no country with the ISO code %(code)s: check the country "
                "of the customer's address."
            ),
            code=code,
        )
    return _ref("StaticCountry", country_ids[code.upper()])


def _address_text(address):
    """Model_Invoice.address: "Complete address of the recipient including name,
    street, city, zip and country. Line breaks ... will be displayed" (L12965)."""
    city = " ".join(part for part in (address.get("zip"), address.get("city")) if part)
    parts = (
        address.get("name"),
        address.get("supplement"),
        address.get("street"),
        city,
        address.get("country_name"),
    )
    return "\n".join(part for part in parts if part)


def marker_note(draft):
    """``customerInternalNote``, by which a pushed invoice is found again (the
    ``GET /Invoice`` filter ``customerIntenalNote``, L176). sevDesk shows it as
    "Referenz/Bestellnummer" (L13307), so the customer's reference comes first."""
    reference = draft.get("customer_reference")
    return f"{reference} / {draft['marker']}" if reference else draft["marker"]


def has_marker(note, marker):
    return bool(note) and note.rstrip().endswith(marker)


def check_tax_rule(tax_rule, rates, bookkeeping_version="2.0"):
    """Raise MappingError unless ``tax_rule`` allows every rate in ``rates``."""
    allowed = TAX_RULE_RATES.get(str(tax_rule))
    if allowed is None:
        raise MappingError(
            _lt(
                "sevDesk invoices take no tax rule %(rule)s: choose the sevDesk tax rule of "
                "each tax situation on the Taxes tab of the connection (Transport Billing > "
                "Configuration > Accounting Systems)."
            ),
            rule=tax_rule,
        )
    refusal = rates_not_allowed(rates, allowed)
    if refusal:
        raise MappingError(
            _lt(
                "Tax rule %(rule)s allows tax rates of %(allowed)s %% only, not %(refused)s "
                "%%: choose the sevDesk tax rule of this tax situation on the Taxes tab of the "
                "connection (Transport Billing > Configuration > Accounting Systems), or "
                "correct the taxes of the invoice lines."
            ),
            rule=tax_rule,
            **refusal,
        )
    if bookkeeping_version != "2.0" and str(tax_rule) not in LEGACY_TAX_TYPES:
        raise MappingError(
            _lt(
                "Tax rule %(rule)s has no tax type on bookkeeping %(version)s, the sevDesk "
                "account's older bookkeeping system: choose one of the tax rules %(rules)s "
                "on the Taxes tab of the connection (Transport Billing > Configuration > "
                "Accounting Systems)."
            ),
            rule=tax_rule,
            version=bookkeeping_version,
            rules=", ".join(sorted(LEGACY_TAX_TYPES, key=int)),
        )


def build_save_invoice_payload(
    draft,
    *,
    contact_person_id,
    tax_rule,
    tax_text,
    country_ids,
    bookkeeping_version="2.0",
    unit_ids=None,
):
    """The ``POST /Invoice/Factory/saveInvoice`` body; raises MappingError before any call.

    ``country_ids`` maps ISO codes to sevDesk's StaticCountry ids.
    """
    if not draft.get("contact_id"):
        raise MappingError(
            _lt(
                "The customer is not linked to a sevDesk contact: link it on the customer's "
                "Transport Billing tab."
            )
        )
    if not contact_person_id:
        raise MappingError(
            _lt(
                "The connection has no sevDesk contact person: choose one on its sevDesk "
                "tab (Transport Billing > Configuration > Accounting Systems)."
            )
        )
    # Model_Invoice.taxText is required and "would be 'Umsatzsteuer 19%'" (L13078).
    if not tax_text:
        raise MappingError(
            _lt(
                "Tax rule %(rule)s needs a tax text: enter the Tax Note of this tax situation "
                "on the Taxes tab of the connection (Transport Billing > Configuration > "
                "Accounting Systems)."
            ),
            rule=tax_rule,
        )
    lines = draft.get("lines") or []
    if not lines:
        raise MappingError(_lt("An invoice needs at least one line."))
    rates = [float(line.get("tax_rate") or 0.0) for line in lines]
    check_tax_rule(tax_rule, rates, bookkeeping_version)
    invoice_date = draft["invoice_date"]
    start = draft.get("period_start") or draft.get("delivery_date")
    end = draft.get("period_end") or draft.get("delivery_date")
    # saveInvoice: "You can not create a regular invoice with the deliveryDate being
    # later than the invoiceDate" (L4681).
    if end and end > invoice_date:
        raise MappingError(
            _lt(
                "A sevDesk invoice may not be delivered after its invoice date: set the "
                "invoice date to the last delivery day or later."
            )
        )
    unit_ids = unit_ids or {"default": 1}
    address = draft.get("address") or {}
    # Model_Invoice.showNet: "If true, the price attribute will hold the net value,
    # otherwise the gross value" (tag Invoice, L156; L13265).
    gross = draft.get("tax_mode") == "gross"
    invoice = {
        "objectName": "Invoice",
        "mapAll": True,
        "contact": _ref("Contact", draft["contact_id"]),
        "contactPerson": _ref("SevUser", contact_person_id),
        "invoiceDate": format_date(invoice_date),
        "status": "100",  # bookkeeping 2.0 creates drafts only (L4, "Saving an invoice")
        "invoiceType": "RE",
        "currency": draft.get("currency") or "EUR",
        "header": draft.get("title") or draft.get("reference") or "",
        "headText": draft.get("introduction") or "",
        "footText": draft.get("remark") or "",
        "discount": 0,  # "Otherwise provide zero as value" (L12958)
        "address": _address_text(address),
        "addressCountry": _country_ref(country_ids, address.get("country_code")),
        "showNet": not gross,
        "customerInternalNote": marker_note(draft),
        # "This is not used anymore. Use the taxRate of the individual positions" (L13038),
        # yet required: the highest rate of the positions.
        "taxRate": max(rates),
        "taxText": tax_text,
    }
    if start:
        invoice["deliveryDate"] = format_date(start)
    if end and end != start:
        invoice["deliveryDateUntil"] = timestamp(end, draft.get("timezone") or TIMEZONE)
    term = draft.get("payment_term")
    if term and term.get("days") is not None:
        invoice["timeToPay"] = int(term["days"])
    if bookkeeping_version == "2.0":
        invoice["taxRule"] = {"id": str(tax_rule), "objectName": "TaxRule"}
    else:
        invoice["taxType"] = LEGACY_TAX_TYPES[str(tax_rule)]
    positions = []
    for number, (line, rate) in enumerate(zip(lines, rates, strict=True)):
        if not line.get("name"):
            raise MappingError(
                _lt("Every invoice line needs a label: enter one on each line of the invoice.")
            )
        position = {
            "objectName": "InvoicePos",
            "mapAll": True,
            "quantity": float(line["quantity"]),
            "price": round(float(line["unit_price"]), 4),
            "name": line["name"],
            "text": line.get("description") or "",
            "unity": _ref("Unity", _unit_id(line, unit_ids)),
            "taxRate": rate,
            # "Needs to start with zero and is incremented for every new position" (L184).
            "positionNumber": number,
        }
        if line.get("discount"):
            position["discount"] = float(line["discount"])
        positions.append(position)
    # "the order of the last four attributes always needs to be kept. You will also always
    # need to provide all of them" (L4681).
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


def build_save_credit_note_payload(
    draft,
    *,
    contact_person_id,
    tax_rule,
    tax_text,
    country_ids,
    preceding_id,
    preceding_number=None,
    credit_note_number=None,
    bookkeeping_version="2.0",
    unit_ids=None,
):
    """The ``POST /CreditNote/Factory/saveCreditNote`` body of a refund (L2341-2400);
    raises MappingError before any call.

    ``credit_note_number`` is the number the credit note is saved with: Model_creditNote
    lists ``creditNoteNumber`` as required (L10811), though the tag's prose calls it
    "not an attribute that must be supplied" (L119); the stricter reading is followed.
    The same prose advises against numbers of one's own ("duplicate entries must be
    avoided") and names the request for the next number, which
    ``SevdeskClient.get_next_credit_note_number`` makes.

    The vendor recommends ``/CreditNote/Factory/createFromInvoice`` (tag CreditNote,
    L117), which copies the whole invoice (L2401-2460): right for a full refund only,
    and it takes no reference of ours to find the credit note again after a lost answer.
    A refund here may be partial, so the credit note is saved with the refund's own
    lines, ``"bookingCategory": "UNDERACHIEVEMENT"`` and ``refSrcInvoice``, which "has to
    be used if "bookingCategory": "UNDERACHIEVEMENT" is used" (L117).
    """
    if not preceding_id:
        raise MappingError(
            _lt(
                "A credit note of an invoice needs the invoice's sevDesk id: send the "
                "invoice to sevDesk first."
            )
        )
    if not isinstance(credit_note_number, str) or not credit_note_number.strip():
        raise MappingError(
            _lt(
                "A sevDesk credit note needs its number (creditNoteNumber), which sevDesk "
                "gives: check the number range of credit notes in sevDesk."
            )
        )
    invoice_payload = build_save_invoice_payload(
        dict(draft, payment_term=None),
        contact_person_id=contact_person_id,
        tax_rule=tax_rule,
        tax_text=tax_text,
        country_ids=country_ids,
        bookkeeping_version=bookkeeping_version,
        unit_ids=unit_ids,
    )
    invoice = invoice_payload["invoice"]
    header = (
        f"Gutschrift zu Rechnung {preceding_number}"
        if preceding_number
        else draft.get("title") or draft.get("reference") or "Gutschrift"
    )
    credit_note = {
        "objectName": "CreditNote",
        "mapAll": True,
        # "The creditNote number", a string, e.g. "GU-1000" (L10856-10859).
        "creditNoteNumber": credit_note_number.strip(),
        "contact": invoice["contact"],
        "contactPerson": invoice["contactPerson"],
        "creditNoteDate": invoice["invoiceDate"],  # "timestamp or dd.mm.yyyy" (L10807ff)
        # "Credit notes can only be created with the status DRAFT (100)" (L4, "Saving a
        # credit note").
        "status": "100",
        "currency": invoice["currency"],
        "header": header,
        "headText": invoice["headText"],
        "footText": invoice["footText"],
        "address": invoice["address"],
        "addressCountry": invoice["addressCountry"],
        "showNet": invoice["showNet"],
        "customerInternalNote": invoice["customerInternalNote"],
        "taxRate": invoice["taxRate"],
        "taxText": invoice["taxText"],
        "bookingCategory": UNDERACHIEVEMENT,
        # The tag table types refSrcInvoice "Integer" (L117), while every other
        # reference is an {id, objectName} object; no schema defines it. Sent as the
        # table says; a refusal comes back as sevDesk's own validation message.
        "refSrcInvoice": _ref("Invoice", preceding_id)["id"],
    }
    # "Creating a credit note without a date of delivery (deliveryDateUntil) for an
    # invoice that has a date of delivery (deliveryDateUntil) is no longer possible", nor
    # the reverse, nor one before the invoice's (L4, "sevdesk-Update 2.0 > Credit Notes"):
    # the refund carries its invoice's delivery dates. Model_creditNote lists
    # deliveryDate as required without defining it (L10807-10827); its response and
    # update models define it as a timestamp or date string (L10609, L11736).
    for key in ("deliveryDate", "deliveryDateUntil"):
        if key in invoice:
            credit_note[key] = invoice[key]
    if "taxRule" in invoice:
        credit_note["taxRule"] = invoice["taxRule"]
    else:
        credit_note["taxType"] = invoice["taxType"]
    positions = []
    for position in invoice_payload["invoicePosSave"]:
        if position["price"] < 0 or position["quantity"] < 0:
            # The file states no sign for credit note amounts; its examples are positive
            # (Model_creditNotePos.price 100, quantity 1, L11234-11246).
            raise MappingError(
                _lt(
                    "A credit note's positions need positive quantities and prices: enter the "
                    "refunded amounts as positive lines of the credit note."
                )
            )
        positions.append(dict(position, objectName="CreditNotePos"))
    # "The list ends with the five parameters creditNotePosDelete, discountSave,
    # discountDelete, takeDefaultAddress and forCashRegister ... the order of the last
    # five attributes always needs to be kept ... always need to provide all of them"
    # (L2346-2378).
    return OrderedDict(
        [
            ("creditNote", credit_note),
            ("creditNotePosSave", positions),
            ("creditNotePosDelete", None),
            ("discountSave", []),
            ("discountDelete", None),
            ("takeDefaultAddress", False),
            ("forCashRegister", False),
        ]
    )


def parse_credit_note_status(obj):
    code = str(obj.get("status") or "")
    return {
        "status": CREDIT_NOTE_STATUS_NAMES.get(code, "unknown"),
        "raw_status": code,
        "number": obj.get("creditNoteNumber"),
        "total_gross": _number_or_none(obj.get("sumGross")),
    }


def build_contact_payload(contact):
    """``POST /Contact``: ``name`` makes an organisation, ``surename``/``familyname`` a
    person (tag Contact, L91)."""
    payload = {"category": _ref("Category", CUSTOMER_CATEGORY), "status": CONTACT_ACTIVE}
    if contact.get("is_company"):
        if not contact.get("name"):
            raise MappingError(_lt("A company needs a name: enter the customer's name."))
        payload["name"] = contact["name"]
    else:
        last = contact.get("last_name") or (contact.get("name") or "").rsplit(" ", 1)[-1]
        if not last:
            raise MappingError(
                _lt(
                    "A person needs a last name in sevDesk: enter the customer's name as "
                    "first and last name."
                )
            )
        payload["familyname"] = last
        first = contact.get("first_name")
        if first is None and " " in (contact.get("name") or ""):
            first = contact["name"].rsplit(" ", 1)[0]
        if first:
            payload["surename"] = first  # "The first name of the contact" (L9212)
    for source, target in (("customer_number", "customerNumber"), ("vat", "vatNumber")):
        if contact.get(source):
            payload[target] = str(contact[source])
    if contact.get("buyer_reference"):
        # "Buyer reference of the contact" (Model_Contact.buyerReference, L9339), which
        # an e-invoice needs of its contact (propertyIsEInvoice, L13314-13331): the
        # Leitweg-ID of a public authority.
        payload["buyerReference"] = contact["buyer_reference"]
    return payload


def build_contact_address_payload(contact_id, contact, country_ids):
    """``POST /ContactAddress``: ``contact``, ``country`` and ``category`` are required
    (Model_ContactAddress, L9654-9657)."""
    payload = {
        "contact": _ref("Contact", contact_id),
        "country": _country_ref(country_ids, contact.get("country_code")),
        "category": _ref("Category", INVOICE_ADDRESS_CATEGORY),
    }
    for key in ("street", "zip", "city"):
        if contact.get(key):
            payload[key] = contact[key]
    return payload


def build_email_payload(contact_id, email):
    """``POST /CommunicationWay``: ``type``, ``value`` and ``key`` are required
    (Model_CommunicationWay, L9958-9961)."""
    return {
        "contact": _ref("Contact", contact_id),
        "type": "EMAIL",
        "value": email,
        "key": _ref("CommunicationWayKey", INVOICE_EMAIL_KEY),
        "main": True,
    }


def parse_invoice_status(obj):
    code = str(obj.get("status") or "")
    total = obj.get("sumGross")
    return {
        "status": STATUS_NAMES.get(code, "unknown"),
        "raw_status": code,
        "number": obj.get("invoiceNumber"),
        "total_gross": _number_or_none(total),
        # "Date of last invoice update" (Model_InvoiceResponse.update, L12377): what
        # the document was rendered from.
        "document_version": obj.get("update") or None,
    }


def _number_or_none(value):
    """A sum as sevDesk sends it (a number or a numeric string), or None: the total is
    informative only, and an odd value must not turn a created invoice into an error."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _unit_id(line, unit_ids):
    """The sevDesk unit of a position: the one for its unit's code, else for its unit's
    name, else the connection's default (``unit_ids``: {code or name: id, "default"})."""
    for key in (line.get("unit_code"), line.get("unit_name")):
        if key and key in unit_ids:
            return unit_ids[key]
    return unit_ids["default"]
