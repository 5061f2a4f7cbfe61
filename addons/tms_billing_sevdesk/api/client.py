"""A small client of the sevDesk API, on requests.

Settling a create whose outcome is unknown, by evidence (line numbers of the vendor's
OpenAPI file, see ``const``): sevDesk reads an invoice or credit note exactly only by its
id (``GET /Invoice/{invoiceId}``, L4704-4735; ``GET /CreditNote/{creditNoteId}``,
L2524-2555), and a lost answer leaves no id. Our marker (``customerInternalNote``) is
found through the lists ``GET /Invoice`` and ``GET /CreditNote``, filtered by the
declared parameters status and contact (L4603-4660, L2257-2312); the file states no
delay for these filters to show a new document, nor that they show it at once.
``search_invoice_by_marker`` and ``search_credit_note_by_marker`` give what such a
look-up saw (``export_contract.MarkerSearch``): the document, or how many documents the
list held and the newest one's ``create`` ("Date of invoice creation", L12371-12376;
"Date of creditNote creation", L10499-10504). That a list showing a document created at
that time also shows every document created before it is not documented: a caller that
treats it as so takes that on itself.
"""

import base64
import binascii
from datetime import datetime

from ...tms_billing_sync.export_contract import MarkerSearch
from ...tms_billing_sync.export_errors import ExportDeadlineReached
from ...tms_billing_sync.export_http import MIN_CALL_SECONDS, ApiClient, DeadlineRetry, retry_policy
from .const import (
    DEFAULT_BASE_URL,
    LIST_PAGE_SIZE,
    MAX_LIST_LIMIT,
    MAX_LIST_PAGES,
    MAX_PDF_BYTES,
)
from .errors import (
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
    SevdeskError,
    UnknownOutcomeError,
    ValidationError,
    _lt,
)
from .mapper import (
    build_contact_address_payload,
    build_contact_payload,
    build_email_payload,
    has_marker,
)


class _Retry(DeadlineRetry):
    def is_retry(self, method, status_code, has_retry_after=False):
        # A 429 was not performed, whatever the method: it is always repeated after
        # waiting. Gateway errors repeat for reads only: a create is never sent twice
        # blindly, and no other 4xx is repeated, as sevDesk may block a token that keeps
        # failing.
        if status_code == 429:
            return True
        return method == "GET" and super().is_retry(method, status_code, has_retry_after)


def _retry_policy(max_retries, backoff_factor):
    # Read errors (a timeout, a dropped answer) repeat only for reads.
    return retry_policy(
        _Retry,
        max_retries,
        backoff_factor,
        read=max_retries,
        allowed_methods=frozenset({"GET"}),
    )


