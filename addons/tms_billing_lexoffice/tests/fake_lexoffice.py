"""A loopback fake of the lexoffice public API, for tests (standard library only).

It is a statement about lexoffice's API, and its judge is the vendor's documentation,
https://developers.lexware.io/docs/ (formerly developers.lexoffice.io/docs): every rule
below names the section it comes from. It enforces bearer authentication (401), JSON
only (415), a token-bucket rate limit per key (429, call not performed), the exact
timestamp format, the invoice rules (tax types, their contacts and rates, addresses,
text limits), validation errors in both of the API's formats (406 with ``details`` for
invoices, ``IssueList`` for contacts), optimistic locking (409), paging and name
filters, plain dates in the voucher list's filters, and faults injected on demand,
among them a 504 or a dropped connection after the invoice was created. Credit notes
follow #credit-notes-endpoint: drafts only here unless finalized, linked to a finalized
invoice by ``precedingSalesVoucherId`` (406 for a draft or missing one), one per invoice,
shown in both vouchers' ``relatedVouchers`` and in the voucher list as "creditnote".
A contact's VAT ID must be an EU member state's (help centre, "Wie erstelle ich besondere
Rechnungen?"). The time faults of ``fake_http`` (test faults) apply: under a search lag a
new voucher shows in the voucher list and in ``relatedVouchers``, and a new contact in the
contact search, only that long after its creation, while reads by id see it at once.
"""

import json
import re
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ...tms_billing_sync.tests.fake_http import FakeApi

# The documented rules, with the section each comes from: lexoffice_documented_rules.json.
RULES = json.loads(Path(__file__).with_name("lexoffice_documented_rules.json").read_text("utf-8"))
# FAQ "Datetime format": yyyy-MM-ddTHH:mm:ss.SSSXXX, exactly three millisecond digits.
TIMESTAMP = re.compile(RULES["invoice"]["timestamp_pattern"])
# #voucherlist-endpoint: the date filters take "format yyyy-MM-dd(e.g. 2023-06-01)".
PLAIN_DATE = re.compile(RULES["voucherlist"]["date_filter_pattern"])
# #invoices-endpoint-tax-conditions-details: the taxType values.
TAX_TYPES = set(RULES["tax_types"]["values"])
# #invoices-endpoint, Purpose: "All other vat-free tax types are only usable in
# combination with a referenced contact in Lexware".
CONTACT_TAX_TYPES = set(RULES["tax_types"]["need_contact"])
# FAQ "Texts in sales vouchers".
_LIMITS = RULES["text_limits"]
TEXT_LIMITS = {key: _LIMITS[key] for key in ("title", "introduction", "remark")}
LINE_TEXT_LIMITS = {"name": _LIMITS["lineItemName"], "description": _LIMITS["lineItemDescription"]}
# #credit-notes-endpoint: the required properties, and what credit notes "do not have".
CREDIT_NOTE = RULES["credit_note"]
BERLIN = ZoneInfo("Europe/Berlin")
# A minimal, valid one-page PDF (598 bytes), served as every rendered document.
PDF = Path(__file__).with_name("fake_document.pdf").read_bytes()
# #invoices-endpoint-download-an-invoice-file: the Accept header takes "*/*",
# "application/pdf" or "application/xml"; "Other media types give 406", and an invoice
# that is no XRechnung has no XML (404).
FILE_ACCEPT = ("*/*", "application/pdf", "application/xml")


