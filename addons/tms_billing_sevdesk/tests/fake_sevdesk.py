"""A loopback fake of the sevDesk API, for tests (standard library only).

It is a statement about sevDesk's API, and its judge is the vendor's OpenAPI file
(public copy: GitHub ``j-mastr/sevdesk-api``, ``external/openapi.yaml``; the ``L``
numbers below are its lines). Every payload is checked against the facts extracted from
that file into ``sevdesk_openapi_facts.json`` beside this module: required properties,
types, enums, and the tax rule to rate table. Faults are injected on demand, among them
a 504 or a dropped connection after the invoice was saved. Credit notes are saved through
``saveCreditNote`` (drafts, with the rules of L4 "sevdesk-Update 2.0 > Credit Notes"), and
``cancelInvoice`` makes a paid cancellation invoice (SR) of the invoice it cancels.
A credit note needs its ``creditNoteNumber`` (Model_creditNote.required), whose next
value ``GET /SevSequence/Factory/getByType`` gives (L119). The time faults of
``fake_http`` (test faults) apply: under a search lag a new contact, invoice or credit
note shows in ``GET /Contact``, ``/Invoice`` and ``/CreditNote`` only that long after its
creation, while ``GET /Invoice/{id}`` and ``/CreditNote/{id}`` read it at once.
"""

import base64
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ...tms_billing_sync.tests.fake_http import FakeApi

FACTS = json.loads(Path(__file__).with_name("sevdesk_openapi_facts.json").read_text("utf-8"))
RULE_RATES = {rule: set(rates) for rule, rates in FACTS["tax_rules"]["rates"].items()}
# saveInvoice: "the order of the last four attributes always needs to be kept. You will
# also always need to provide all of them" (L4681).
SAVE_INVOICE_KEYS = [
    "invoice",
    "invoicePosSave",
    "invoicePosDelete",
    "discountSave",
    "discountDelete",
    "takeDefaultAddress",
]
# Model_Invoice.required lists both taxRule and taxType, yet the "Tax Rules" section
# (L4) has 2.0 accounts send taxRule and 1.0 accounts the old taxType: each version
# needs one of them (see "contradictions" in the facts file).
NOT_REQUIRED_IN = {"2.0": {"taxType"}, "1.0": {"taxRule"}}
# taxType "ss" is named by the taxType description (L13084-13104) and the Tax Rules table
# as the old property of rule 11, though the enum (L13107) leaves it out.
LEGACY_EXTRA_TAX_TYPES = {"ss"}
# Countries: the file only says "For all countries, send a GET to /StaticCountry"
# (Model_ContactAddress.country, L9709) and defines no answer; the shape below (lowercase
# ISO ``code``) is what public clients read. The ids are this fake's own.
COUNTRIES = {
    "de": ("1", "Deutschland"),
    "at": ("2", "Österreich"),
    "ch": ("3", "Schweiz"),
    "fr": ("4", "Frankreich"),
    "nl": ("5", "Niederlande"),
    "pl": ("6", "Polen"),
    "it": ("7", "Italien"),
    "us": ("8", "Vereinigte Staaten"),
}
# The account's users. GET /SevUser is not in the vendor file, which names SevUser only as
# the type of Model_Invoice.contactPerson (L12886-12899); the repository's community
# openapi.yaml (root) defines it (L9101-9150) with Model_SevUserResponse (L20268ff: id,
# fullname, firstName, lastName, username, role enum Accountant, accountant-light, admin,
# checker, user). The people and ids are this fake's own.
SEV_USERS = (
    {
        "id": 42,
        "objectName": "SevUser",
        "fullname": "Anna Schmidt",
        "firstName": "Anna",
        "lastName": "Schmidt",
        "username": "anna.schmidt@spedition-nord.example",
        "role": "admin",
    },
    {
        "id": 77,
        "objectName": "SevUser",
        "fullname": "Jonas Weber",
        "firstName": "Jonas",
        "lastName": "Weber",
        "username": "jonas.weber@spedition-nord.example",
        "role": "user",
    },
)
# The account's units. GET /Unity is in neither file: the vendor's names Unity only as the
# type of Model_InvoicePos.unity ("The unit in which the positions part is measured",
# example id 1, L13431-13445). The shape below (id, objectName, name, translationCode,
# unitySystem) is what public clients read; names are a German account's, the ids, codes
# and systems this fake's own (id 1 "Stk", the unit sent when none is chosen).
UNITS = (
    {"id": 1, "name": "Stk", "translationCode": "UNITY_PIECE", "unitySystem": "1"},
    {"id": 9, "name": "Std", "translationCode": "UNITY_HOUR", "unitySystem": "1"},
    {"id": 10, "name": "km", "translationCode": "UNITY_KILOMETER", "unitySystem": "1"},
    {"id": 19, "name": "Pauschal", "translationCode": "UNITY_FLAT_RATE", "unitySystem": "1"},
)
# A minimal, valid one-page PDF (598 bytes), served base64-encoded by getPdf.
PDF = Path(__file__).with_name("fake_document.pdf").read_bytes()
CREDIT_NOTE = FACTS["credit_note"]
BERLIN = ZoneInfo("Europe/Berlin")
# GET /SevSequence/Factory/getByType?objectType=CreditNote&type=CN "will check what the
# next credit note number should be" (tag CreditNote, L119; likewise objectType=Invoice
# &type=RE, L166). The file defines neither the path nor its answer: the answer below,
# {objects: {id, objectName "SevSequence", forObject, format, nextSequence, type}} with
# "%NUMBER" in the format standing for nextSequence, is what public clients read. The
# sequences this fake serves, with their formats and first numbers (its own).
SEQUENCES = {("CreditNote", "CN"): ("GU-%NUMBER", 1001), ("Invoice", "RE"): ("RE-%NUMBER", 1001)}