class SevdeskClient(ApiClient):
    label = "sevDesk"
    default_base_url = DEFAULT_BASE_URL
    error_class = SevdeskError
    unreachable_class = ServerError
    unknown_class = UnknownOutcomeError

    def __init__(
        self,
        token,
        base_url=DEFAULT_BASE_URL,
        timeout=(5, 30),
        max_retries=3,
        backoff_factor=0.5,
        session=None,
        deadline=None,
        min_call_seconds=MIN_CALL_SECONDS,
    ):
        retry = _retry_policy(max_retries, backoff_factor)
        super().__init__(
            token,
            base_url,
            timeout,
            retry,
            session,
            deadline=deadline,
            min_call_seconds=min_call_seconds,
        )

    def _request(self, method, path, *, params=None, json=None):
        headers = {"Authorization": self._secret, "Accept": "application/json"}
        creates = method == "POST"
        response = self._send(
            method, path, creates=creates, params=params, json=json, headers=headers
        )
        status = response.status_code
        if status < 300:
            body = self._json(response, method, path, creates=creates)
            # GET answers are wrapped in "objects" (e.g. GET /Invoice/{id}, L4724); the
            # file documents some POST answers unwrapped (saveInvoiceResponse, L13762).
            return body.get("objects", body) if isinstance(body, dict) else body
        message, exception_uuid = _parse_error(response)
        if status == 429:
            error_class = RateLimitError
        elif creates and status >= 500 and not (status == 500 and message):
            # The file documents no 5xx as not performed: the invoice may exist.
            error_class = UnknownOutcomeError
        elif status in (401, 403):
            error_class = AuthenticationError
        elif status == 404:
            error_class = NotFoundError
        elif status in (400, 422) or (status == 500 and message):
            # sevDesk answers some validation errors with a 500 and a message.
            error_class = ValidationError
        elif status >= 500:
            error_class = ServerError
        else:
            error_class = SevdeskError
        if message:
            # sevDesk's own words, as it gave them.
            raise error_class(
                _lt("sevDesk answered: %(reason)s"), status, exception_uuid, reason=message
            )
        if status == 429:
            raise error_class(
                _lt(
                    "sevDesk refused %(method)s %(path)s: too many requests at once. It is "
                    "tried again later."
                ),
                status,
                exception_uuid,
                method=method,
                path=path,
            )
        raise error_class(
            _lt("sevDesk answered %(method)s %(path)s with an error"),
            status,
            exception_uuid,
            method=method,
            path=path,
        )

    # -- API ------------------------------------------------------------------

    def get_bookkeeping_version(self):
        answer = self._request("GET", "/Tools/bookkeepingSystemVersion")
        version = answer.get("version") if isinstance(answer, dict) else None
        if version not in ("1.0", "2.0"):
            raise SevdeskError(
                _lt("sevDesk answered without its bookkeeping version (1.0 or 2.0).")
            )
        return version

    def get_country_ids(self):
        """``{ISO code: StaticCountry id}`` of every country sevDesk knows.

        The OpenAPI file only says "For all countries, send a GET to /StaticCountry"
        (Model_ContactAddress.country) and defines neither the path nor its answer. Its
        objects carry the ISO code as ``code`` in the answers public clients read; an
        answer without any code is refused here rather than guessed around.
        """
        countries = self._request("GET", "/StaticCountry", params={"limit": 1000})
        if not isinstance(countries, list):
            countries = []
        ids = {
            str(country["code"]).upper(): int(country["id"])
            for country in countries
            if isinstance(country, dict)
            and country.get("code")
            and str(country.get("id") or "").isdigit()
        }
        if not ids:
            raise SevdeskError(_lt("sevDesk's country list (GET /StaticCountry) has no ISO codes."))
        return ids

    def list_users(self):
        """The account's users, ``[{"id": str, "name": str, "username": str}]``.

        ``GET /SevUser`` is not in the vendor file, which names SevUser only as the type
        of Model_Invoice.contactPerson ("The user who acts as a contact person for the
        invoice", L12886-12899). The repository's community openapi.yaml defines it
        (L9101-9150): ``limit``/``offset``, answered ``{objects: [Model_SevUserResponse],
        total}``, a user carrying ``id``, ``fullname``, ``firstName``, ``lastName`` and
        ``username`` (L20268ff). A user without a numeric id is refused, not skipped.
        """
        users = []
        for user in self._list("/SevUser"):
            name = (user.get("fullname") or "").strip() or " ".join(
                filter(None, [user.get("firstName"), user.get("lastName")])
            )
            username = (user.get("username") or "").strip()
            user_id = _object_id(user, "/SevUser")
            users.append({"id": user_id, "name": name or username or user_id, "username": username})
        return users

    def list_units(self):
        """The account's units, ``[{"id": int, "name": str, "code": str | None}]``.

        ``GET /Unity`` is in neither the vendor file nor the community one: Unity is named
        only as the type of Model_InvoicePos.unity ("The unit in which the positions part
        is measured", example id 1, L13431-13445). Its objects are read as public clients
        read them (``id``, ``name``, ``translationCode``, ``unitySystem``), in the
        ``{objects: [...]}`` of every list of the file; a unit without a numeric id or a
        name is refused, not guessed around.
        """
        units = []
        for unit in self._list("/Unity"):
            name = unit.get("name")
            if not isinstance(name, str) or not name.strip():
                raise SevdeskError(_lt("sevDesk answered GET /Unity with a unit without a name."))
            code = unit.get("translationCode")
            units.append(
                {
                    "id": int(_object_id(unit, "/Unity")),
                    "name": name.strip(),
                    "code": code if isinstance(code, str) and code else None,
                }
            )
        return units

    def _list(self, path):
        """Every object of a list, page by page (``limit``/``offset``, L4 "Pagination")."""
        found = []
        for page in range(MAX_LIST_PAGES):
            params = {"limit": LIST_PAGE_SIZE, "offset": page * LIST_PAGE_SIZE}
            objects = self._request("GET", path, params=params)
            if not isinstance(objects, list) or not all(isinstance(o, dict) for o in objects):
                raise SevdeskError(_lt("sevDesk answered GET %(path)s without a list."), path=path)
            found += objects
            if len(objects) < LIST_PAGE_SIZE:
                return found
        raise SevdeskError(
            _lt("sevDesk lists more than %(count)s entries (GET %(path)s)."),
            count=MAX_LIST_PAGES * LIST_PAGE_SIZE,
            path=path,
        )

    def search_contacts(self, name=None, customer_number=None, limit=50, offset=0):
        params = {"depth": 1, "limit": limit, "offset": offset}
        if name:
            params["name"] = name
        if customer_number:
            params["customerNumber"] = customer_number
        contacts = self._request("GET", "/Contact", params=params)
        if not isinstance(contacts, list):
            raise SevdeskError(_lt("sevDesk answered the contact search without a list."))
        return [contact for contact in contacts if isinstance(contact, dict) and contact.get("id")]

    def get_next_customer_number(self):
        number = self._request("GET", "/Contact/Factory/getNextCustomerNumber")
        if not isinstance(number, (str, int)) or not str(number).strip():
            raise SevdeskError(_lt("sevDesk answered without a next customer number."))
        return str(number)

    def create_contact(self, payload):
        created = self._request("POST", "/Contact", json=payload)
        if not isinstance(created, dict) or not created.get("id"):
            raise UnknownOutcomeError(_lt("sevDesk answered the contact's creation without an id."))
        return created

    def create_contact_address(self, payload):
        return self._request("POST", "/ContactAddress", json=payload)

    def create_communication_way(self, payload):
        return self._request("POST", "/CommunicationWay", json=payload)

    def create_customer(self, contact, country_ids):
        """Contact, then its address and email (separate calls). Returns the contact and
        what failed after it, as SevdeskError: once the contact exists, a failing address
        must not lose it (a retry would create a second contact), nor an address left
        unsent at the call's deadline."""
        created = self.create_contact(build_contact_payload(contact))
        problems = []
        if contact.get("country_code"):
            try:
                self.create_contact_address(
                    build_contact_address_payload(created["id"], contact, country_ids)
                )
            except SevdeskError as error:
                problems.append(SevdeskError(_lt("address not saved: %(error)s"), error=error))
            except ExportDeadlineReached:
                problems.append(SevdeskError(_lt("address not saved: no time was left for it")))
        if contact.get("email"):
            try:
                self.create_communication_way(build_email_payload(created["id"], contact["email"]))
            except SevdeskError as error:
                problems.append(SevdeskError(_lt("email not saved: %(error)s"), error=error))
            except ExportDeadlineReached:
                problems.append(SevdeskError(_lt("email not saved: no time was left for it")))
        return created, problems

    def save_invoice(self, payload):
        """The created invoice: saveInvoiceResponse ``{invoice, invoicePos, filename}``
        (openapi.yaml L13762); an answer without an invoice id is not a success."""
        answer = self._request("POST", "/Invoice/Factory/saveInvoice", json=payload)
        invoice = answer.get("invoice") if isinstance(answer, dict) else None
        if not isinstance(invoice, dict) or not invoice.get("id"):
            raise UnknownOutcomeError(_lt("sevDesk answered saveInvoice without an invoice id."))
        return invoice

    def get_invoice(self, invoice_id):
        """``GET /Invoice/{invoiceId}``; "400: Bad request. Invoice was not found" and no
        404 (openapi.yaml L4730)."""
        return self._get_voucher("Invoice", invoice_id)

    def _get_voucher(self, object_name, voucher_id):
        """``GET /{object_name}/{id}``: ``{objects: [the voucher]}``; a 400 means not found
        (the documented answer for an unknown id, see the callers)."""
        try:
            vouchers = self._request("GET", f"/{object_name}/{voucher_id}")
        except ValidationError as error:
            if error.status == 400:
                raise error.recast(NotFoundError) from None
            raise
        if not isinstance(vouchers, list) or not vouchers or not isinstance(vouchers[0], dict):
            raise SevdeskError(
                _lt("sevDesk answered GET %(path)s without the document."),
                path=f"/{object_name}/{voucher_id}",
            )
        return vouchers[0]

    def _search_draft_by_marker(self, object_name, marker, contact_id):
        """What a look-up of the draft (status 100) ``object_name`` of ``contact_id``
        whose ``customerInternalNote`` ends with ``marker`` saw: every page of the list,
        ``limit`` at its maximum of 1000 (L4, "Pagination"), then matched here."""
        params = {"status": 100}
        if contact_id:
            params.update({"contact[id]": contact_id, "contact[objectName]": "Contact"})
        vouchers = []
        for page in range(MAX_LIST_PAGES):
            page_params = dict(params, limit=MAX_LIST_LIMIT, offset=page * MAX_LIST_LIMIT)
            objects = self._request("GET", f"/{object_name}", params=page_params)
            if not isinstance(objects, list):
                raise SevdeskError(
                    _lt("sevDesk answered GET %(path)s without a list."), path=f"/{object_name}"
                )
            vouchers += [voucher for voucher in objects if isinstance(voucher, dict)]
            if len(objects) < MAX_LIST_LIMIT:
                break
        else:
            raise SevdeskError(
                _lt(
                    "sevDesk lists more than %(count)s drafts (GET %(path)s); the look-up "
                    "stops rather than guess."
                ),
                count=MAX_LIST_PAGES * MAX_LIST_LIMIT,
                path=f"/{object_name}",
            )
        newest = _newest_created(vouchers)
        for voucher in vouchers:
            if has_marker(voucher.get("customerInternalNote"), marker):
                return MarkerSearch(voucher, len(vouchers), newest)
        return MarkerSearch(None, len(vouchers), newest)

    def find_invoice_by_marker(self, marker, contact_id=None):
        """The draft whose ``customerInternalNote`` ends with ``marker``, or None."""
        return self.search_invoice_by_marker(marker, contact_id).found

    def search_invoice_by_marker(self, marker, contact_id=None):
        """What a look-up of the draft invoice whose ``customerInternalNote`` ends with
        ``marker`` saw: ``MarkerSearch(found, listed, newest_created)`` (see the
        module's notes on what it proves)."""
        return self._search_draft_by_marker("Invoice", marker, contact_id)

    # -- credit notes and cancellations ----------------------------------------------

    def save_credit_note(self, payload):
        """The created credit note: saveCreditNoteResponse ``{creditNote, creditNotePos}``
        (openapi.yaml L11562-11570); an answer without its id is not a success."""
        answer = self._request("POST", "/CreditNote/Factory/saveCreditNote", json=payload)
        credit_note = answer.get("creditNote") if isinstance(answer, dict) else None
        if not isinstance(credit_note, dict) or not credit_note.get("id"):
            raise UnknownOutcomeError(
                _lt("sevDesk answered saveCreditNote without a credit note id.")
            )
        return credit_note

    def get_next_credit_note_number(self):
        """The number the next credit note should get, e.g. "GU-1001".

        ``GET /SevSequence/Factory/getByType?objectType=CreditNote&type=CN`` "will check
        what the next credit note number should be, so that a correct enumeration is
        kept" (tag CreditNote, L119). The file names the request in that prose only and
        defines no answer: it is read as public clients read it, ``{objects: {format,
        nextSequence}}``, with "%NUMBER" in the format standing for ``nextSequence``.
        What else a format may hold is not documented: a format without "%NUMBER", or
        with any other "%" placeholder (a date, say), is refused rather than guessed at.
        """
        params = {"objectType": "CreditNote", "type": "CN"}
        sequence = self._request("GET", "/SevSequence/Factory/getByType", params=params)
        if isinstance(sequence, list) and len(sequence) == 1:
            sequence = sequence[0]
        if not isinstance(sequence, dict):
            raise SevdeskError(_lt("sevDesk answered without the credit note number sequence."))
        number, number_format = sequence.get("nextSequence"), sequence.get("format")
        if isinstance(number, bool) or not str(number if number is not None else "").isdigit():
            raise SevdeskError(
                _lt("sevDesk's credit note number range has no next number (%(number)s)."),
                number=repr(number),
            )
        if not isinstance(number_format, str) or number_format.count("%NUMBER") != 1:
            raise SevdeskError(
                _lt(
                    "sevDesk's credit note number format %(format)s has no single "
                    "%%NUMBER: set a format with it in the number range of credit notes in "
                    "sevDesk."
                ),
                format=repr(number_format),
            )
        formatted = number_format.replace("%NUMBER", str(number))
        if "%" in formatted:
            raise SevdeskError(
                _lt(
                    "sevDesk's credit note number format %(format)s holds a placeholder "
                    "other than %%NUMBER, which the API documentation does not explain: set "
                    "a format with %%NUMBER only in the number range of credit notes in "
                    "sevDesk."
                ),
                format=repr(number_format),
            )
        return formatted

    def get_credit_note(self, credit_note_id):
        """``GET /CreditNote/{creditNoteId}``: ``{objects: [Model_creditNoteResponse]}``,
        and "400: Bad request. creditNote was not found" (openapi.yaml L2524-2555)."""
        return self._get_voucher("CreditNote", credit_note_id)

    def find_credit_note_by_marker(self, marker, contact_id=None):
        """The draft credit note whose ``customerInternalNote`` ends with ``marker``, or
        None (see ``search_credit_note_by_marker``)."""
        return self.search_credit_note_by_marker(marker, contact_id).found

    def search_credit_note_by_marker(self, marker, contact_id=None):
        """What a look-up of the draft credit note whose ``customerInternalNote`` ends
        with ``marker`` saw: ``MarkerSearch(found, listed, newest_created)``. Searched by
        the declared parameters of ``GET /CreditNote`` (status, contact[id],
        contact[objectName]; L2264-2312) and matched here: the note filter
        ``customerIntenalNote`` is named only in the tag's prose (sic, L121), with no
        declared parameter or matching rule."""
        return self._search_draft_by_marker("CreditNote", marker, contact_id)

    def cancel_invoice(self, invoice_id):
        """``POST /Invoice/{invoiceId}/cancelInvoice`` (openapi.yaml L4912-4940): "will
        cancel the specified invoice therefor creating a cancellation invoice", answered
        201 with that invoice (Model_InvoiceResponse). Its preconditions are not
        documented."""
        answer = self._request("POST", f"/Invoice/{invoice_id}/cancelInvoice")
        if isinstance(answer, list) and answer and isinstance(answer[0], dict):
            answer = answer[0]
        if not isinstance(answer, dict) or not answer.get("id"):
            raise UnknownOutcomeError(
                _lt("sevDesk answered cancelInvoice without the cancellation.")
            )
        return answer

    def get_invoice_pdf(self, invoice_id):
        """``{filename, mimeType, base64encoded, content}`` (openapi.yaml L5113-5131);
        ``preventSendBy`` keeps the invoice from being marked as sent."""
        params = {"download": "true", "preventSendBy": "true"}
        return self._request("GET", f"/Invoice/{invoice_id}/getPdf", params=params)

    def get_invoice_document(self, invoice_id, max_bytes=MAX_PDF_BYTES):
        """The invoice's PDF as ``{"content": bytes, "filename": str | None}``:
        ``GET /Invoice/{invoiceId}/getPdf`` (openapi.yaml L5086-5139) with
        ``preventSendBy=true`` ("Defines if u want to send the invoice", L5106-5111), so
        that reading it never marks the invoice as sent."""
        return _pdf_document(self.get_invoice_pdf(invoice_id), invoice_id, max_bytes)

    def get_credit_note_document(self, credit_note_id, max_bytes=MAX_PDF_BYTES):
        """The credit note's PDF, as ``get_invoice_document``: ``GET
        /CreditNote/{creditNoteId}/getPdf`` (openapi.yaml L2769-2823), the same
        parameters and answer."""
        params = {"download": "true", "preventSendBy": "true"}
        try:
            answer = self._request("GET", f"/CreditNote/{credit_note_id}/getPdf", params=params)
        except ValidationError as error:
            # "400: Bad request. Invoice was not found" (sic, L2814), no 404.
            if error.status == 400:
                raise error.recast(NotFoundError) from None
            raise
        return _pdf_document(answer, credit_note_id, max_bytes)