class _Bucket:
    def __init__(self, rate):
        self.rate, self.capacity = rate, max(rate, 1.0)
        self.tokens, self.stamp = self.capacity, time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class FakeLexoffice(FakeApi):
    # Invoices that break a rule are refused with 406 (#http-status-codes).
    refusal_status = 406
    # The voucher list's envelope with nothing in it (fault "null_200").
    null_answer = {"content": None}

    def __init__(self, api_key="test-key", rate_limit=2.0, fault_delay=1.0, seed=0):
        super().__init__(fault_delay=fault_delay, seed=seed)
        self.api_key = api_key
        # The organisation the key belongs to: GET /v1/profile and every event name it.
        self.organization_id = str(uuid.uuid5(uuid.NAMESPACE_URL, api_key))
        # The organisation's profile (#profile-endpoint): a small business (§ 19 UStG).
        self.small_business = False
        # Which format the voucher list's date filters take: "date" as documented; a
        # test may switch to "timestamp" to play a documentation that is wrong.
        self.voucherlist_date_format = "date"
        self.rate_limit = rate_limit
        self.contacts, self.invoices = {}, {}
        self.credit_notes = {}
        self.voucherlist_queries = []
        # The Accept header of every file download, in order.
        self.file_accepts = []
        self.subscriptions = []
        self._bucket = _Bucket(rate_limit) if rate_limit else None
        self._numbers = iter(range(10001, 10**9))

    # -- test controls ----------------------------------------------------------

    def reset(self):
        """Forget all data, calls and pending faults (between tests)."""
        with self._lock:
            self.contacts.clear()
            self.invoices.clear()
            self.credit_notes.clear()
            self.subscriptions.clear()
            self.reset_calls()
            self.small_business = False
            self.organization_id = str(uuid.uuid5(uuid.NAMESPACE_URL, self.api_key))
            self.voucherlist_date_format = "date"
            self.voucherlist_queries.clear()
            self.file_accepts.clear()
            self.reset_time_faults()

    def set_invoice_status(self, invoice_id, status):
        with self._lock:
            invoice = self.invoices[invoice_id]
            invoice["voucherStatus"] = status
            # "Version (revision) number which will be increased on each change".
            invoice["version"] += 1
            if status != "draft" and not invoice.get("voucherNumber"):
                invoice["voucherNumber"] = f"RE{next(self._numbers)}"

    def set_credit_note_status(self, credit_note_id, status):
        with self._lock:
            credit_note = self.credit_notes[credit_note_id]
            credit_note["voucherStatus"] = status
            credit_note["version"] += 1
            if status != "draft" and not credit_note.get("voucherNumber"):
                credit_note["voucherNumber"] = f"GS{next(self._numbers)}"

    def credit_notes_with_marker(self, marker):
        """The credit notes whose remark ends with our marker line."""
        return [
            credit_note
            for credit_note in self.credit_notes.values()
            if _last_line(credit_note.get("remark")).endswith(marker)
        ]

    def signed_event(self, event_type, resource_id, private_key, **values):
        """A webhook callback body and its ``X-Lxo-Signature``, as lexoffice sends them.

        ``private_key`` is a ``cryptography`` RSA key standing in for lexoffice's;
        ``values`` replace members of the body (``eventDate``, ``organizationId``)."""
        import base64  # noqa: PLC0415 - only webhook tests need these

        from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
        from cryptography.hazmat.primitives.asymmetric import padding  # noqa: PLC0415

        body = json.dumps(
            {
                "organizationId": self.organization_id,
                "eventType": event_type,
                "resourceId": resource_id,
                "eventDate": _now(),
                **values,
            }
        ).encode()
        signature = private_key.sign(body, padding.PKCS1v15(), hashes.SHA512())
        return body, base64.b64encode(signature).decode()

    def invoices_with_marker(self, marker):
        """The invoices whose remark ends with our marker line."""
        return [
            invoice
            for invoice in self.invoices.values()
            if _last_line(invoice.get("remark")).endswith(marker)
        ]

    # -- how lexoffice authenticates, refuses and fails ---------------------------------

    def _refusal(self, request, method, query):
        # The key goes in "Authorization: Bearer"; a missing or wrong one is 401
        # Unauthorized (#http-status-codes).
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, {"message": "Unauthorized"}
        # #api-rate-limits: over the limit, 429 and the call is not performed.
        if self._bucket:
            with self._lock:
                if not self._bucket.take():
                    return 429, {
                        "status": 429,
                        "error": "Too Many Requests",
                        "message": "Rate limit exceeded",
                    }
        return None

    def _read_body(self, request, method, raw):
        # JSON only: a POST or PUT of another content type is 415 (#http-status-codes).
        content_type = request.headers.get("Content-Type") or ""
        if method in ("POST", "PUT") and not content_type.startswith("application/json"):
            return None, (
                415,
                {
                    "status": 415,
                    "error": "Unsupported Media Type",
                    "message": "Content type not supported",
                },
            )
        return super()._read_body(request, method, raw)

    def _fault_answers(self):
        # #http-status-codes: 429, 500, 502, 503, 504; a 504 is the gateway's "Endpoint
        # request timed out", given before ("504_before") or after ("504_after") the
        # call was performed. "502_after" (a proxy losing the answer) and "no_id_after"
        # (a created resource without id) are test faults, not vendor rules.
        answers = {
            fault: (int(fault[:3]), {"status": int(fault[:3]), "message": "injected fault"})
            for fault in ("429", "500", "502", "503")
        }
        timed_out = {"message": "Endpoint request timed out"}
        return answers | {
            "504_before": (504, timed_out),
            "504_after": (504, timed_out),
            "502_after": (502, {"message": "Bad Gateway"}),
            "no_id_after": (201, {"id": "", "resourceUri": "", "version": 1}),
        }

    # -- the API ----------------------------------------------------------------

    def handle(self, method, path, query, body, request):
        """Returns (status, body) for one authenticated, rate-limited call."""
        accept = request.headers.get("Accept")
        parts = [p for p in path.split("/") if p]
        if parts[:1] != ["v1"]:
            return 404, {"message": "Not Found"}
        route = parts[1:]
        if route == ["profile"] and method == "GET":
            # #profile-endpoint: taxType "net, gross, and vatfree", smallBusiness boolean.
            return 200, {
                "organizationId": self.organization_id,
                "companyName": "Fake Spedition GmbH",
                "taxType": "vatfree" if self.small_business else "net",
                "smallBusiness": self.small_business,
            }
        if route == ["contacts"]:
            if method == "POST":
                return self._create_contact(body)
            if method == "GET":
                return self._list_contacts(query)
        if len(route) == 2 and route[0] == "contacts":
            contact = self.contacts.get(route[1])
            if not contact:
                return 404, {"message": "Not Found"}
            if method == "GET":
                return 200, contact
            if method == "PUT":
                return self._update_contact(contact, body)
        if route == ["invoices"] and method == "POST":
            return self._create_invoice(body, query.get("finalize") == ["true"])
        if len(route) >= 2 and route[0] == "invoices":
            invoice = self.invoices.get(route[1])
            if not invoice:
                return 404, {"message": "Not Found"}
            if len(route) == 2 and method == "GET":
                return 200, self._with_listed_relations(invoice)
            if route[2:] == ["file"] and method == "GET":
                return self._file(invoice, accept)
        if route == ["credit-notes"] and method == "POST":
            return self._create_credit_note(
                body,
                (query.get("precedingSalesVoucherId") or [None])[0],
                query.get("finalize") == ["true"],
            )
        if len(route) >= 2 and route[0] == "credit-notes" and method == "GET":
            # #credit-notes-endpoint-retrieve-a-credit-note
            credit_note = self.credit_notes.get(route[1])
            if not credit_note:
                return 404, {"message": "Not Found"}
            if len(route) == 2:
                return 200, self._with_listed_relations(credit_note)
            if route[2:] == ["file"]:
                # #credit-notes-endpoint-download-a-credit-note-file; "we currently do
                # not support the XRechnung format for credit-notes" (#faq-xrechnung).
                return self._file(credit_note, accept)
        if route == ["event-subscriptions"]:
            if method == "POST":
                if not body.get("eventType") or not body.get("callbackUrl"):
                    return 406, {"message": "eventType and callbackUrl are required"}
                subscription = dict(body, subscriptionId=str(uuid.uuid4()), createdDate=_now())
                self.subscriptions.append(subscription)
                return 201, {"id": subscription["subscriptionId"]}
            if method == "GET":
                return 200, {"content": self.subscriptions}
        if route == ["voucherlist"] and method == "GET":
            return self._voucherlist(query)
        return 405 if route else 404, {"message": "Method Not Allowed"}

    def _with_listed_relations(self, voucher):
        """The voucher as read by its id, its ``relatedVouchers`` under the search lag
        (a test fault): how lexoffice fills that list is not documented, so it may lag
        as the voucher list does; the voucher itself is read at once."""
        related = [v for v in voucher["relatedVouchers"] if self.listed(v["id"])]
        return dict(voucher, relatedVouchers=related)

    def _file(self, voucher, accept):
        """GET .../{id}/file (#invoices-endpoint-download-an-invoice-file): "For invoices
        in draft mode, there does not exist a document file in Lexware. Any request
        attempts are rejected with 409 responses"; otherwise "the file as binary data"
        with its Content-Type. Another Accept than the three documented ones is 406; XML
        is only there for an XRechnung (404 otherwise)."""
        self.file_accepts.append(accept)
        if accept not in FILE_ACCEPT:
            return 406, {"message": "Not Acceptable"}
        if voucher["voucherStatus"] == "draft":
            return 409, {"message": "Draft vouchers have no document file."}
        if accept == "application/xml" and not (voucher.get("xRechnung") or {}).get(
            "buyerReference"
        ):
            return 404, {"message": "Not Found"}
        return 200, PDF

    def _create_contact(self, body):
        issues = contact_violations(body)
        if issues:
            return 406, {
                "IssueList": [
                    {"i18nKey": key, "source": source, "type": "validation_failure"}
                    for key, source in issues
                ]
            }
        contact_id = str(uuid.uuid4())
        contact = dict(body, id=contact_id, version=1)
        contact["roles"] = {"customer": {"number": next(self._numbers)}}
        self.contacts[contact_id] = contact
        self.note_created(contact_id)
        return 200, self._created(contact_id, "contacts", 1)

    def _update_contact(self, contact, body):
        if body.get("version") != contact["version"]:
            return 409, {"message": "Version conflict: the contact was changed meanwhile."}
        number = contact["roles"]["customer"]["number"]
        contact.clear()
        contact.update(body, version=body["version"] + 1)
        contact["roles"] = {"customer": {"number": number}}
        return 200, self._created(contact["id"], "contacts", contact["version"])

    def _list_contacts(self, query):
        # Search lag (a test fault): a new contact is found only ``search_lag`` after it
        # was created; GET /v1/contacts/{id} reads it at once.
        matches = [c for c in self.contacts.values() if self.listed(c["id"])]
        for field in ("name", "email"):
            if field in query:
                term = query[field][0]
                if len(term) < 3:
                    return 400, {"message": f"{field} needs at least 3 characters"}
                pattern = _like_pattern(term)
                matches = [c for c in matches if pattern.search(_contact_text(c, field))]
        return 200, _page(matches, query)

    def _create_invoice(self, body, finalize):
        details = invoice_violations(body)
        tax_type = (body.get("taxConditions") or {}).get("taxType")
        # "For tax-exempt organizations vat-free (Steuerfrei) invoices can be created
        # exclusively" (#invoices-endpoint, Purpose); read here as the small business of
        # the profile, whose taxType is then vatfree.
        if self.small_business and tax_type != "vatfree":
            details.append(
                {
                    "violation": "INVALID",
                    "field": "taxConditions.taxType",
                    "message": "Kleinunternehmer können nur steuerfreie Rechnungen erstellen",
                }
            )
        if details:
            return 406, {
                "timestamp": _now(),
                "status": 406,
                "error": "Not Acceptable",
                "path": "/v1/invoices",
                "traceId": uuid.uuid4().hex,
                "message": "Validation failed for request.",
                "details": details,
            }
        contact_id = body["address"].get("contactId")
        if contact_id and contact_id not in self.contacts:
            return 406, {
                "status": 406,
                "message": "Validation failed for request.",
                "details": [
                    {
                        "violation": "NOTFOUND",
                        "field": "address.contactId",
                        "message": "Kontakt existiert nicht",
                    }
                ],
            }
        xrechnung_issue = _xrechnung_violation(body, self.contacts.get(contact_id))
        if xrechnung_issue:
            return 406, {
                "status": 406,
                "message": "Validation failed for request.",
                "details": [xrechnung_issue],
            }
        invoice_id = str(uuid.uuid4())
        invoice = dict(
            body,
            id=invoice_id,
            version=1,
            voucherStatus="draft",
            totalPrice=_totals(body),
            createdDate=self._stamp(),
            # "If no related vouchers exist, an empty list will be returned."
            # (#invoices-endpoint-invoices-properties, Related Vouchers Details)
            relatedVouchers=[],
        )
        self.invoices[invoice_id] = invoice
        self.note_created(invoice_id)
        if finalize:
            self.set_invoice_status(invoice_id, "open")
        return 201, self._created(invoice_id, "invoices", 1, invoice["createdDate"])

    def _create_credit_note(self, body, preceding_id, finalize):
        """POST /v1/credit-notes[?precedingSalesVoucherId={id}] (#credit-notes-endpoint)."""
        details = credit_note_violations(body)
        if not details:
            contact_id = body["address"].get("contactId")
            if contact_id and contact_id not in self.contacts:
                details.append(
                    {
                        "violation": "NOTFOUND",
                        "field": "address.contactId",
                        "message": "Kontakt existiert nicht",
                    }
                )
        invoice = None
        if not details and preceding_id is not None:
            invoice = self.invoices.get(preceding_id)
            # "If the pursue action is not valid, the request will be rejected with 406
            # response." (#credit-notes-endpoint-pursue-to-a-credit-note)
            if invoice is None:
                details.append(_pursue("Vorgängerbeleg existiert nicht"))
            # "If an invoice with the status draft is referenced by the
            # precedingSalesVoucherId, the request will be rejected with 406 response."
            elif invoice["voucherStatus"] == "draft":
                details.append(_pursue("Rechnung im Entwurf kann nicht fortgeführt werden"))
            # "There can only be one credit note related to an invoice."
            # (#credit-notes-endpoint-purpose)
            elif any(
                voucher["voucherType"] == "creditnote" for voucher in invoice["relatedVouchers"]
            ):
                details.append(_pursue("Zur Rechnung existiert bereits eine Gutschrift"))
        if details:
            return 406, {
                "timestamp": _now(),
                "status": 406,
                "error": "Not Acceptable",
                "path": "/v1/credit-notes",
                "traceId": uuid.uuid4().hex,
                "message": "Validation failed for request.",
                "details": details,
            }
        credit_note_id = str(uuid.uuid4())
        credit_note = dict(
            body,
            id=credit_note_id,
            version=1,
            voucherStatus="draft",
            totalPrice=_totals(body),
            createdDate=self._stamp(),
            relatedVouchers=[],
        )
        self.credit_notes[credit_note_id] = credit_note
        self.note_created(credit_note_id)
        if invoice is not None:
            # relatedVouchers: "all existing voucher relations for the current sales
            # voucher" with id, voucherNumber and voucherType (Related Vouchers Details).
            invoice["relatedVouchers"].append(
                {"id": credit_note_id, "voucherNumber": None, "voucherType": "creditnote"}
            )
            credit_note["relatedVouchers"].append(
                {
                    "id": invoice["id"],
                    "voucherNumber": invoice.get("voucherNumber"),
                    "voucherType": "invoice",
                }
            )
        if finalize:
            self.set_credit_note_status(credit_note_id, "open")
        return 201, self._created(credit_note_id, "credit-notes", 1, credit_note["createdDate"])

    def _voucherlist(self, query):
        self.voucherlist_queries.append(query)
        if "voucherType" not in query or "voucherStatus" not in query:
            return 400, {"message": "voucherType and voucherStatus are required"}
        statuses = set(query["voucherStatus"][0].split(","))
        # voucherType: "A comma-separated list of voucher types to be returned, or the
        # value "any"" (#voucherlist-endpoint); "invoice" and "creditnote" are kept here.
        types = set(query["voucherType"][0].split(","))
        stores = [
            (kind, store)
            for kind, store in (("invoice", self.invoices), ("creditnote", self.credit_notes))
            if kind in types or "any" in types
        ]
        matches = [
            {
                "id": i["id"],
                "voucherType": kind,
                "voucherStatus": i["voucherStatus"],
                "voucherNumber": i.get("voucherNumber"),
                "voucherDate": i["voucherDate"],
                "contactId": i["address"].get("contactId"),
                "totalAmount": i["totalPrice"]["totalGrossAmount"],
                "createdDate": i["createdDate"],
            }
            for kind, store in stores
            for i in store.values()
            if (i["voucherStatus"] in statuses or "any" in statuses)
            # Search lag (a test fault): a voucher is listed only ``search_lag`` after its
            # creation, while GET /v1/invoices/{id} and /v1/credit-notes/{id} read it at
            # once. The documentation states no bound on how late the list shows a new
            # voucher, nor that it shows it at once.
            and self.listed(i["id"])
        ]
        if "contactId" in query:
            matches = [v for v in matches if v["contactId"] == query["contactId"][0]]
        if "createdDateFrom" in query:
            value = query["createdDateFrom"][0]
            if self.voucherlist_date_format == "neither":
                return 400, _bad_parameter(value, "createdDateFrom")
            if self.voucherlist_date_format == "date":
                # "format yyyy-MM-dd ... References a full day in CET/CEST"; a timestamp
                # is refused with 400 (Sysix/lexoffice-php-api issue #165 shows the body).
                if not PLAIN_DATE.match(value):
                    return 400, _bad_parameter(value, "createdDateFrom")
                since = datetime.fromisoformat(value).replace(tzinfo=BERLIN)
            else:
                since = _parse_stamp(value)
                if since is None:
                    return 400, _bad_parameter(value, "createdDateFrom")
            matches = [v for v in matches if _parse_stamp(v["createdDate"]) >= since]
        matches.sort(key=lambda v: v["createdDate"], reverse=True)
        return 200, _page(matches, query)

    def _stamp(self):
        """Now on the fake's clock, as lexoffice writes timestamps."""
        return _now(self.now())

    def _created(self, resource_id, kind, version, stamp=None):
        """The answer to a create or update; ``stamp``: the document's createdDate."""
        stamp = stamp or self._stamp()
        return {
            "id": resource_id,
            "resourceUri": f"{self.base_url}/v1/{kind}/{resource_id}",
            "createdDate": stamp,
            "updatedDate": stamp,
            "version": version,
        }