def _strings(value):
    """The response schemas type numbers as strings (e.g. Model_InvoiceResponse)."""
    if isinstance(value, dict):
        return {key: _strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_strings(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _type_ok(value, kind):
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    return True


def schema_violations(obj, schema, path="", skip_required=(), extra_enum=None):
    """What ``obj`` breaks of ``schema`` (an entry of the facts file): missing required
    properties, properties the schema does not define, wrong types and enum values."""
    if not isinstance(obj, dict):
        return [f"{path or 'body'} must be an object"]
    problems = []
    for key in schema.get("required", []):
        if key not in skip_required and obj.get(key) is None:
            problems.append(f"{path}{key} is required")
    for key, value in obj.items():
        prop = schema.get("properties", {}).get(key)
        if prop is None:
            problems.append(f"{path}{key} is not a property of this object")
            continue
        if value is None:
            if not prop.get("nullable") and "$ref" not in prop:
                problems.append(f"{path}{key} must not be null")
            continue
        if "type" in prop and not _type_ok(value, prop["type"]):
            problems.append(f"{path}{key} must be of type {prop['type']}")
            continue
        allowed = list(prop.get("enum", [])) + list((extra_enum or {}).get(key, []))
        if prop.get("enum") and value not in allowed:
            problems.append(f"{path}{key} must be one of {', '.join(map(str, allowed))}")
        if prop.get("type") == "object" and "properties" in prop:
            problems += schema_violations(value, prop, f"{path}{key}.")
    return problems


class FakeSevdesk(FakeApi):
    # The API's base path: servers[0].url, https://my.sevdesk.de/api/v1 (L9).
    url_prefix = "/api/v1"
    # A list answer with nothing in it (fault "null_200").
    null_answer = {"objects": None}

    def __init__(self, token="test-token", bookkeeping_version="2.0", fault_delay=1.0, seed=0):
        super().__init__(fault_delay=fault_delay, seed=seed)
        self.token = token
        self.bookkeeping_version = bookkeeping_version
        self.contacts, self.invoices, self.addresses, self.emails = {}, {}, [], []
        self.credit_notes = {}
        self.users, self.units = [], []
        self._reset_account()
        self.pdf_sent, self.pdf_requests = set(), []
        self._ids = iter(range(1000, 10**9))
        self._reset_sequences()

    def _reset_sequences(self):
        """The number sequences as served: {(objectType, type): [format, next number]};
        a test may change a format."""
        self.sequences = {key: list(value) for key, value in SEQUENCES.items()}

    def reset(self):
        """Forget all data, calls and pending faults (between tests)."""
        with self._lock:
            for store in (
                self.contacts,
                self.invoices,
                self.credit_notes,
                self.addresses,
                self.emails,
            ):
                store.clear()
            self._reset_account()
            self._reset_sequences()
            self.reset_calls()
            self.reset_time_faults()
            self.pdf_sent.clear()
            self.pdf_requests.clear()

    def _reset_account(self):
        """The account's users and units as served; a test may change them."""
        self.users = [dict(user) for user in SEV_USERS]
        self.units = [dict(unit, objectName="Unity") for unit in UNITS]

    def set_invoice_status(self, invoice_id, status):
        with self._lock:
            invoice = self.invoices[str(invoice_id)]
            invoice["status"] = str(status)
            # "Date of last invoice update" (Model_InvoiceResponse.update, L12377).
            invoice["update"] = self._stamp(timespec="microseconds")

    def set_credit_note_status(self, credit_note_id, status):
        with self._lock:
            self.credit_notes[str(credit_note_id)]["status"] = str(status)

    def _stamp(self, timespec="seconds"):
        """Now on the fake's clock, as the file's date-time examples write it
        ('2023-04-18T15:45:38+02:00', Model_creditNoteResponse.create, L10499-10504)."""
        return datetime.fromtimestamp(self.now(), BERLIN).isoformat(timespec=timespec)

    def _as_created(self, record):
        """``record`` as created now: its "Date of ... creation" and "Date of last ...
        update" (create/update of Model_ContactResponse L8947-8955,
        Model_InvoiceResponse L12371-12377, Model_creditNoteResponse L10499-10510), and
        the time its search lag (a test fault) counts from."""
        stamp = self._stamp()
        record.update(create=stamp, update=stamp)
        self.note_created(record["id"])
        return record

    def credit_notes_with_marker(self, marker):
        return [
            credit_note
            for credit_note in self.credit_notes.values()
            if (credit_note.get("customerInternalNote") or "").endswith(marker)
        ]

    def invoices_with_marker(self, marker):
        return [
            invoice
            for invoice in self.invoices.values()
            if (invoice.get("customerInternalNote") or "").endswith(marker)
        ]

    @staticmethod
    def country_code(country_id):
        """The ISO code of one of this fake's StaticCountry ids."""
        return next(code.upper() for code, (cid, _n) in COUNTRIES.items() if cid == str(country_id))

    # -- how sevDesk authenticates, refuses and fails ---------------------------------

    def _refusal(self, request, method, query):
        # "Authorization: <token>" header, no "Bearer" (securitySchemes.api_key, L17131);
        # tokens in the URL are refused.
        if request.headers.get("Authorization") != self.token or "token" in query:
            return 401, _error("Authentication required")
        return None

    def _read_body(self, request, method, raw):
        body, refused = super()._read_body(request, method, raw)
        if refused or isinstance(body, dict):
            return body, refused
        return None, (400, _error("The request body must be a JSON object"))

    def _error(self, status, message):
        return _error(message)

    def _fault_answers(self):
        # Test faults, not statements about the file: statuses any host or proxy may
        # answer before the call ("429" to "503") or after it ("502_after", "504_after"),
        # and a saved invoice answered without an id ("no_id_after").
        answers = {fault: (int(fault), _error("")) for fault in ("429", "502", "503")}
        return answers | {
            "500": (500, {"error": {}}),
            "502_after": (502, {"message": "Bad Gateway"}),
            "504_after": (504, {"message": "Gateway Timeout"}),
            "no_id_after": (201, {"invoice": {"id": ""}, "invoicePos": []}),
        }

    def _encode(self, answer):
        return json.dumps(_strings(answer)).encode()

    def _next_id(self):
        return next(self._ids)

    # -- the API ----------------------------------------------------------------

    def handle(self, method, path, query, body, request):
        route = path.removeprefix("/api/v1").strip("/").split("/")
        if route == ["Tools", "bookkeepingSystemVersion"]:
            # {objects: {version: '1.0' | '2.0'}} (L286-293)
            return 200, {"objects": {"version": self.bookkeeping_version}}
        if route == ["StaticCountry"] and method == "GET":
            countries = [
                {"id": cid, "objectName": "StaticCountry", "code": code, "name": name}
                for code, (cid, name) in COUNTRIES.items()
            ]
            return 200, _listing(countries, query)
        if route == ["SevUser"] and method == "GET":
            # {objects: [Model_SevUserResponse], total} (community openapi.yaml L9127-9141)
            return 200, _listing(self.users, query)
        if route == ["Unity"] and method == "GET":
            # Not documented (see UNITS): {objects: [...]} as every list of the file.
            return 200, _listing(self.units, query)
        if route == ["SevSequence", "Factory", "getByType"] and method == "GET":
            return self._next_number(query)
        if route == ["Contact", "Factory", "getNextCustomerNumber"]:
            return 200, {"objects": str(1001 + len(self.contacts))}  # {objects: string}
        if route == ["Contact"] and method == "POST":
            return self._create_contact(body)
        if route == ["Contact"] and method == "GET":
            # Search lag (a test fault) in every list and search below: a new object is
            # listed only ``search_lag`` after its creation, while GET /Invoice/{id} and
            # GET /CreditNote/{id} read it at once. The file states no delay for these
            # filters, nor that they show a new object at once.
            found = [c for c in self.contacts.values() if self.listed(c["id"])]
            # depth: "'0' -> only organizations, '1' -> organizations and persons" (L1048)
            if query.get("depth") != ["1"]:
                found = [c for c in found if c.get("name")]
            # "name={name} ... as a name, surename or familyname" (filter table, L97)
            if "name" in query:
                term = query["name"][0].lower()
                found = [c for c in found if term in _contact_name(c).lower()]
            if "customerNumber" in query:
                found = [c for c in found if c.get("customerNumber") == query["customerNumber"][0]]
            return 200, _listing(found, query)
        if route == ["ContactAddress"] and method == "POST":
            return self._create_address(body)
        if route == ["CommunicationWay"] and method == "POST":
            return self._create_communication_way(body)
        if route == ["Invoice", "Factory", "saveInvoice"] and method == "POST":
            return self._save_invoice(body)
        if route == ["Invoice"] and method == "GET":
            found = [i for i in self.invoices.values() if self.listed(i["id"])]
            if "status" in query:
                found = [i for i in found if str(i["status"]) == query["status"][0]]
            if "invoiceNumber" in query:
                found = [i for i in found if i["invoiceNumber"] == query["invoiceNumber"][0]]
            if "contact[id]" in query:
                found = [i for i in found if str(i["contact"]["id"]) == query["contact[id]"][0]]
            return 200, _listing(found, query)
        if route == ["CreditNote", "Factory", "saveCreditNote"] and method == "POST":
            return self._save_credit_note(body)
        if route == ["CreditNote"] and method == "GET":
            # Declared filters: status, contact[id] + contact[objectName] (L2264-2312).
            found = [c for c in self.credit_notes.values() if self.listed(c["id"])]
            if "status" in query:
                found = [c for c in found if str(c["status"]) == query["status"][0]]
            if "contact[id]" in query:
                found = [c for c in found if str(c["contact"]["id"]) == query["contact[id]"][0]]
            return 200, _listing(found, query)
        if len(route) >= 2 and route[0] == "CreditNote" and method == "GET":
            credit_note = self.credit_notes.get(route[1])
            if not credit_note:
                # "400: Bad request. creditNote was not found" (L2550-2551); getPdf:
                # "400: Bad request. Invoice was not found" (sic, L2814).
                return 400, _error("Bad request. creditNote was not found")
            if len(route) == 2:
                return 200, {"objects": [credit_note]}  # an array (L2544-2548)
            if route[2:] == ["getPdf"]:
                # GET /CreditNote/{creditNoteId}/getPdf (L2769-2823)
                return self._get_pdf(
                    credit_note, route[1], query, credit_note.get("creditNoteNumber")
                )
        if len(route) >= 2 and route[0] == "Invoice":
            invoice = self.invoices.get(route[1])
            if not invoice:
                # "400: Bad request. Invoice was not found"; no 404 is documented (L4730).
                return 400, _error("Bad request. Invoice was not found")
            if len(route) == 2 and method == "GET":
                return 200, {"objects": [invoice]}  # an array even for one (L4724-4728)
            if route[2:] == ["cancelInvoice"] and method == "POST":
                return self._cancel_invoice(invoice)
            if route[2:] == ["getPdf"] and method == "GET":
                return self._get_pdf(invoice, route[1], query, invoice.get("invoiceNumber"))
        return 404, _error("Not found")

    def _get_pdf(self, document, document_id, query, number):
        """getPdf (L5086-5139, L2769-2823): ``download`` and ``preventSendBy`` are
        booleans (L5100-5111); without preventSendBy=true the document counts as sent
        (recorded in ``pdf_sent``, as the parameter's "Defines if u want to send the
        invoice" reads). The answer is ``{filename, mimeType, base64encoded,
        content}``, unwrapped (L5113-5131)."""
        self.pdf_requests.append((document_id, {k: v[0] for k, v in query.items()}))
        for name in ("download", "preventSendBy"):
            if name in query and query[name][0] not in ("true", "false"):
                return 400, _error(f"{name} must be a boolean")
        if query.get("preventSendBy") != ["true"]:
            self.pdf_sent.add(document_id)
        return 200, {
            "filename": f"{number or document_id}.pdf",
            "mimeType": "application/pdf",
            "base64encoded": True,
            "content": base64.b64encode(PDF).decode(),
        }

    def _create_contact(self, body):
        problems = schema_violations(body, FACTS["schemas"]["Model_Contact"])
        # "If you designate values to the attribute surename OR familyname the contact
        # will be regarded as a individual person. If you designate a value to name it
        # will be regarded as an organisation." (tag Contact, L91)
        if not body.get("name") and not (body.get("surename") or body.get("familyname")):
            problems.append("either name or surename/familyname is required")
        if problems:
            return 400, _error("; ".join(problems))
        contact_id = str(self._next_id())
        number = body.get("customerNumber") or str(1001 + len(self.contacts))
        contact = dict(body, id=contact_id, objectName="Contact", customerNumber=number)
        self.contacts[contact_id] = self._as_created(contact)
        return 201, contact  # Model_ContactResponse, unwrapped (L1099-1104)

    def _create_address(self, body):
        problems = schema_violations(body, FACTS["schemas"]["Model_ContactAddress"])
        problems += self._reference_problems(body)
        country = (body.get("country") or {}).get("id")
        if country is not None and str(country) not in _country_ids():
            problems.append(f"country {country} is not a StaticCountry")
        if problems:
            return 400, _error("; ".join(problems))
        record = dict(body, id=str(self._next_id()), objectName="ContactAddress")
        self.addresses.append(record)
        return 201, record

    def _create_communication_way(self, body):
        problems = schema_violations(body, FACTS["schemas"]["Model_CommunicationWay"])
        problems += self._reference_problems(body)
        if problems:
            return 400, _error("; ".join(problems))
        record = dict(body, id=str(self._next_id()), objectName="CommunicationWay")
        self.emails.append(record)
        return 201, record

    def _reference_problems(self, body):
        contact = body.get("contact")
        if isinstance(contact, dict) and str(contact.get("id")) not in self.contacts:
            return [f"contact {contact.get('id')} does not exist"]
        return []

    def _account_problems(self, document, positions, positions_key):
        """contactPerson is "The user who acts as a contact person" (Model_Invoice,
        L12886-12899) and a position's unity "The unit in which the positions part is
        measured" (Model_InvoicePos, L13431-13445): the account's SevUser and Unity
        objects. The file does not say how an unknown id is answered; the fake refuses
        it with a 400, as it refuses an unknown contact."""
        problems = []
        person = (document.get("contactPerson") or {}).get("id")
        if person is not None and str(person) not in {str(u["id"]) for u in self.users}:
            problems.append(f"contactPerson {person} is not a SevUser of this account")
        units = {str(unit["id"]) for unit in self.units}
        for index, position in enumerate(positions):
            unit = (position.get("unity") or {}).get("id")
            if unit is not None and str(unit) not in units:
                problems.append(f"{positions_key}[{index}].unity {unit} is not a Unity")
        return problems

    def _save_invoice(self, body):
        keys = list(body)  # in the order sent: json.loads keeps it
        if keys != SAVE_INVOICE_KEYS:
            return 400, _error(f"saveInvoice expects the keys {SAVE_INVOICE_KEYS}, got {keys}")
        invoice = body["invoice"] or {}
        positions = body["invoicePosSave"] or []
        version = self.bookkeeping_version
        problems = schema_violations(
            invoice,
            FACTS["schemas"]["Model_Invoice"],
            "invoice.",
            skip_required=NOT_REQUIRED_IN[version],
            extra_enum={"taxType": LEGACY_EXTRA_TAX_TYPES},
        )
        # "mapAll and objectName ... you always need to provide them" (L4681)
        if invoice.get("objectName") != "Invoice":
            problems.append("invoice.objectName must be Invoice")
        for index, position in enumerate(positions):
            problems += schema_violations(
                position, FACTS["schemas"]["Model_InvoicePos"], f"invoicePosSave[{index}]."
            )
        problems += self._account_problems(invoice, positions, "invoicePosSave")
        if problems:
            # Malformed requests: 400 (saveInvoice responses, L4696).
            return 400, _error("; ".join(problems))
        if str(invoice["contact"]["id"]) not in self.contacts:
            return 400, _error("contact does not exist")
        if str(invoice["addressCountry"]["id"]) not in _country_ids():
            return 400, _error("addressCountry is not a StaticCountry")
        if version == "2.0":
            # "Invoices can only be created with the status DRAFT (100)" (L4, Update 2.0).
            if invoice["status"] != "100":
                return 422, _error("With sevdesk-Update 2.0 invoices are created as drafts")
            rule = invoice["taxRule"]["id"]
            if rule not in RULE_RATES:
                return 422, _error(f"taxRule {rule} cannot be used for invoices here")
        else:
            rule = {"default": "1", "eu": "3", "ss": "11", "noteu": "17"}.get(invoice["taxType"])
            if rule is None:
                # "we won't support ... taxType = custom" (L4, Tax Rules)
                return 422, _error(f"taxType {invoice['taxType']} is not supported")
        # "you have to make sure the taxRate used in positions is within the allowed ones
        # ... otherwise the API will return a validation error (HTTP status code 422)" (L4)
        if any(float(p["taxRate"]) not in RULE_RATES[rule] for p in positions):
            return 422, _error("Tax rate does not match the tax rule")
        invoice_date = _parse_date(invoice["invoiceDate"])
        if invoice_date is None:
            return 422, _error("invoiceDate is invalid")
        delivery = _parse_date(invoice.get("deliveryDateUntil") or invoice.get("deliveryDate"))
        # "You can not create a regular invoice with the deliveryDate being later than the
        # invoiceDate" (L4681)
        if delivery and delivery > invoice_date and invoice["invoiceType"] == "RE":
            return 422, _error("Delivery date may not be after the invoice date")
        if not positions:
            return 422, _error("An invoice needs positions")
        show_net = invoice.get("showNet", True)
        for position in positions:
            # With showNet false "the price attribute will hold ... the gross value" (tag
            # Invoice, L156), as priceGross ("Gross price of the part", L13514) does: a
            # position that says otherwise is contradictory.
            gross = position.get("priceGross")
            if gross is None:
                continue
            expected = position["price"] * (1 + position["taxRate"] / 100.0)
            if abs((position["price"] if not show_net else expected) - gross) > 0.01:
                return 422, _error(
                    "priceGross does not match price: with showNet "
                    f"{str(bool(show_net)).lower()} the price is the "
                    f"{'net' if show_net else 'gross'} value"
                )
        for position in positions:
            if not position.get("name"):
                # The real API answers some validation errors with a 500.
                return 500, _error("Validation error: InvoicePos name must not be empty")
        invoice_id = str(self._next_id())
        stored = dict(
            invoice,
            id=invoice_id,
            invoiceNumber=f"RE-{len(self.invoices) + 1001}",
            positions=positions,
            **_sums(positions, invoice.get("showNet", True)),
        )
        self.invoices[invoice_id] = self._as_created(stored)
        # saveInvoiceResponse {invoice, invoicePos, filename}, unwrapped (L13762-13774)
        return 201, {"invoice": stored, "invoicePos": positions, "filename": None}

    def _save_credit_note(self, body):
        keys = list(body)  # in the order sent: json.loads keeps it
        if keys != CREDIT_NOTE["save_keys"]:
            return 400, _error(
                f"saveCreditNote expects the keys {CREDIT_NOTE['save_keys']}, got {keys}"
            )
        credit_note = body["creditNote"] or {}
        positions = body["creditNotePosSave"] or []
        version = self.bookkeeping_version
        schema = dict(FACTS["schemas"]["Model_creditNote"])
        # deliveryDate, deliveryDateUntil and refSrcInvoice are named by the tag table
        # (L117) only; see the facts file.
        schema["properties"] = dict(schema["properties"], **CREDIT_NOTE["tag_table_properties"])
        problems = schema_violations(
            credit_note,
            schema,
            "creditNote.",
            skip_required=NOT_REQUIRED_IN[version] | set(CREDIT_NOTE["not_required"]),
            extra_enum={"taxType": LEGACY_EXTRA_TAX_TYPES},
        )
        if credit_note.get("objectName") != "CreditNote":
            problems.append("creditNote.objectName must be CreditNote")
        # Model_creditNote.required lists creditNoteNumber (L10811): a credit note without
        # one is refused above. An empty one is refused too, the stricter reading of a
        # required "The creditNote number" (L10856-10859) by this fake.
        number = credit_note.get("creditNoteNumber")
        if isinstance(number, str) and not number.strip():
            problems.append("creditNote.creditNoteNumber must not be empty")
        for index, position in enumerate(positions):
            problems += schema_violations(
                position, FACTS["schemas"]["Model_creditNotePos"], f"creditNotePosSave[{index}]."
            )
            if position.get("objectName") != "CreditNotePos":
                problems.append(f"creditNotePosSave[{index}].objectName must be CreditNotePos")
        problems += self._account_problems(credit_note, positions, "creditNotePosSave")
        if problems:
            return 400, _error("; ".join(problems))
        if str(credit_note["contact"]["id"]) not in self.contacts:
            return 400, _error("contact does not exist")
        # "Credit notes can only be created with the status DRAFT (100)" (L4).
        if credit_note["status"] != CREDIT_NOTE["create_status"]:
            return 422, _error("With sevdesk-Update 2.0 credit notes are created as drafts")
        category = credit_note["bookingCategory"]
        # "ACCOUNTING_TYPE is currently not supported in sevdesk-Update 2.0" (L11071ff).
        if category in CREDIT_NOTE["unsupported_booking_categories"]:
            return 422, _error(f"bookingCategory {category} is not supported")
        source = None
        if category in CREDIT_NOTE["needs_ref_src_invoice"]:
            # refSrcInvoice "has to be used if "bookingCategory": "UNDERACHIEVEMENT" is
            # used" (L117).
            source = self.invoices.get(str(credit_note.get("refSrcInvoice")))
            if source is None:
                return 400, _error("refSrcInvoice is required and must be an invoice")
            # "Creating a credit note for an advanced invoice (invoiceType: 'AR') or
            # partial invoice (invoiceType: 'TR') is no longer possible" (L4).
            if source["invoiceType"] in CREDIT_NOTE["refused_invoice_types"]:
                return 422, _error("No credit note for advance or partial invoices")
            # Whether a draft invoice (100) may be referred to is not documented: the
            # fake accepts it.
            problem = _delivery_problem(credit_note, source)
            if problem:
                return 422, _error(problem)
        if version == "2.0":
            rule = credit_note["taxRule"]["id"]
            if rule not in RULE_RATES:
                return 422, _error(f"taxRule {rule} cannot be used here")
        else:
            rule = {"default": "1", "eu": "3", "ss": "11", "noteu": "17"}.get(
                credit_note["taxType"]
            )
            if rule is None:
                return 422, _error(f"taxType {credit_note['taxType']} is not supported")
        # The tax rules apply to credit notes as to invoices (L4, "The changes to the vat
        # rules also apply here"): 422 for a rate the rule does not allow.
        if any(float(p["taxRate"]) not in RULE_RATES[rule] for p in positions):
            return 422, _error("Tax rate does not match the tax rule")
        if _parse_date(credit_note["creditNoteDate"]) is None:
            return 422, _error("creditNoteDate is invalid")
        if not positions:
            return 422, _error("A credit note needs positions")
        credit_note_id = str(self._next_id())
        stored = dict(
            credit_note,
            id=credit_note_id,
            positions=positions,
            **_sums(positions, credit_note.get("showNet", True)),
        )
        self.credit_notes[credit_note_id] = self._as_created(stored)
        self._number_taken(("CreditNote", "CN"), credit_note["creditNoteNumber"])
        # saveCreditNoteResponse {creditNote, creditNotePos}, unwrapped (L11562-11570)
        return 201, {"creditNote": stored, "creditNotePos": positions}

    def _next_number(self, query):
        """GET /SevSequence/Factory/getByType (see SEQUENCES): the sequence of
        ``objectType`` and ``type``. The file names no parameters' rules nor an answer
        to an unknown sequence; the fake refuses one with a 400 (an assumption)."""
        key = (query.get("objectType", [""])[0], query.get("type", [""])[0])
        if key not in self.sequences:
            return 400, _error(f"No sequence for objectType {key[0]} and type {key[1]}")
        number_format, number = self.sequences[key]
        return 200, {
            "objects": {
                "id": str(1 + list(SEQUENCES).index(key)),
                "objectName": "SevSequence",
                "forObject": key[0],
                "format": number_format,
                "nextSequence": str(number),
                "type": key[1],
            }
        }

    def _number_taken(self, key, number):
        """A document saved with the sequence's next number moves the sequence on. How
        sevDesk moves it is not documented (an assumption); a number of one's own leaves
        it."""
        number_format, next_number = self.sequences[key]
        if number == number_format.replace("%NUMBER", str(next_number)):
            self.sequences[key][1] = next_number + 1

    def _cancel_invoice(self, invoice):
        """POST /Invoice/{invoiceId}/cancelInvoice (L4912-4940): "creating a cancellation
        invoice. The cancellation invoice will be automatically paid and the source
        invoices status will change to 'cancelled'"; type SR "cancels another already
        created normal invoice" (L168). Which statuses may be cancelled is not
        documented; the fake refuses only an invoice it cancelled already (a test
        assumption, not a vendor rule), and writes the status as the description words
        it, 'cancelled', which the status enum does not hold."""
        if invoice["status"] == "cancelled":
            return 400, _error("Bad request")
        invoice["status"] = "cancelled"
        cancellation_id = str(self._next_id())
        cancellation = dict(
            invoice,
            id=cancellation_id,
            invoiceType="SR",
            status="1000",
            invoiceNumber=f"SR-{len(self.invoices) + 1001}",
            origin={"id": invoice["id"], "objectName": "Invoice"},
        )
        self.invoices[cancellation_id] = self._as_created(cancellation)
        return 201, cancellation  # Model_InvoiceResponse, unwrapped (L4923-4928)


def _delivery_problem(credit_note, invoice):
    """L4, "sevdesk-Update 2.0 > Credit Notes": no credit note without a date of delivery
    (deliveryDateUntil) for an invoice with one, none with one for an invoice without,
    and none whose date of delivery is before the invoice's."""
    own, theirs = credit_note.get("deliveryDateUntil"), invoice.get("deliveryDateUntil")
    if theirs is not None and own is None:
        return "The invoice has a date of delivery: the credit note needs one"
    if theirs is None and own is not None:
        return "The invoice has no date of delivery: the credit note may not have one"
    if own is not None and _parse_date(own) < _parse_date(theirs):
        return "The date of delivery may not be before the invoice's"
    return None


def _sums(positions, show_net):
    """showNet: "If true, the price attribute will hold the net value, otherwise the gross
    value" (tag Invoice, L156); the net of a gross price "will be calculated by our
    system" (tag InvoicePos, L182)."""
    net = gross = 0.0
    for position in positions:
        factor = position["quantity"] * (1 - (position.get("discount") or 0) / 100.0)
        rate = 1 + position["taxRate"] / 100.0
        if show_net:
            net += position["price"] * factor
            gross += position["price"] * factor * rate
        else:
            gross += position["price"] * factor
            net += position["price"] * factor / rate
    return {"sumNet": round(net, 2), "sumGross": round(gross, 2)}


def _country_ids():
    return {cid for cid, _name in COUNTRIES.values()}


def _contact_name(contact):
    return contact.get("name") or f"{contact.get('surename', '')} {contact.get('familyname', '')}"


def _listing(items, query):
    offset = int(query.get("offset", ["0"])[0])
    # limit "must be between 1 and 1000" (L4, pagination)
    limit = min(int(query.get("limit", ["100"])[0]), 1000)
    return {"total": str(len(items)), "objects": items[offset : offset + limit]}


def _error(message):
    """validationError: {"error": {"message", "exceptionUUID"}} (L8861-8873)."""
    return {"error": {"message": message, "exceptionUUID": f"{time.time_ns():x}"}}


def _parse_date(value):
    """invoiceDate: "timestamp or dd.mm.yyyy" (L12925); deliveryDateUntil: an integer
    timestamp (L13017)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC).date()
    try:
        return datetime.strptime(value, "%d.%m.%Y").date()
    except (TypeError, ValueError):
        return None
