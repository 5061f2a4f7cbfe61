"""A loopback fake of the sevDesk API, for tests (standard library only).

Like the real API it authenticates with the raw token in ``Authorization``, wraps
answers in ``objects`` and returns numbers as strings, hides persons from contact
searches without ``depth=1``, checks the key order of ``saveInvoice``, answers a tax
rule that does not fit a position's rate with 422, some validation errors with 500,
and refuses a regular invoice delivered after its invoice date. Faults are injected on
demand, among them a 504 or a dropped connection after the invoice was saved.
"""

import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SAVE_INVOICE_KEYS = [
    "invoice",
    "invoicePosSave",
    "invoicePosDelete",
    "discountSave",
    "discountDelete",
    "takeDefaultAddress",
]
RULE_RATES = {"1": {0, 7, 19}, "2": {0}, "3": {0}, "4": {0}, "5": {0}, "11": {0}}


def _strings(value):
    """sevDesk returns every number as a string."""
    if isinstance(value, dict):
        return {key: _strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_strings(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


class FakeSevdesk:
    def __init__(self, token="test-token", bookkeeping_version="2.0", fault_delay=1.0):
        self.token = token
        self.bookkeeping_version = bookkeeping_version
        self.fault_delay = fault_delay
        self.contacts, self.invoices, self.addresses, self.emails = {}, {}, [], []
        self.requests, self.pdf_sent = [], set()
        self._faults = []
        self._ids = iter(range(1000, 10**9))
        self._lock = threading.RLock()
        self._server = None

    def start(self):
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/v1"

    def reset(self):
        """Forget all data, calls and pending faults (between tests)."""
        with self._lock:
            for store in (self.contacts, self.invoices, self.addresses, self.emails):
                store.clear()
            self.requests.clear()
            self.pdf_sent.clear()
            self._faults.clear()

    def inject(self, method, path_prefix, faults):
        with self._lock:
            self._faults.extend((method, path_prefix, fault) for fault in faults)

    def set_invoice_status(self, invoice_id, status):
        with self._lock:
            self.invoices[str(invoice_id)]["status"] = int(status)

    def invoices_with_marker(self, marker):
        return [i for i in self.invoices.values() if i.get("customerInternalNote") == marker]

    def _take_fault(self, method, path):
        with self._lock:
            for index, (fault_method, prefix, fault) in enumerate(self._faults):
                if fault_method == method and path.startswith(prefix):
                    del self._faults[index]
                    return fault
        return None

    def _next_id(self):
        return next(self._ids)

    # -- the API ----------------------------------------------------------------

    def handle(self, method, path, query, body, raw):
        route = path.removeprefix("/api/v1").strip("/").split("/")
        if route == ["Tools", "bookkeepingSystemVersion"]:
            return 200, {"objects": {"version": self.bookkeeping_version}}
        if route == ["Contact", "Factory", "getNextCustomerNumber"]:
            return 200, {"objects": str(1001 + len(self.contacts))}
        if route == ["Contact"] and method == "POST":
            return self._create_contact(body)
        if route == ["Contact"] and method == "GET":
            found = list(self.contacts.values())
            if query.get("depth") != ["1"]:
                found = [c for c in found if c.get("name")]
            if "name" in query:
                term = query["name"][0].lower()
                found = [c for c in found if term in _contact_name(c).lower()]
            if "customerNumber" in query:
                found = [c for c in found if c.get("customerNumber") == query["customerNumber"][0]]
            return 200, _listing(found, query)
        if route == ["ContactAddress"] and method == "POST":
            return self._create_child(body, self.addresses, "ContactAddress", ("country",))
        if route == ["CommunicationWay"] and method == "POST":
            return self._create_child(body, self.emails, "CommunicationWay", ("type", "value"))
        if route == ["Invoice", "Factory", "saveInvoice"] and method == "POST":
            return self._save_invoice(body, raw)
        if route == ["Invoice"] and method == "GET":
            found = list(self.invoices.values())
            if "status" in query:
                found = [i for i in found if str(i["status"]) == query["status"][0]]
            if "invoiceNumber" in query:
                found = [i for i in found if i["invoiceNumber"] == query["invoiceNumber"][0]]
            if "contact[id]" in query:
                found = [i for i in found if str(i["contact"]["id"]) == query["contact[id]"][0]]
            return 200, _listing(found, query)
        if len(route) >= 2 and route[0] == "Invoice":
            invoice = self.invoices.get(route[1])
            if not invoice:
                return 404, _error("Invoice not found")
            if len(route) == 2 and method == "GET":
                return 200, {"objects": [invoice]}
            if route[2:] == ["getPdf"]:
                if query.get("preventSendBy") != ["true"]:
                    self.pdf_sent.add(route[1])
                return 200, {"objects": {"filename": f"{invoice['invoiceNumber']}.pdf"}}
        return 404, _error("Not found")

    def _create_contact(self, body):
        if (body.get("category") or {}).get("id") in (None, ""):
            return 400, _error("category is required")
        if not body.get("name") and not (body.get("surename") or body.get("familyname")):
            return 400, _error("Either name or surename/familyname is required")
        contact_id = str(self._next_id())
        number = body.get("customerNumber") or str(1001 + len(self.contacts))
        contact = dict(body, id=contact_id, objectName="Contact", customerNumber=number)
        self.contacts[contact_id] = contact
        return 201, {"objects": contact}

    def _create_child(self, body, store, object_name, required):
        contact_id = str((body.get("contact") or {}).get("id"))
        if contact_id not in self.contacts or any(not body.get(key) for key in required):
            return 400, _error(f"{object_name}: contact and {', '.join(required)} are required")
        record = dict(body, id=str(self._next_id()), objectName=object_name)
        store.append(record)
        return 201, {"objects": record}

    def _save_invoice(self, body, raw):
        keys = list(json.loads(raw or b"{}").keys())
        if keys != SAVE_INVOICE_KEYS:
            return 400, _error(f"saveInvoice expects the keys {SAVE_INVOICE_KEYS}, got {keys}")
        invoice = body["invoice"] or {}
        positions = body["invoicePosSave"] or []
        if invoice.get("objectName") != "Invoice" or not invoice.get("mapAll"):
            return 400, _error("invoice needs objectName Invoice and mapAll")
        contact_id = str((invoice.get("contact") or {}).get("id"))
        if contact_id not in self.contacts:
            return 400, _error("contact does not exist")
        if not (invoice.get("contactPerson") or {}).get("id"):
            return 400, _error("contactPerson is required")
        if invoice.get("invoiceType") != "RE":
            return 422, _error("Only invoiceType RE is supported here")
        if self.bookkeeping_version == "2.0":
            if int(invoice.get("status", 0)) != 100:
                return 422, _error("With bookkeeping 2.0 invoices are created as drafts")
            rule = str((invoice.get("taxRule") or {}).get("id") or "")
            if rule not in RULE_RATES:
                return 422, _error("taxRule is required")
            if any(float(p.get("taxRate", 0)) not in RULE_RATES[rule] for p in positions):
                return 422, _error("Tax rate does not match the tax rule")
        elif not invoice.get("taxType"):
            return 422, _error("taxType is required")
        invoice_date = _parse_date(invoice.get("invoiceDate"))
        if invoice_date is None:
            return 422, _error("invoiceDate is invalid")
        delivery = _parse_date(invoice.get("deliveryDateUntil") or invoice.get("deliveryDate"))
        if delivery and delivery > invoice_date:
            return 422, _error("Delivery date may not be after the invoice date")
        if not positions:
            return 422, _error("An invoice needs positions")
        for position in positions:
            if not position.get("name"):
                # The real API answers some validation errors with a 500.
                return 500, _error("Validation error: InvoicePos name must not be empty")
        invoice_id = str(self._next_id())
        stored = dict(
            invoice,
            id=invoice_id,
            invoiceNumber=f"RE-{len(self.invoices) + 1001}",
            status=int(invoice["status"]),
            positions=positions,
            sumNet=round(sum(p["quantity"] * p["price"] for p in positions), 2),
        )
        stored["sumGross"] = round(
            sum(p["quantity"] * p["price"] * (1 + p["taxRate"] / 100) for p in positions), 2
        )
        self.invoices[invoice_id] = stored
        return 201, {"objects": {"invoice": stored, "invoicePos": positions}}


def _contact_name(contact):
    return contact.get("name") or f"{contact.get('surename', '')} {contact.get('familyname', '')}"


def _listing(items, query):
    offset = int(query.get("offset", ["0"])[0])
    limit = min(int(query.get("limit", ["100"])[0]), 1000)
    return {"total": str(len(items)), "objects": items[offset : offset + limit]}


def _error(message):
    return {"error": {"message": message, "exceptionUUID": f"{time.time_ns():x}"}}


def _parse_date(value):
    try:
        return datetime.strptime(value, "%d.%m.%Y").date()
    except (TypeError, ValueError):
        return None


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stalls

    server_fake = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def _serve(self, method):
        fake = self.server_fake
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""

        def answer(status, body):
            fake.requests.append((method, url.path, status))
            data = json.dumps(_strings(body)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        if self.headers.get("Authorization") != fake.token or "token" in query:
            return answer(401, _error("Authentication required"))
        fault = fake._take_fault(method, url.path.removeprefix("/api/v1"))
        if fault in ("429", "500", "502", "503"):
            return answer(int(fault), _error("") if fault != "500" else {"error": {}})
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return answer(400, _error("Malformed JSON"))
        with fake._lock:
            status, result = fake.handle(method, url.path, query, body, raw)
        if fault == "504_after":
            return answer(504, {"message": "Gateway Timeout"})
        if fault == "drop_after":
            fake.requests.append((method, url.path, "dropped"))
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        if fault == "timeout_after":
            time.sleep(fake.fault_delay)
            fake.requests.append((method, url.path, "late"))
            self.close_connection = True
            return None
        return answer(status, result)