def _pdf_document(answer, document_id, max_bytes):
    """The PDF of a getPdf answer: ``content`` is "format: binary" in the schema, with
    ``base64encoded`` telling whether it is base64 (openapi.yaml L5113-5131). Some
    public clients read the four fields inside "objects"; ``_request`` unwraps that.
    ``document_id``: the invoice's or credit note's id there, for messages."""
    if not isinstance(answer, dict) or not isinstance(answer.get("content"), str):
        raise SevdeskError(
            _lt("sevDesk answered the PDF of document %(document)s without its content."),
            document=document_id,
        )
    content = answer["content"]
    if len(content) > max_bytes * 4 // 3 + 4:
        raise SevdeskError(
            _lt("The PDF of document %(document)s is larger than the %(limit)s bytes accepted."),
            document=document_id,
            limit=max_bytes,
        )
    if answer.get("base64encoded") is False:
        # Not documented beyond the flag: text that is no base64 cannot carry a PDF
        # through JSON unharmed, so it is refused rather than guessed at.
        raise SevdeskError(
            _lt("sevDesk answered the PDF of document %(document)s without base64 content."),
            document=document_id,
        )
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise SevdeskError(
            _lt("sevDesk answered the PDF of document %(document)s with broken base64."),
            document=document_id,
        ) from None
    if len(data) > max_bytes:
        raise SevdeskError(
            _lt("The PDF of document %(document)s is larger than the %(limit)s bytes accepted."),
            document=document_id,
            limit=max_bytes,
        )
    filename = answer.get("filename")
    return {"content": data, "filename": filename if isinstance(filename, str) else None}


def _newest_created(documents):
    """The latest ``create`` of the listed documents, or None: a date-time string
    (format: date-time, e.g. '2023-04-18T15:45:38+02:00', L10499-10504). A value without
    a time zone, or not of that format, is left out rather than guessed at."""
    stamps = []
    for document in documents:
        try:
            stamp = datetime.fromisoformat(document.get("create"))
        except (TypeError, ValueError):
            continue
        if stamp.tzinfo is not None:
            stamps.append(stamp)
    return max(stamps, default=None)


def _object_id(obj, path):
    """The id of a listed object, as digits: list answers type ids as strings or as
    numbers (Model_SevUserResponse.id is a number, community openapi.yaml L20268ff)."""
    value = obj.get("id")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not text.isdigit() or not int(text):
        raise SevdeskError(
            _lt("sevDesk answered GET %(path)s with an object without an id."), path=path
        )
    return str(int(text))


def _parse_error(response):
    try:
        body = response.json()
    except ValueError:
        return "", None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", None
    return error.get("message") or "", error.get("exceptionUUID")
