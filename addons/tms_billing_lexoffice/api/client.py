"""A small client of the lexoffice (Lexware Office) public API, on requests.

Settling a create whose outcome is unknown, by evidence: lexoffice reads a voucher
exactly only by its id (``GET /v1/invoices/{id}``, ``GET /v1/credit-notes/{id}``,
#invoices-endpoint-retrieve-an-invoice, #credit-notes-endpoint-retrieve-a-credit-note),
and a lost answer leaves no id. Our marker is found only through lists: the voucher list
(#voucherlist-endpoint), the only way to list invoices, and an invoice's
``relatedVouchers`` for its credit note (#invoices-endpoint-invoices-properties). The
documentation states no bound on how late these show a new voucher, nor that they show
it at once. ``search_invoice_by_marker`` and ``search_credit_note_by_marker`` give what
such a look-up saw (``export_contract.MarkerSearch``): the voucher, or how many vouchers
the list held and the newest one's ``createdDate``, which the voucher list names for
each voucher (#voucherlist-endpoint). That a list showing a voucher created at that time
also shows every voucher created before it is not documented either: a caller that
treats it as so takes that on itself.
"""

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import requests

from ...tms_billing_sync.export_contract import MarkerSearch
from ...tms_billing_sync.export_http import MIN_CALL_SECONDS, ApiClient, DeadlineRetry, retry_policy
from .const import DEFAULT_APP_URL, DEFAULT_BASE_URL, RATE_LIMIT
from .errors import (
    AuthenticationError,
    ConflictError,
    LexofficeError,
    LookupFailedError,
    MappingError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnknownOutcomeError,
    ValidationError,
    WebhookKeyError,
    _lt,
)
from .mapper import escape_search_name, format_timestamp, has_marker

# What a document download may weigh: a rendered invoice is some hundred kilobytes; the
# documentation names no limit (#invoices-endpoint-download-an-invoice-file).
MAX_FILE_BYTES = 20 * 1024 * 1024

# GET /v1/voucherlist date filters take "format yyyy-MM-dd(e.g. 2023-06-01). References a
# full day in CET/CEST" (#voucherlist-endpoint). Public clients have sent full timestamps
# too, so a 400 on one format is tried once with the other before the look-up fails.
VOUCHERLIST_DATE_FORMATS = ("date", "timestamp")


class RateLimiter:
    """Spaces calls at most ``rate`` per second, across all threads of one client."""

    def __init__(self, rate, clock=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / rate if rate else 0.0
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self):
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


