"""What the loopback fakes of accounting systems' APIs share (standard library only).

A fake is a statement about one vendor's API; this module holds none: only the threaded
server on 127.0.0.1, the request cycle, and the faults a test injects to play a broken
network, proxy or host. A provider's fake subclasses :class:`FakeApi` and says how its
API authenticates, encodes and refuses (hooks ``_refusal``, ``_read_body``,
``_fault_answers``, ``_encode``, ``_error``), and answers calls in ``handle``.

Faults, one per matching call (``inject``), in the order a call meets them:

- before the call is performed: the vendor's own fault answers (``_fault_answers``,
  e.g. "429", "503"), "401" (the key refused in the middle of a run), "redirect_302"
  and "redirect_307" (to ``redirect_target``, another host), "huge_error" (a refusal
  with a message of 500,000 characters);
- after the call was performed: the vendor's own (e.g. "504_after", "no_id_after"),
  "truncated_200" (its answer cut off halfway), "html_200", "array_200", "null_200"
  (what a broken server or proxy may answer with a 200), "drop_after" (the connection
  dropped) and "timeout_after" (no answer for ``fault_delay`` seconds).

Faults with time, also test faults and no statement about any API:

- a clock of the fake's own (``now``, ``advance``): the real time plus an offset a test
  moves forward, so that a test of a lag of 15 minutes does not wait for it. Creation
  stamps and the search lag follow it; the rate limits and the slow answers below keep
  the real time;
- a *search lag* (``search_lag`` seconds): a document or contact a provider's fake
  creates (``note_created``) shows in its list and search answers only that long after
  its creation (``listed``), while a read by its id sees it at once;
- *slow answers*, answered after ``slow_seconds`` of real time, longer than the client
  waits: "slow_after" (performed at once, answered late), "slow_before" (performed
  only after the wait, so after the client gave up) and "slow_unperformed" (answered
  late with a 503 and not performed). ``inject`` one for a chosen call, or set
  ``slow_rate`` for a share of all calls that meet no injected fault, drawn from
  ``slow_faults`` ("slow_after" and "slow_unperformed" unless a test says otherwise) by
  a random generator seeded with the fake's ``seed``. Each slow call is recorded in
  ``slow_calls``.

These are tests of our handling, not statements about any API; "none" is a call that
meets no injected fault (a share of slow answers, ``slow_rate``, may still meet it).
"""

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

HUGE_MESSAGE_LENGTH = 500_000
REDIRECTS = ("redirect_302", "redirect_307")
# Slow answers (test faults): performed at once, performed after the wait, not performed.
SLOW_FAULTS = ("slow_after", "slow_before", "slow_unperformed")
# Answers a broken server or proxy may give with a 200. "null_200" is the vendor's
# list or object envelope with nothing in it: ``FakeApi.null_answer``.
GARBAGE = {
    "html_200": b"<html><body>Wartungsarbeiten</body></html>",
    "array_200": b"[]",
}


class FakeApi:
    """A loopback HTTP fake of one API: its life cycle, the calls it saw, its faults."""

    # The path every call of the API starts with, part of ``base_url`` (e.g. "/api/v1").
    url_prefix = ""
    # A valid answer with nothing in it, for the fault "null_200".
    null_answer = {}
    # The status of the API's refusal of a call's content, for the fault "huge_error".
    refusal_status = 400

    def __init__(self, fault_delay=1.0, seed=0):
        self.fault_delay = fault_delay  # how long "timeout_after" keeps the client waiting
        # (method, path, status) of every call, in order; status "dropped" or "late" for
        # the faults that give none.
        self.requests = []
        # Where "redirect_302"/"redirect_307" send the client: another host's address.
        self.redirect_target = ""
        self._faults = []
        self._lock = threading.RLock()
        self._server = None
        self._seed = seed
        self.reset_time_faults()

    def reset_time_faults(self):
        """The real time, no search lag and no slow answers (between tests)."""
        with self._lock:
            self.clock_offset = 0.0
            self.search_lag = 0.0
            self.slow_rate = 0.0
            self.slow_seconds = 2.0
            self.slow_faults = ("slow_after", "slow_unperformed")
            # (method, path, fault) of every slow answer, in order.
            self.slow_calls = []
            self._slow_random = random.Random(self._seed)
            self._created_at = {}

    # -- life cycle -------------------------------------------------------------------

    def start(self):
        fake = self

        class Handler(self._handler_class()):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def _handler_class(self):
        """The class that handles this fake's requests (a test may extend it)."""
        return FakeHandler

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
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.url_prefix}"

    # -- test controls ----------------------------------------------------------------

    def inject(self, method, path_prefix, faults):
        """Make the next calls of ``method`` to a path starting with ``path_prefix``
        (without ``url_prefix``) fail, one fault per call, in order."""
        with self._lock:
            self._faults.extend((method, path_prefix, fault) for fault in faults)

    def reset_calls(self):
        """Forget the calls seen and the faults still pending."""
        with self._lock:
            self.requests.clear()
            self._faults.clear()

    def _take_fault(self, method, path):
        with self._lock:
            fault = None
            for index, (fault_method, prefix, injected) in enumerate(self._faults):
                if fault_method == method and path.startswith(prefix):
                    del self._faults[index]
                    fault = injected
                    break
            if fault in (None, "none") and self.slow_rate:
                if self._slow_random.random() < self.slow_rate:
                    return self._slow_random.choice(self.slow_faults)
            return fault

    # -- time (test faults) -------------------------------------------------------------

    def now(self):
        """The fake's time (epoch seconds): the real time plus what ``advance`` added."""
        return time.time() + self.clock_offset

    def advance(self, seconds):
        """Move the fake's clock forward, e.g. past a search lag, without waiting."""
        with self._lock:
            self.clock_offset += seconds

    def note_created(self, key):
        """Record that the document or contact ``key`` (its id) was created now."""
        with self._lock:
            self._created_at[str(key)] = self.now()

    def listed(self, key):
        """Whether lists and searches show ``key`` yet: ``search_lag`` seconds after its
        creation. What the fake did not create (a test's own data) is always shown."""
        born = self._created_at.get(str(key))
        return born is None or self.now() >= born + self.search_lag

    # -- what a provider's fake says about its API ------------------------------------

    def handle(self, method, path, query, body, request):
        """(status, answer) of one authenticated call; ``request`` is the handler, for
        headers and the raw body."""
        raise NotImplementedError

    def _refusal(self, request, method, query):
        """(status, answer) if the call is refused before anything else (its
        authentication, its rate limit), else None."""
        return None

    def _read_body(self, request, method, raw):
        """(body, None) or (None, (status, answer)) for a body the API refuses."""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return None, (400, self._error(400, "Malformed JSON"))
        return body, None

    def _fault_answers(self):
        """The vendor's own fault answers: {fault: (status, answer)}; those whose name
        ends in "_after" are given after the call was performed."""
        return {}

    def _error(self, status, message):
        """The API's error answer with ``message``."""
        return {"status": status, "message": message}

    def _encode(self, answer):
        """The bytes of a JSON answer."""
        return json.dumps(answer).encode()