def _bad_parameter(value, name):
    """The body of a 400 on a query parameter (#error-codes: the regular error format)."""
    return {
        "timestamp": _now(),
        "status": 400,
        "error": "Bad Request",
        "path": "/v1/voucherlist",
        "traceId": uuid.uuid4().hex[:12],
        "message": f"Invalid value '{value}' received for request parameter '{name}'.",
    }


def _now(epoch=None):
    now = datetime.now(UTC) if epoch is None else datetime.fromtimestamp(epoch, UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+00:00"


def _parse_stamp(value):
    if not TIMESTAMP.match(value):
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _page(items, query):
    page = int(query.get("page", ["0"])[0])
    size = min(int(query.get("size", ["25"])[0]), 250)
    content = items[page * size : (page + 1) * size]
    total_pages = max(1, -(-len(items) // size))
    return {
        "content": content,
        "first": page == 0,
        "last": page >= total_pages - 1,
        "totalPages": total_pages,
        "totalElements": len(items),
        "numberOfElements": len(content),
        "size": size,
        "number": page,
    }


def _like_pattern(term):
    """lexoffice's substring search: case-insensitive, ``_``/``%`` wildcards unless escaped."""
    term = term.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    regex, index = "", 0
    while index < len(term):
        char = term[index]
        if char == "\\" and index + 1 < len(term):
            regex += re.escape(term[index + 1])
            index += 2
            continue
        regex += "." if char == "_" else ".*" if char == "%" else re.escape(char)
        index += 1
    return re.compile(regex, re.IGNORECASE)


def _contact_text(contact, field):
    if field == "email":
        return " ".join(contact.get("emailAddresses", {}).get("business", []))
    if contact.get("company"):
        return contact["company"]["name"]
    person = contact.get("person", {})
    return f"{person.get('firstName', '')} {person.get('lastName', '')}".strip()


def contact_violations(body):
    """What a POST /v1/contacts body breaks of #contacts-endpoint (create a contact), as
    ``(i18nKey, source)`` pairs of the legacy IssueList."""
    rules = RULES["contact"]
    issues = []
    if body.get("version") != rules["version_on_create"]:
        issues.append(("missing_entity", "version"))
    # "must have at least one role. The role must be set as an empty object."
    roles = body.get("roles") or {}
    if not roles or set(roles) - set(rules["roles"]):
        issues.append(("missing_entity", "roles"))
    # company and person are mutually exclusive: "If company details are provided, the
    # person details have to be absent."
    company, person = body.get("company"), body.get("person")
    if bool(company) == bool(person):
        issues.append(("invalid_value", "company"))
    for kind, value in (("company", company), ("person", person)):
        if value is None:
            continue
        issues += [
            ("missing_entity", f"{kind}.{key}")
            for key in rules[f"{kind}_required"]
            if not value.get(key)
        ]
        issues += [
            ("invalid_value", f"{kind}.{key}") for key in set(value) - set(rules[f"{kind}_fields"])
        ]
    billing = (body.get("addresses") or {}).get("billing") or []
    if len(billing) > rules["max_billing_addresses"]:
        issues.append(("invalid_value", "addresses.billing"))
    for address in billing:
        issues += [
            ("missing_entity", f"addresses.billing[0].{key}")
            for key in rules["address_required"]
            if not address.get(key)
        ]
        issues += [
            ("invalid_value", f"addresses.billing[0].{key}")
            for key in set(address) - set(rules["address_fields"])
        ]
    # XRechnung Details: "If a customer's buyerReference is set, its
    # vendorNumberAtCustomer needs to be set as well."
    xrechnung = body.get("xRechnung") or {}
    if xrechnung.get("buyerReference") and not xrechnung.get("vendorNumberAtCustomer"):
        issues.append(("missing_entity", "xRechnung.vendorNumberAtCustomer"))
    # The VAT ID field is for contacts inside the EU and is checked (help centre, "Wie
    # erstelle ich besondere Rechnungen?"): a number without an EU member state's prefix
    # (a Swiss CHE..., a Norwegian NO...) is refused. How lexoffice words that refusal
    # is not documented; the issue below is an assumption (see the rules file).
    vat_id = (company or {}).get("vatRegistrationId")
    if vat_id and vat_id[:2].upper() not in rules["vat_registration_id_prefixes"]:
        issues.append(("invalid_value", "company.vatRegistrationId"))
    # note: "maximum length of 1000 characters".
    if len(body.get("note") or "") > rules["note_max_length"]:
        issues.append(("invalid_value", "note"))
    # "one email per list" on create and update.
    if len((body.get("emailAddresses") or {}).get("business") or []) > 1:
        issues.append(("invalid_value", "emailAddresses.business"))
    return issues


def _xrechnung_violation(body, contact):
    """What an invoice's ``xRechnung`` breaks of #invoices-endpoint-xrechnung-details:
    "If xRechnung is present, buyerReference is a mandatory field" (an empty string asks
    for a standard invoice), and "If a buyer reference is specified, but the linked
    contact has no buyer reference and vendor number at the customer, request attempts
    are rejected with 406"."""
    if "xRechnung" not in body or body["xRechnung"] is None:
        return None
    reference = (body["xRechnung"] or {}).get("buyerReference")
    if reference is None:
        return {
            "violation": "NOTNULL",
            "field": "xRechnung.buyerReference",
            "message": "darf nicht leer sein",
        }
    # FAQ "XRechnung": an XRechnung invoice has the tax type net. How lexoffice words
    # that refusal is not documented; the violation below is an assumption.
    if reference and (body.get("taxConditions") or {}).get("taxType") != "net":
        return {
            "violation": "INVALID",
            "field": "taxConditions.taxType",
            "message": "XRechnung erfordert den Steuertyp net",
        }
    enabled = (contact or {}).get("xRechnung") or {}
    if reference and not (enabled.get("buyerReference") and enabled.get("vendorNumberAtCustomer")):
        return {
            "violation": "INVALID",
            "field": "xRechnung.buyerReference",
            "message": "Kontakt ist nicht für XRechnung eingerichtet",
        }
    return None


def _last_line(text):
    lines = (text or "").rstrip().splitlines()
    return lines[-1].rstrip() if lines else ""


def invoice_violations(body):
    """What a POST /v1/invoices body breaks of #invoices-endpoint (create an invoice)."""
    details = []

    def violation(kind, field, message):
        details.append({"violation": kind, "field": field, "message": message})

    if not body.get("voucherDate"):
        violation("NOTNULL", "voucherDate", "darf nicht leer sein")
    elif not TIMESTAMP.match(body["voucherDate"]):
        violation("PATTERN", "voucherDate", "ungültiges Datumsformat")
    tax_type = (body.get("taxConditions") or {}).get("taxType")
    if tax_type not in TAX_TYPES:
        violation("NOTNULL", "taxConditions.taxType", "ungültiger Wert")
    # #invoices-endpoint-address-details: contactId "Only when referencing an existing
    # contact"; name and countryCode "Only required when no existing contact is
    # referenced"; a referenced address is modified "by setting all required address
    # fields".
    address = body.get("address") or {}
    if not address:
        violation("NOTNULL", "address", "darf nicht leer sein")
    elif not address.get("contactId") or set(address) - {"contactId"}:
        for key in ("name", "countryCode"):
            if not address.get(key):
                violation("NOTNULL", f"address.{key}", "darf nicht leer sein")
    for key in set(address) - set(RULES["address"]["fields"]):
        violation("INVALID", f"address.{key}", "unbekanntes Feld")
    if tax_type in CONTACT_TAX_TYPES and not address.get("contactId"):
        violation("NOTNULL", "address.contactId", f"für {tax_type} erforderlich")
    # totalPrice.currency: "Only possible value is EUR".
    if (body.get("totalPrice") or {}).get("currency") != "EUR":
        violation("NOTNULL", "totalPrice.currency", "nur EUR")
    items = body.get("lineItems") or []
    if not items:
        violation("NOTNULL", "lineItems", "darf nicht leer sein")
    if len(items) > RULES["invoice"]["max_line_items"]:
        violation("SIZE", "lineItems", "höchstens 300 Positionen")
    allowed_rates = _allowed_rates(tax_type, _relevant_date(body))
    # unitPrice: netAmount "Only relevant if taxConditions.taxType != gross", grossAmount
    # "Only relevant if ... == gross" (#invoices-endpoint-line-items-details).
    price_key = "grossAmount" if tax_type == "gross" else "netAmount"
    for index, item in enumerate(items):
        prefix = f"lineItems[{index}]"
        if not item.get("name"):
            violation("NOTNULL", f"{prefix}.name", "darf nicht leer sein")
        for key, limit in LINE_TEXT_LIMITS.items():
            if len(item.get(key) or "") > limit:
                violation("SIZE", f"{prefix}.{key}", f"höchstens {limit} Zeichen")
        if item.get("type") == "custom":
            for key in ("quantity", "unitName", "unitPrice"):
                if item.get(key) in (None, ""):
                    violation("NOTNULL", f"{prefix}.{key}", "darf nicht leer sein")
            price = item.get("unitPrice") or {}
            if price.get(price_key) is None:
                violation("NOTNULL", f"{prefix}.unitPrice.{price_key}", "darf nicht leer sein")
            rate = price.get("taxRatePercentage")
            if rate is None:
                violation(
                    "NOTNULL", f"{prefix}.unitPrice.taxRatePercentage", "darf nicht leer sein"
                )
            elif allowed_rates is not None and float(rate) not in allowed_rates:
                violation(
                    "INVALID", f"{prefix}.unitPrice.taxRatePercentage", "ungültiger Steuersatz"
                )
            if price.get("currency") != "EUR":
                violation("INVALID", f"{prefix}.unitPrice.currency", "nur EUR")
        elif item.get("type") not in ("text", "service", "material"):
            violation("INVALID", f"{prefix}.type", "ungültiger Wert")
    # #invoices-endpoint-shipping-conditions-details: the date is required unless none,
    # the end date for the period types, not before the start.
    shipping = body.get("shippingConditions") or {}
    kind = shipping.get("shippingType")
    if kind not in ("service", "serviceperiod", "delivery", "deliveryperiod", "none"):
        violation("NOTNULL", "shippingConditions.shippingType", "ungültiger Wert")
    elif kind != "none":
        start = shipping.get("shippingDate")
        if not start or not TIMESTAMP.match(start):
            violation("NOTNULL", "shippingConditions.shippingDate", "darf nicht leer sein")
        if kind.endswith("period"):
            end = shipping.get("shippingEndDate")
            if not end or not TIMESTAMP.match(end):
                violation("NOTNULL", "shippingConditions.shippingEndDate", "darf nicht leer sein")
            elif start and end[:10] < start[:10]:
                violation("INVALID", "shippingConditions.shippingEndDate", "vor dem Startdatum")
    for key, limit in TEXT_LIMITS.items():
        if len(body.get(key) or "") > limit:
            violation("SIZE", key, f"höchstens {limit} Zeichen")
    return details


def credit_note_violations(body):
    """What a POST /v1/credit-notes body breaks of #credit-notes-endpoint: the invoice's
    rules (the same required properties, address, tax types and rates, line items, 300
    at most, text limits) without shippingConditions, which "credit notes do not have",
    nor payment conditions, delivery terms or line item discounts
    (#credit-notes-endpoint-credit-notes-properties). The relevant date of the tax rates
    is the voucherDate (FAQ "Valid tax rates")."""
    details = [
        detail
        for detail in invoice_violations(dict(body, shippingConditions={"shippingType": "none"}))
        if not detail["field"].startswith("shippingConditions")
    ]
    for key in CREDIT_NOTE["not_properties"]:
        if key in body:
            details.append({"violation": "INVALID", "field": key, "message": "unbekanntes Feld"})
    for index, item in enumerate(body.get("lineItems") or []):
        for key in CREDIT_NOTE["line_item_not_properties"]:
            if key in item:
                details.append(
                    {
                        "violation": "INVALID",
                        "field": f"lineItems[{index}].{key}",
                        "message": "unbekanntes Feld",
                    }
                )
    return details


def _pursue(message):
    return {"violation": "INVALID", "field": "precedingSalesVoucherId", "message": message}


def _relevant_date(body):
    """FAQ "Valid tax rates": the voucherDate when shippingType is none, the shippingDate
    for service/delivery, the shippingEndDate for the period types."""
    shipping = body.get("shippingConditions") or {}
    kind = shipping.get("shippingType")
    stamp = body.get("voucherDate")
    if kind in ("service", "delivery"):
        stamp = shipping.get("shippingDate")
    elif kind in ("serviceperiod", "deliveryperiod"):
        stamp = shipping.get("shippingEndDate")
    try:
        return date.fromisoformat((stamp or "")[:10])
    except ValueError:
        return None


def _allowed_rates(tax_type, relevant_date):
    """unitPrice.taxRatePercentage: "For vat-free sales vouchers the tax rate percentage
    must be 0"; FAQ "Valid tax rates": 0, 7 and 19 %, or 0, 5 and 16 % for a relevant
    date from 2020-07-01 to 2020-12-31."""
    rates = RULES["tax_types"]
    if tax_type not in rates["taxed"]:
        return {rates["vat_free_rate"]}
    if relevant_date is None:
        return None
    if date(2020, 7, 1) <= relevant_date <= date(2020, 12, 31):
        return set(rates["taxed_rates_2020_07_01_to_2020_12_31"])
    return set(rates["taxed_rates"])


def _totals(body):
    tax_type = body["taxConditions"]["taxType"]
    net = gross = 0.0
    for item in body["lineItems"]:
        price = item.get("unitPrice")
        if not price:
            continue
        rate = price["taxRatePercentage"] / 100.0
        factor = item["quantity"] * (1 - item.get("discountPercentage", 0) / 100.0)
        if tax_type == "gross":
            gross += price["grossAmount"] * factor
            net += price["grossAmount"] * factor / (1 + rate)
        else:
            net += price["netAmount"] * factor
            gross += price["netAmount"] * factor * (1 + rate)
    return {
        "currency": "EUR",
        "totalNetAmount": round(net, 2),
        "totalGrossAmount": round(gross, 2),
        "totalTaxAmount": round(gross - net, 2),
    }