class _LimitedRetry(DeadlineRetry):
    """urllib3's Retry, whose repeats also wait their turn in the client's limiter."""

    def __init__(self, *args, limiter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limiter = limiter

    def new(self, **kw):
        retry = super().new(**kw)
        retry.limiter = self.limiter
        return retry

    def _wait_extra(self):
        # At least one turn of the limiter; more when other calls queue for it.
        return getattr(self.limiter, "interval", 0.0) if self.limiter else 0.0

    def _after_wait(self):
        # The limiter's turn comes after the backoff.
        if self.limiter:
            self.limiter.wait()

    def is_retry(self, method, status_code, has_retry_after=False):
        # Only a 429 is documented as not performed ("the actual call will not be
        # performed", #api-rate-limits): any other answer to a POST may hide a created
        # invoice, which is looked up, never sent again blindly.
        if method == "POST" and status_code != 429:
            return False
        return super().is_retry(method, status_code, has_retry_after)


def _retry_policy(max_retries, backoff_factor, limiter=None):
    # Reads repeat 429 and gateway errors; creates repeat 429 only (is_retry above).
    # Failed connections never reached the server and repeat for every method; a read
    # that timed out is not repeated here, the ledger tries again later.
    return retry_policy(
        _LimitedRetry,
        max_retries,
        backoff_factor,
        limiter=limiter,
        read=0,
        allowed_methods=None,
    )


class LexofficeClient(ApiClient):
    label = "lexoffice"
    default_base_url = DEFAULT_BASE_URL
    error_class = LexofficeError
    unreachable_class = ServerError
    unknown_class = UnknownOutcomeError

    def __init__(
        self,
        api_key,
        base_url=DEFAULT_BASE_URL,
        timeout=(5, 35),
        rate_limit=RATE_LIMIT,
        max_retries=5,
        backoff_factor=0.5,
        session=None,
        limiter=None,
        deadline=None,
        min_call_seconds=MIN_CALL_SECONDS,
    ):
        self.limiter = limiter or RateLimiter(rate_limit)
        retry = _retry_policy(max_retries, backoff_factor, self.limiter)
        super().__init__(
            api_key,
            base_url,
            timeout,
            retry,
            session,
            deadline=deadline,
            min_call_seconds=min_call_seconds,
        )

    # -- transport --------------------------------------------------------------

    def _request(
        self, method, path, *, params=None, json=None, creates=False, accept=None, max_bytes=None
    ):
        headers = {
            "Authorization": f"Bearer {self._secret}",
            "Accept": accept or "application/json",
        }
        if json is not None:
            headers["Content-Type"] = "application/json"
        # A call without time for it takes no turn of the limiter; _send checks the time
        # again after the turn.
        self._check_time(method, path)
        self.limiter.wait()
        response = self._send(
            method,
            path,
            creates=creates,
            params=params,
            json=json,
            headers=headers,
            # A file is read in pieces, up to its limit (_download).
            stream=bool(accept),
        )
        if accept and response.status_code < 300:
            return _download(
                response, method, path, max_bytes or MAX_FILE_BYTES, self.call_deadline()
            )
        return self._handle(response, method, path, creates)

    def _handle(self, response, method, path, creates):
        status = response.status_code
        if status < 300:
            return self._json(response, method, path, creates=creates)
        message, details = _parse_error(response)
        # A 5xx to a create may hide the created invoice (504: "possible that your
        # request has been processed successfully", #http-status-codes).
        if status >= 500 and creates:
            error_class = UnknownOutcomeError
        else:
            error_class = {
                400: ValidationError,
                401: AuthenticationError,
                403: AuthenticationError,
                404: NotFoundError,
                406: ValidationError,
                409: ConflictError,
                415: ValidationError,
                422: ValidationError,
                429: RateLimitError,
            }.get(status, ServerError if status >= 500 else LexofficeError)
        if message:
            # lexoffice's own words, as it gave them.
            raise error_class(
                _lt("lexoffice answered: %(reason)s"), status, details, reason=message
            )
        if status == 429:
            raise error_class(
                _lt(
                    "lexoffice refused %(method)s %(path)s: too many requests at once. It is "
                    "tried again later."
                ),
                status,
                details,
                method=method,
                path=path,
            )
        raise error_class(
            _lt("lexoffice answered %(method)s %(path)s with an error"),
            status,
            details,
            method=method,
            path=path,
        )

    # -- API ------------------------------------------------------------------

    def get_profile(self):
        profile = self._request("GET", "/v1/profile")
        if not isinstance(profile, dict):
            raise LexofficeError(_lt("lexoffice answered without its profile."))
        return profile

    def search_contacts(self, name=None, email=None, customer=True, page=0, size=25):
        params = {"page": page, "size": size}
        if customer is not None:
            params["customer"] = "true" if customer else "false"
        if name:
            params["name"] = escape_search_name(name)
        if email:
            params["email"] = escape_search_name(email)
        page = self._request("GET", "/v1/contacts", params=params)
        if not isinstance(page, dict) or not isinstance(page.get("content", []), list):
            raise LexofficeError(_lt("lexoffice answered the contact search without a page."))
        return page

    def iter_contacts(self, name=None, email=None, customer=True, size=250):
        page = 0
        while True:
            result = self.search_contacts(name, email, customer, page=page, size=size)
            yield from result.get("content", [])
            if result.get("last", True):
                return
            page += 1

    def get_contact(self, contact_id):
        contact = self._request("GET", f"/v1/contacts/{contact_id}")
        if not isinstance(contact, dict) or not contact.get("id"):
            raise LexofficeError(_lt("lexoffice answered without the contact."))
        return contact

    def create_contact(self, payload):
        created = self._request("POST", "/v1/contacts", json=payload, creates=True)
        if not isinstance(created, dict) or not created.get("id"):
            raise UnknownOutcomeError(
                _lt("lexoffice answered the contact's creation without an id.")
            )
        return created

    def create_invoice(self, payload, finalize=False):
        """The action result ``{id, resourceUri, ...}``; an answer without an id is not a
        success, and what it did is unknown."""
        params = {"finalize": "true"} if finalize else None
        created = self._request("POST", "/v1/invoices", params=params, json=payload, creates=True)
        if not isinstance(created, dict) or not created.get("id"):
            raise UnknownOutcomeError(
                _lt("lexoffice answered the invoice's creation without an id.")
            )
        return created

    def get_invoice(self, invoice_id):
        invoice = self._request("GET", f"/v1/invoices/{invoice_id}")
        if not isinstance(invoice, dict) or not invoice.get("id"):
            raise LexofficeError(_lt("lexoffice answered without the invoice."))
        return invoice

    def get_invoice_file(self, invoice_id, max_bytes=None):
        """The invoice's document as PDF bytes: "Returns the file as binary data", drafts
        have none and answer 409 (ConflictError) (#invoices-endpoint-download-an-invoice-
        file). The Accept header takes "*/*", "application/pdf" or "application/xml";
        application/pdf gives the PDF of every invoice, XRechnung included, where */*
        would give an XRechnung's XML."""
        return self._request(
            "GET", f"/v1/invoices/{invoice_id}/file", accept="application/pdf", max_bytes=max_bytes
        )

    def list_vouchers(
        self, voucher_type="invoice", voucher_status="draft", page=0, size=250, **filters
    ):
        params = {
            "voucherType": voucher_type,
            "voucherStatus": voucher_status,
            "page": page,
            "size": size,
        }
        params.update(filters)
        return self._request("GET", "/v1/voucherlist", params=params)

    def find_invoice_by_marker(
        self, marker, contact_id=None, created_since=None, expected_total=None, known_ids=()
    ):
        """The draft invoice whose remark ends with ``marker``, or None (see
        ``search_invoice_by_marker``)."""
        return self.search_invoice_by_marker(
            marker, contact_id, created_since, expected_total, known_ids
        ).found

    def search_invoice_by_marker(
        self, marker, contact_id=None, created_since=None, expected_total=None, known_ids=()
    ):
        """What a look-up of the draft invoice whose remark ends with ``marker`` saw:
        ``MarkerSearch(found, listed, newest_created)``.

        Used after an unknown outcome, before sending again: lexoffice has no
        reference field to search by, so the draft vouchers created since the first
        attempt (of the contact, when known) are read back one by one. Those whose
        total is ``expected_total`` are read first; the others are still read, since
        a total computed differently must not lead to a duplicate. ``known_ids`` are
        invoices already known to carry other markers, which need not be read.
        ``listed`` and ``newest_created`` count every voucher the list showed, those of
        ``known_ids`` too (see the module's notes on what they prove).
        """
        try:
            vouchers = self._list_draft_invoices(contact_id, created_since)
        except LexofficeError as error:
            if isinstance(error, (AuthenticationError, RateLimitError, ServerError)):
                raise
            raise LookupFailedError(
                _lt("Looking for the invoice in lexoffice's voucher list failed: %(error)s"),
                error.status,
                error.details,
                error=error,
            ) from None
        listed, newest = len(vouchers), _newest_created(vouchers)
        vouchers = [voucher for voucher in vouchers if voucher["id"] not in known_ids]
        if expected_total is not None:
            vouchers.sort(
                key=lambda voucher: (
                    abs((voucher.get("totalAmount") or 0.0) - expected_total) >= 0.01
                )
            )
        for voucher in vouchers:
            invoice = self.get_invoice(voucher["id"])
            if has_marker(invoice.get("remark"), marker):
                return MarkerSearch(invoice, listed, newest)
        return MarkerSearch(None, listed, newest)

    def _list_draft_invoices(self, contact_id=None, created_since=None, voucher_type="invoice"):
        """Every draft voucher of ``voucher_type`` (of the contact, created since the day
        of ``created_since``), newest first."""
        formats = VOUCHERLIST_DATE_FORMATS if created_since else (None,)
        for number, date_format in enumerate(formats):
            filters = {"contactId": contact_id} if contact_id else {}
            if date_format == "date":
                filters["createdDateFrom"] = _berlin_day(created_since).isoformat()
            elif date_format == "timestamp":
                filters["createdDateFrom"] = format_timestamp(created_since)
            try:
                return self._all_vouchers(filters, voucher_type)
            except ValidationError as error:
                if error.status != 400 or number == len(formats) - 1:
                    raise
        return []

    def _all_vouchers(self, filters, voucher_type="invoice"):
        vouchers, page = [], 0
        while True:
            listing = self.list_vouchers(
                voucher_type=voucher_type, page=page, sort="createdDate,DESC", **filters
            )
            if not isinstance(listing, dict) or not isinstance(listing.get("content"), list):
                raise LexofficeError(_lt("lexoffice answered the voucher list without content."))
            vouchers += [v for v in listing["content"] if isinstance(v, dict) and v.get("id")]
            if listing.get("last", True):
                return vouchers
            page += 1

    # -- credit notes (#credit-notes-endpoint) ------------------------------------

    def create_credit_note(self, payload, preceding_invoice_id):
        """A draft credit note of the invoice ``preceding_invoice_id``: "To be able to
        pursue a sales voucher to a credit note, the optional query parameter
        precedingSalesVoucherId needs to be set" (#credit-notes-endpoint-pursue-to-a-credit-
        note). Never finalized: "Credit notes transmitted via the API are created in draft
        mode per default" (#credit-notes-endpoint-create-a-credit-note)."""
        if not preceding_invoice_id:
            raise MappingError(
                _lt(
                    "A credit note of an invoice needs the invoice's lexoffice id: send the "
                    "invoice to lexoffice first."
                )
            )
        created = self._request(
            "POST",
            "/v1/credit-notes",
            params={"precedingSalesVoucherId": preceding_invoice_id},
            json=payload,
            creates=True,
        )
        if not isinstance(created, dict) or not created.get("id"):
            raise UnknownOutcomeError(
                _lt("lexoffice answered the credit note's creation without an id.")
            )
        return created

    def get_credit_note(self, credit_note_id):
        """``GET /v1/credit-notes/{id}`` (#credit-notes-endpoint-retrieve-a-credit-note)."""
        credit_note = self._request("GET", f"/v1/credit-notes/{credit_note_id}")
        if not isinstance(credit_note, dict) or not credit_note.get("id"):
            raise LexofficeError(_lt("lexoffice answered without the credit note."))
        return credit_note

    def get_credit_note_file(self, credit_note_id, max_bytes=None):
        """The credit note's document as PDF bytes (#credit-notes-endpoint-download-a-
        credit-note-file): "For credit notes in draft mode, there does not exist a
        document file in Lexware. Any request attempts are rejected with 409 responses"
        (ConflictError)."""
        return self._request(
            "GET",
            f"/v1/credit-notes/{credit_note_id}/file",
            accept="application/pdf",
            max_bytes=max_bytes,
        )

    def find_credit_note_by_marker(
        self, marker, preceding_invoice_id, contact_id=None, created_since=None, known_ids=()
    ):
        """The credit note whose remark ends with ``marker``, or None (see
        ``search_credit_note_by_marker``)."""
        return self.search_credit_note_by_marker(
            marker, preceding_invoice_id, contact_id, created_since, known_ids
        ).found

    def search_credit_note_by_marker(
        self, marker, preceding_invoice_id, contact_id=None, created_since=None, known_ids=()
    ):
        """What a look-up of the credit note whose remark ends with ``marker`` saw:
        ``MarkerSearch(found, listed, newest_created)``.

        First among the invoice's ``relatedVouchers`` ("all existing voucher relations",
        #invoices-endpoint-invoices-properties; "There can only be one credit note related
        to an invoice", #credit-notes-endpoint-purpose); then, as the documentation does
        not say whether a draft credit note is listed there, among the draft credit
        notes of the voucher list (voucherType "creditnote", #voucherlist-endpoint).
        ``listed`` and ``newest_created`` are those of the voucher list; a related
        voucher carries no creation time.
        """
        try:
            invoice = self.get_invoice(preceding_invoice_id)
            related = [
                voucher["id"]
                for voucher in invoice.get("relatedVouchers") or []
                if isinstance(voucher, dict)
                and voucher.get("voucherType") == "creditnote"
                and voucher.get("id")
            ]
            vouchers = self._list_draft_invoices(contact_id, created_since, "creditnote")
        except LexofficeError as error:
            if isinstance(error, (AuthenticationError, RateLimitError, ServerError)):
                raise
            raise LookupFailedError(
                _lt("Looking for the credit note in lexoffice failed: %(error)s"),
                error.status,
                error.details,
                error=error,
            ) from None
        listed, newest = len(vouchers), _newest_created(vouchers)
        candidates = related + [
            voucher["id"]
            for voucher in vouchers
            if voucher["id"] not in known_ids and voucher["id"] not in related
        ]
        for candidate in candidates:
            credit_note = self.get_credit_note(candidate)
            if has_marker(credit_note.get("remark"), marker):
                return MarkerSearch(credit_note, listed, newest)
        return MarkerSearch(None, listed, newest)

    def create_event_subscription(self, event_type, callback_url):
        body = {"eventType": event_type, "callbackUrl": callback_url}
        return self._request("POST", "/v1/event-subscriptions", json=body)

    def list_event_subscriptions(self):
        return self._request("GET", "/v1/event-subscriptions").get("content", [])


def deeplink(app_base, kind, external_id, edit=False):
    """The web app's page of a voucher or contact (``kind``: "invoices", "credit-notes" or
    "contacts"). #invoices-endpoint-deeplink-to-an-invoice: "Invoices can be directly
    accessed by permanent HTTPS links to either be viewed or to be edited. If an invoice
    is not allowed to be edited, a redirection to the view page takes place", "{appbaseurl}
    /permalink/invoices/edit/{id}" or ".../view/{id}"; the same for credit notes
    (#credit-notes-endpoint-deeplink-to-a-credit-note) and contacts
    (#contacts-endpoint-deeplink-to-a-contact)."""
    mode = "edit" if edit else "view"
    return f"{(app_base or DEFAULT_APP_URL).rstrip('/')}/permalink/{kind}/{mode}/{external_id}"


def _download(response, method, path, max_bytes, deadline=None):
    """The body of a file answer, read up to ``max_bytes``: a larger one is refused
    before it is read whole; one still coming in at ``deadline`` (``time.monotonic()``)
    is given up."""
    try:
        declared = int(response.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        response.close()
        raise LexofficeError(
            _lt(
                "lexoffice answered %(method)s %(path)s with %(size)s bytes, more than the "
                "%(limit)s accepted"
            ),
            response.status_code,
            method=method,
            path=path,
            size=declared,
            limit=max_bytes,
        )
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > max_bytes:
                response.close()
                raise LexofficeError(
                    _lt(
                        "lexoffice answered %(method)s %(path)s with more than the "
                        "%(limit)s bytes accepted"
                    ),
                    response.status_code,
                    method=method,
                    path=path,
                    limit=max_bytes,
                )
            chunks.append(chunk)
            if deadline is not None and time.monotonic() > deadline:
                response.close()
                raise ServerError(
                    _lt(
                        "lexoffice's answer to %(method)s %(path)s was still coming in at "
                        "the deadline; it is tried again later."
                    ),
                    method=method,
                    path=path,
                )
    except requests.RequestException as error:
        raise ServerError(
            _lt("lexoffice's answer to %(method)s %(path)s broke off (%(error)s)"),
            method=method,
            path=path,
            error=type(error).__name__,
        ) from None
    return b"".join(chunks)


def _newest_created(vouchers):
    """The latest ``createdDate`` of the listed vouchers (#voucherlist-endpoint), or None.
    A stamp that is not lexoffice's documented format is left out, not guessed at."""
    stamps = []
    for voucher in vouchers:
        value = voucher.get("createdDate")
        try:
            stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except (AttributeError, TypeError, ValueError):
            continue
        if stamp.tzinfo is not None:
            stamps.append(stamp)
    return max(stamps, default=None)


def _berlin_day(moment):
    """The day ``moment`` falls on in CET/CEST, the zone the voucher list's days are in."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(ZoneInfo("Europe/Berlin")).date()


def _parse_error(response):
    """Message and field details from either of the API's two error formats."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or "", []
    if not isinstance(body, dict):
        return "", []
    details = [
        {"field": item.get("field"), "message": item.get("message") or item.get("violation")}
        for item in body.get("details") or []
    ]
    details += [
        {"field": item.get("source"), "message": item.get("i18nKey") or item.get("type")}
        for item in body.get("IssueList") or []
    ]
    return body.get("message") or body.get("error") or "", details


def verify_webhook_signature(body, signature_b64, public_key_pem):
    """Whether ``X-Lxo-Signature`` (RSA-SHA512, base64) signs ``body``."""
    import base64  # noqa: PLC0415 - only webhook receivers need these

    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import padding  # noqa: PLC0415

    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise WebhookKeyError(
            _lt(
                "The lexoffice public key cannot be read (%(reason)s): paste it whole in the "
                "lexoffice Public Key field of the connection (Transport Billing > "
                "Configuration > Accounting Systems)."
            ),
            reason=error,
        ) from None
    try:
        signature = base64.b64decode(signature_b64 or "", validate=True)
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA512())
    except (InvalidSignature, ValueError, TypeError, AttributeError):
        return False
    return True