class FakeHandler(BaseHTTPRequestHandler):
    """One call to a :class:`FakeApi`: authentication, faults, the API's answer."""

    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stalls
    protocol_version = "HTTP/1.1"
    server_fake = None

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_PUT(self):
        self._serve("PUT")

    def _send(self, status, data, content_type="application/json", headers=()):
        self.server_fake.requests.append((self.command, self._path, status))
        try:
            self.send_response(status)
            for header in (("Content-Type", content_type), *headers):
                self.send_header(*header)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            # The client gave up waiting (a slow answer) and closed the connection.
            self.close_connection = True

    def _answer(self, status, answer):
        if isinstance(answer, bytes):
            return self._send(status, answer, "application/pdf")
        return self._send(status, self.server_fake._encode(answer))

    def _serve(self, method):
        fake = self.server_fake
        url = urlsplit(self.path)
        self._path, query = unquote(url.path), parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        refusal = fake._refusal(self, method, query)
        if refusal:
            return self._answer(*refusal)
        fault = fake._take_fault(method, self._path.removeprefix(fake.url_prefix))
        own = fake._fault_answers()
        if fault in own and not fault.endswith("_after"):
            return self._answer(*own[fault])
        if fault == "401":
            return self._answer(401, fake._error(401, "Unauthorized"))
        if fault == "huge_error":
            status = fake.refusal_status
            return self._answer(status, fake._error(status, "x" * HUGE_MESSAGE_LENGTH))
        if fault in REDIRECTS:
            location = ("Location", f"{fake.redirect_target}{self.path}")
            return self._send(int(fault[-3:]), b"", headers=[location])
        if fault in SLOW_FAULTS:
            with fake._lock:
                fake.slow_calls.append((method, self._path, fault))
            if fault != "slow_after":
                time.sleep(fake.slow_seconds)  # without the lock: other calls go on
            if fault == "slow_unperformed":
                return self._answer(503, fake._error(503, "Service Unavailable"))
        body, refused = fake._read_body(self, method, raw)
        if refused:
            return self._answer(*refused)
        with fake._lock:
            status, answer = fake.handle(method, self._path, query, body, self)
        if fault == "slow_after":
            time.sleep(fake.slow_seconds)
        return self._answer_with_fault(fault, own, status, answer)

    def _answer_with_fault(self, fault, own, status, answer):
        """The answer, as the fault after the call (``own``: the vendor's) has it."""
        fake = self.server_fake
        if fault == "truncated_200":
            data = fake._encode(answer)
            return self._send(200, data[: max(1, len(data) // 2)])
        if fault in GARBAGE:
            content_type = "text/html" if fault == "html_200" else "application/json"
            return self._send(200, GARBAGE[fault], content_type)
        if fault == "null_200":
            return self._send(200, json.dumps(fake.null_answer).encode())
        if fault in own:
            return self._answer(*own[fault])
        if fault == "drop_after":
            fake.requests.append((self.command, self._path, "dropped"))
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        if fault == "timeout_after":
            time.sleep(fake.fault_delay)
            fake.requests.append((self.command, self._path, "late"))
            self.close_connection = True
            return None
        return self._answer(status, answer)
