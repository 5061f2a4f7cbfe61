"""Push invoices through a real multi-worker Odoo 18 with its default limits.

    benchmarks/run deployment [--invoices 300] [--fault-rate 0.1] [--connections 1]
        [--search-lag 0] [--slow-rate 0] [--slow-only PROVIDER] [--slow-seconds TIMEOUT+5]
        [--timeout 35] [--wait 2700]

Prepares N draft invoices of one linked customer, queued for a lexoffice connection
pointed at the loopback fake (2 requests/second per key, like the real API), then starts
Odoo as its own process with ``--workers=2`` and Odoo's default time limits and cron
threads, triggers the send cron and, at the same time, has two clients press "Send now"
over JSON-RPC on batches of at most five queued invoices, so that the cron worker and
both HTTP workers push on the same key at once. A share of the creates is answered 502
or 504 after the invoice was created. When every row is sent (or the time is up) it
prints the rate as a share of the limit while invoices were queued, the requests per
process, the 429 answers, the duplicates in the fake, the rows not sent and what the
Odoo log says about killed workers, errors and the runs of every connection's job. An
unknown outcome whose invoice is not there is settled about 26 minutes after its
attempt, so a run with faults lasts about half an hour.

Faults with time, played by the fakes (test faults, see ``fake_http``): ``--search-lag``
makes a new document or contact show in list and search answers only that many seconds
after its creation (a read by id sees it at once); ``--slow-rate`` answers that share of
all calls after ``--slow-seconds``, longer than the connections' read timeout
(``--timeout``), half of them performed at once and half not performed, on every
connection or on ``--slow-only``'s alone.
``--connections 2`` adds a sevDesk connection beside lexoffice, with its own token, fake,
customer and N invoices of its own, pushed by the same cron and clients.
"""

import argparse
import collections
import itertools
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import psutil
import requests
from bench_ledger import load_fake_lexoffice, load_fake_sevdesk, make_invoices

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.tools import config

FAULTS = ["502_after", "504_after"]
RATE_LIMIT = 2.0  # lexoffice's; sevDesk publishes none
# The connections the benchmark can push to, in order: (provider, key, the create call
# the faults are injected into, the backend's own values).
CONNECTIONS = (
    ("lexoffice", "bench-key", ("POST", "/v1/invoices"), {}),
    (
        "sevdesk",
        "bench-sevdesk-token",
        ("POST", "/Invoice/Factory/saveInvoice"),
        # A SevUser and a Unity of the fake's account (fake_sevdesk.SEV_USERS, UNITS).
        {"sevdesk_contact_person_id": "42", "sevdesk_unit_id": 1},
    ),
)
SEND_CRON = "tms_billing_sync.ir_cron_tms_send_exports"
# Odoo's options that bound a worker; none is passed, so Odoo's defaults apply.
LIMITS = (
    "limit_time_cpu",
    "limit_time_real",
    "limit_time_real_cron",
    "max_cron_threads",
    "limit_memory_soft",
    "limit_memory_hard",
    "limit_request",
)
# Odoo's log lines that tell of a worker killed, recycled or crashed.
KILLED = re.compile(
    r"timeout after|CPU time limit|virtual real time limit|memory limit|killing"
    r"|Exception occurred, exiting|Job .* timed out",
    re.IGNORECASE,
)
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\d+) (\w+) (\S+) (\S+): (.*)$")
WORKER_ALIVE = re.compile(r"Worker (WorkerHTTP|WorkerCron) \((\d+)\) alive")
WINDOW = 5.0  # seconds: processes calling within one window count as calling at once


def _socket_inode(local_port, remote_port):
    """The inode of the loopback TCP socket from ``local_port`` to ``remote_port``."""
    wanted = f":{local_port:04X}", f":{remote_port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            columns = line.split()
            if columns[1].endswith(wanted[0]) and columns[2].endswith(wanted[1]):
                return columns[9]
    return None


class ProcessMap:
    """Which OS process holds the client end of a connection to the fake."""

    def __init__(self):
        self.root_pid = None

    def candidates(self):
        pids = [os.getpid()]
        if self.root_pid:
            try:
                root = psutil.Process(self.root_pid)
                pids += [root.pid] + [child.pid for child in root.children(recursive=True)]
            except psutil.Error:
                pass
        return pids

    def pid_of(self, client_port, server_port):
        inode = _socket_inode(client_port, server_port)
        if not inode:
            return None
        target = f"socket:[{inode}]"
        for pid in self.candidates():
            fd_dir = Path(f"/proc/{pid}/fd")
            try:
                for fd in fd_dir.iterdir():
                    try:
                        if os.readlink(fd) == target:
                            return pid
                    except OSError:
                        continue
            except OSError:
                continue
        return None


class Connection:
    """One connection of the benchmark: its provider, key, fake and queued invoices."""

    def __init__(self, provider, key, create_call, values, fake):
        self.provider, self.key, self.create_call = provider, key, create_call
        self.values, self.fake = values, fake
        self.export_ids, self.markers, self.backend_id = [], {}, None
        self.trace_from = 0

    def calls(self, finished):
        return [call for call in self.fake.trace[self.trace_from :] if call[0] <= finished]


def traced_fake(fake_class, processes):
    """``fake_class`` (a provider's fake), recording for every request the process that
    made it."""

    class TracedFake(fake_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.trace = []  # (time, pid, method, path, status)

        def _handler_class(self):
            class Handler(super()._handler_class()):
                caller_pid = None
                status = None

                def send_response(self, code, message=None):
                    self.status = code
                    super().send_response(code, message)

                def _serve(self, method):
                    if self.caller_pid is None:
                        self.caller_pid = processes.pid_of(
                            self.client_address[1], self.server.server_address[1]
                        )
                    self.status, started = None, time.time()
                    try:
                        super()._serve(method)
                    finally:
                        path = self.path.split("?", 1)[0]
                        self.server_fake.trace.append(
                            (started, self.caller_pid, method, path, self.status or "dropped")
                        )

            return Handler

    return TracedFake


def prepare(registry, connections, invoices, fault_rate, timeout):
    """Each connection, its customer and its queued invoices, committed; fills in each
    connection's export ids and markers."""
    rng = random.Random(7)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        for number, connection in enumerate(connections):
            backend = env["tms.billing.backend"].create(
                {
                    "name": f"{connection.provider} (fake)",
                    "provider": connection.provider,
                    "api_url": connection.fake.base_url,
                    "api_key": connection.key,
                    **({"timeout": timeout} if timeout else {}),
                    **connection.values,
                }
            )
            name = "Bench Spedition GmbH" if not number else f"Bench Spedition {number + 1} GmbH"
            moves = make_invoices(env, invoices, backend, customer_name=name)
            exports = env["tms.billing.export"]._tms_queue(moves, backend)
            connection.export_ids, connection.backend_id = exports.ids, backend.id
            connection.markers = dict(zip(exports.ids, exports.mapped("marker"), strict=True))
        # The cron starts on the benchmark's trigger, not on its own schedule meanwhile.
        env.ref(SEND_CRON).nextcall = fields.Datetime.now() + timedelta(days=1)
        cr.commit()
    for connection in connections:
        connection.fake.inject(
            *connection.create_call,
            [rng.choice(FAULTS) if rng.random() < fault_rate else "none" for _ in range(invoices)],
        )


# odoo-bin's lines, run from a file: Odoo starts its long-polling process as
# ``python argv[0] gevent``. That process serves the web client's bus only, which the
# benchmark does not use; it is parked, since gevent's start-up can fail (pkg_resources
# not finding zope.interface's dist-info) and Odoo would then respawn it without end.
ODOO_BIN = """\
import os
import sys
import time

os.environ["TZ"] = "UTC"
if sys.argv[1:2] == ["gevent"]:
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)
    sys.exit(0)

import odoo

if __name__ == "__main__":
    odoo.cli.main()
"""


def start_odoo(odoo_args, http_port, workdir):
    launcher = os.path.join(workdir, "odoo-bin")
    Path(launcher).write_text(ODOO_BIN)
    command = [
        sys.executable,
        launcher,
        *odoo_args,
        f"--data-dir={os.path.join(workdir, 'data')}",
        "--workers=2",
        "--http-interface=127.0.0.1",
        f"--http-port={http_port}",
        f"--gevent-port={http_port + 20}",
        f"--logfile={os.path.join(workdir, 'odoo.log')}",
        "--log-level=info",
    ]
    with open(os.path.join(workdir, "stderr.log"), "wb") as stderr:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
            start_new_session=True,
        )


def wait_for_http(base_url, server, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"Odoo exited with {server.returncode} before it served")
        try:
            if requests.get(f"{base_url}/web/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("Odoo did not answer in time")


def wait_for_quiet(logfile, least=8.0, most=40.0, quiet=3.0):
    """Until the crons that are due when Odoo starts have run: no cron line for ``quiet``
    seconds (the fake's bucket is full again by then too)."""
    started = time.monotonic()
    while time.monotonic() - started < most:
        records, _text = read_log(logfile)
        last = max((r[0] for r in records if r[3].endswith("ir_cron")), default=0.0)
        if time.monotonic() - started >= least and time.time() - last >= quiet:
            return
        time.sleep(0.5)


def stop_odoo(server):
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # Odoo stops its workers gracefully
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


class RpcClient:
    def __init__(self, base_url, db):
        self.base_url, self.session, self._id = base_url, requests.Session(), 0
        self.call("/web/session/authenticate", {"db": db, "login": "admin", "password": "admin"})

    def call(self, path, params):
        self._id += 1
        response = self.session.post(
            f"{self.base_url}{path}",
            json={"jsonrpc": "2.0", "method": "call", "id": self._id, "params": params},
            timeout=600,
        )
        response.raise_for_status()
        body = response.json()
        if body.get("error"):
            error = body["error"]
            raise RuntimeError((error.get("data") or {}).get("message") or error.get("message"))
        return body["result"]

    def send_now(self, export_ids):
        return self.call(
            "/web/dataset/call_kw/tms.billing.export/action_send",
            {
                "model": "tms.billing.export",
                "method": "action_send",
                "args": [export_ids],
                "kwargs": {},
            },
        )


class SendNowClients:
    """Threads that press "Send now" on the newest queued invoices, five at a time,
    while the cron works from the oldest."""

    def __init__(self, registry, base_url, db, export_ids, count, batch=5):
        self.registry, self.base_url, self.db = registry, base_url, db
        self.export_ids, self.batch = tuple(export_ids), batch
        self.calls = []  # (started, ended, ids, outcome, rows sent)
        self.errors = []
        self._taken, self._lock = set(), threading.Lock()
        self._clients = [RpcClient(base_url, db) for _n in range(count)]
        self._threads = [
            threading.Thread(target=self._run, args=(client,), daemon=True)
            for client in self._clients
        ]

    def start(self):
        for thread in self._threads:
            thread.start()

    def join(self, timeout=None):
        for thread in self._threads:
            thread.join(timeout)

    def _next_batch(self):
        with self._lock, self.registry.cursor() as cr:
            cr.execute(
                "SELECT id FROM tms_billing_export WHERE id IN %s AND state = 'to_send' "
                "ORDER BY id DESC LIMIT %s",
                (self.export_ids, self.batch * 4),
            )
            ids = [row[0] for row in cr.fetchall() if row[0] not in self._taken][: self.batch]
            self._taken.update(ids)
            return ids

    def _run(self, client):
        while ids := self._next_batch():
            started, sent = time.time(), 0
            try:
                notification = client.send_now(ids).get("params") or {}
                outcome = notification.get("type", "?")
                if outcome == "success":
                    sent = len(ids)
                elif outcome == "warning":
                    # One line per invoice that was not sent (failed, or taken by another).
                    sent = len(ids) - len(notification.get("message", "").splitlines())
            except Exception as error:
                outcome = "error"
                self.errors.append(str(error)[:300])
            self.calls.append((started, time.time(), ids, outcome, sent))


def states(registry, export_ids):
    with registry.cursor() as cr:
        cr.execute(
            "SELECT state, count(*) FROM tms_billing_export WHERE id IN %s GROUP BY state",
            (tuple(export_ids),),
        )
        return dict(cr.fetchall())


def work_due(registry, export_ids):
    """Rows with work due now or within a minute: queued, being sent, or failed with a
    retry or look-up that soon. Rows whose look-up waits for the settling rule's evidence
    (minutes away) are not: the key has nothing to do for them meanwhile."""
    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(*) FROM tms_billing_export WHERE id IN %s AND (state IN "
            "('to_send', 'sending') OR (state = 'failed' AND next_attempt_at <= "
            "(now() AT TIME ZONE 'UTC') + interval '60 seconds'))",
            (tuple(export_ids),),
        )
        return cr.fetchone()[0]


def read_log(logfile):
    """Odoo's log records as (time, pid, level, logger, message, extra lines), and its text.

    The extra lines are the traceback, if any, that belongs to the record."""
    text = Path(logfile).read_text(errors="replace") if Path(logfile).exists() else ""
    records = []
    for line in text.splitlines():
        match = LOG_LINE.match(line)
        if match:
            stamp = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            records.append((stamp, int(match[2]), match[3], match[5], match[6].strip(), []))
        elif records:
            records[-1][5].append(line)
    return records, text


def idle_gaps(stamps, started, ended):
    """Stretches without any call longer than the limit's interval: (offset, seconds)."""
    interval = 1.0 / RATE_LIMIT
    points = [started, *sorted(stamps), ended]
    return [
        (before - started, after - before - interval)
        for before, after in itertools.pairwise(points)
        if after - before > 2 * interval
    ]


def cron_runs(log_lines, cron_name):
    """(pid, started, ended) of each run of the cron, from Odoo's log."""
    runs, open_runs = [], {}
    for stamp, pid, _level, _logger, message, _extra in log_lines:
        if message.startswith(f"Job '{cron_name}'") and message.endswith("starting"):
            open_runs[pid] = stamp
        elif message.startswith(f"Job '{cron_name}'") and "processed" in message:
            if pid in open_runs:
                runs.append((pid, open_runs.pop(pid), stamp))
    runs += [(pid, started, None) for pid, started in open_runs.items()]
    return sorted(runs, key=lambda run: run[1])


def concurrency(trace, started, ended):
    """Seconds (in windows of WINDOW) in which at least three processes made calls."""
    windows = collections.defaultdict(set)
    for stamp, pid, *_rest in trace:
        if started <= stamp <= ended and pid:
            windows[int((stamp - started) // WINDOW)].add(pid)
    return sum(WINDOW for pids in windows.values() if len(pids) >= 3), len(windows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=300, help="invoices per connection")
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--clients", type=int, default=2, help='threads pressing "Send now"')
    parser.add_argument(
        "--connections",
        type=int,
        choices=(1, 2),
        default=1,
        help="1: lexoffice; 2: lexoffice and sevDesk, each with its own key and fake",
    )
    parser.add_argument(
        "--search-lag",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="a new document shows in the fakes' lists and searches only this late",
    )
    parser.add_argument(
        "--slow-rate",
        type=float,
        default=0.0,
        metavar="FRACTION",
        help="share of all calls answered after --slow-seconds",
    )
    parser.add_argument(
        "--slow-only",
        choices=[provider for provider, *_rest in CONNECTIONS],
        help="answer slowly on this connection only (a slow provider beside a healthy one)",
    )
    parser.add_argument(
        "--slow-seconds",
        type=float,
        default=None,
        help="how late a slow answer comes (default: the read timeout + 5 s)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="the connections' read timeout in seconds (default: the field's, 35)",
    )
    parser.add_argument("--http-port", type=int, default=18903)
    parser.add_argument(
        "--wait",
        type=float,
        default=2700,
        help="seconds until rows count stuck (an unknown outcome whose invoice is not there "
        "is settled about 26 minutes after its attempt)",
    )
    parser.add_argument("--keep-log", help="copy Odoo's log to this file")
    args, odoo_args = parser.parse_known_args()
    config.parse_config(odoo_args)
    odoo.tools.config["log_level"] = "warn"
    db = config["db_name"]
    limits = {name: config[name] for name in LIMITS}
    defaults = {
        name: config.parser.get_option("--" + name.replace("_", "-")).my_default for name in LIMITS
    }
    read_timeout = args.timeout or 35.0
    slow_seconds = args.slow_seconds if args.slow_seconds is not None else read_timeout + 5.0
    processes = ProcessMap()
    fake_classes = (
        load_fake_lexoffice().FakeLexoffice,
        load_fake_sevdesk().FakeSevdesk,
    )
    connections = []
    for (provider, key, create_call, values), fake_class in list(
        zip(CONNECTIONS, fake_classes, strict=True)
    )[: args.connections]:
        traced = traced_fake(fake_class, processes)
        # Each fake draws its slow answers with a seed of its own.
        seed = len(connections) + 1
        if provider == "lexoffice":
            fake = traced(api_key=key, rate_limit=RATE_LIMIT, fault_delay=3.0, seed=seed)
        else:
            fake = traced(token=key, fault_delay=3.0, seed=seed)
        connections.append(Connection(provider, key, create_call, values, fake.start()))
    registry = odoo.modules.registry.Registry(db)
    prepare(registry, connections, args.invoices, args.fault_rate, args.timeout)
    export_ids = [export_id for c in connections for export_id in c.export_ids]
    for connection in connections:
        # From here on: set after the customers' contacts were created, so that the
        # preparation meets none of them.
        connection.fake.search_lag = args.search_lag
        slow = not args.slow_only or connection.provider == args.slow_only
        connection.fake.slow_rate = args.slow_rate if slow else 0.0
        connection.fake.slow_seconds = slow_seconds
    workdir = tempfile.mkdtemp(prefix="tms_bench_deployment_")
    logfile = os.path.join(workdir, "odoo.log")
    base_url = f"http://127.0.0.1:{args.http_port}"
    server = start_odoo(odoo_args, args.http_port, workdir)
    processes.root_pid = server.pid
    clients = None
    try:
        wait_for_http(base_url, server)
        clients = SendNowClients(registry, base_url, db, export_ids, args.clients)
        wait_for_quiet(logfile)
        for connection in connections:
            connection.trace_from = len(connection.fake.trace)
            connection.fake.slow_calls.clear()
        started = time.time()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env.ref(SEND_CRON)._trigger()
            cr.commit()  # wakes the cron workers (NOTIFY after commit)
        clients.start()
        ended, counts, last_report, drained = None, {}, started, {}
        while time.time() - started < args.wait:
            counts = states(registry, export_ids)
            if counts.get("sent", 0) == len(export_ids):
                ended = time.time()
                break
            for c in connections:
                if c.provider not in drained and not work_due(registry, c.export_ids):
                    drained[c.provider] = time.time()
                    print(
                        f"  {drained[c.provider] - started:5.0f} s: {c.provider}'s queue worked "
                        f"off; {counts}",
                        flush=True,
                    )
            if time.time() - last_report >= 30:
                last_report = time.time()
                print(f"  {last_report - started:5.0f} s: {counts}", flush=True)
            time.sleep(1.0)
        finished = ended or time.time()
        clients.join(timeout=120)
    finally:
        stop_odoo(server)
    log_lines, log_text = read_log(logfile)
    stderr_text = Path(workdir, "stderr.log").read_text(errors="replace")
    shutil.rmtree(os.path.join(workdir, "data"), ignore_errors=True)
    if args.keep_log:
        Path(args.keep_log).write_text(log_text)

    # -- figures ------------------------------------------------------------------------
    trace = connections[0].calls(finished)  # lexoffice's: the rate-limited key
    # Each connection's queue: (seconds until worked off, its calls meanwhile).
    queues = {}
    for c in connections:
        until = drained.get(c.provider, finished)
        queues[c.provider] = (
            max(until - started, 1e-9),
            sum(1 for call in c.calls(finished) if call[0] <= until),
        )
    elapsed = finished - started
    last_call = max((call[0] for c in connections for call in c.calls(finished)), default=started)
    last_call -= started
    refused = sum(1 for call in trace if call[4] == 429)
    roles = {}
    for _stamp, _pid, _level, _logger, message, _extra in log_lines:
        match = WORKER_ALIVE.search(message)
        if match:
            roles[int(match[2])] = match[1]
    per_process = collections.Counter(call[1] for call in trace)
    at_once, windows = concurrency(trace, started, finished)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cron_name = env.ref(SEND_CRON).cron_name
        job_names = {
            c.provider: env["tms.billing.backend"].browse(c.backend_id).cron_id.cron_name
            for c in connections
        }
        figures = [connection_figures(env, c, finished) for c in connections]
    duplicates = sum(f["duplicates"] for f in figures)
    not_sent = sum(f["not_sent"] for f in figures)
    killed = [line for line in log_text.splitlines() if KILLED.search(line)]
    errors = [record for record in log_lines if record[2] in ("ERROR", "CRITICAL")]
    warnings = [record for record in log_lines if record[2] == "WARNING"]
    # Tracebacks Odoo logs at INFO (e.g. attachments absent from the copied database's
    # empty filestore) are not failures.
    info_tracebacks = sum(
        1
        for record in log_lines
        if record[2] == "INFO" and any("Traceback" in x for x in record[5])
    )
    gaps_on_key = idle_gaps([call[0] for call in trace], started, finished)
    runs = cron_runs(log_lines, cron_name)
    gaps = [nxt[1] - run[2] for run, nxt in itertools.pairwise(runs) if run[2] and nxt[1] >= run[2]]
    job_runs = {name: cron_runs(log_lines, job) for name, job in job_names.items()}
    every_run = runs + [run for found in job_runs.values() for run in found]
    longest_run = max((run[2] - run[1] for run in every_run if run[2]), default=0.0)
    unfinished_runs = sum(1 for run in every_run if not run[2])
    cron_limit = limits["limit_time_real_cron"]
    if cron_limit is None or cron_limit < 0:
        cron_limit = limits["limit_time_real"]
    drained_span, drained_calls = queues["lexoffice"]
    http_sent = sum(call[4] for call in clients.calls)
    requests_made = len(trace)
    rate = len(connections[0].export_ids) / elapsed
    request_rate = requests_made / elapsed

    print(f"Odoo: --workers=2, {', '.join(f'{k}={v}' for k, v in limits.items())}")
    changed = [name for name in LIMITS if limits[name] != defaults[name]]
    print(
        "  these are Odoo's defaults"
        if not changed
        else f"  NOT Odoo's defaults: {', '.join(changed)} (defaults {defaults})"
    )
    print(
        f"deployment push: {args.invoices} invoices on each of "
        f"{', '.join(c.provider for c in connections)}, fault rate {args.fault_rate:.0%} "
        f"(502/504 after creation), {args.clients} Send-now clients"
    )
    print(
        f"  time faults: search lag {args.search_lag:g} s, slow answers {args.slow_rate:.0%} "
        f"of all calls{f' of {args.slow_only}' if args.slow_only else ''} after "
        f"{slow_seconds:g} s (read timeout {read_timeout:g} s)"
    )
    print(
        f"  elapsed {elapsed:.1f} s (last API call at {last_call:.1f} s); lexoffice: "
        f"{rate:.2f} invoices/s = {rate / RATE_LIMIT:.0%} of the limit; "
        f"{requests_made} requests = {request_rate:.2f} requests/s = "
        f"{request_rate / RATE_LIMIT:.0%} of the {RATE_LIMIT:g} requests/s limit"
    )
    for provider, (span, calls) in queues.items():
        share = (
            f"{calls / span / RATE_LIMIT:.0%} of the limit meanwhile"
            if provider == "lexoffice"
            else "no published limit"
        )
        print(
            f"  {provider}'s queue worked off (every row sent or waiting for the settling "
            f"rule's look-up) at {span:.1f} s: {calls} requests = {calls / span:.2f} "
            f"requests/s ({share})"
        )
    print(f"  429 answers (lexoffice): {refused}")
    for figure in figures:
        print(
            f"  {figure['provider']}: {figure['requests']} requests, "
            f"{figure['slow']} slow answers {figure['slow_kinds']}, "
            f"duplicates {figure['duplicates']} (invoices missing in the fake: "
            f"{figure['missing']}), rows not sent (stuck): {figure['not_sent']} "
            f"{figure['stuck_states']}, sent rows whose external id is not their invoice: "
            f"{figure['wrong_id']}, attempts {figure['attempts']}"
        )
    print(f"  killed or crashed workers: {len(killed)}")
    for line in killed[:10]:
        print(f"    {line}")
    print(
        f"  Odoo's log: {len(errors)} ERROR/CRITICAL, {len(warnings)} WARNING records "
        f"({info_tracebacks} INFO records with a traceback)"
    )
    for _stamp, pid, level, logger, message, extra in (errors + warnings)[:10]:
        print(f"    {pid} {level} {logger}: {message[:200]}")
        for line in extra[-3:]:
            print(f"      {line[:200]}")
    if "Traceback" in stderr_text:
        print(
            f"  Odoo's stderr: {stderr_text.count('Traceback')} tracebacks, the last one ends "
            f"{stderr_text.strip().splitlines()[-1][:200]}"
        )
    idle = sum(gap for _offset, gap in gaps_on_key)
    print(
        f"  the lexoffice key stood idle {idle:.1f} s in all; longest: "
        + (
            ", ".join(
                f"{gap:.1f} s from {offset:.1f} s"
                for offset, gap in sorted(gaps_on_key, key=lambda g: -g[1])[:5]
            )
            or "-"
        )
    )
    for figure in figures:
        print(f"  requests by kind ({figure['provider']}):")
        for kind, count in sorted(figure["kinds"].items()):
            print(f"    {count:4d}  {kind}")
    print("  requests by process (lexoffice):")
    for pid, count in per_process.most_common():
        role = roles.get(pid) or ("benchmark" if pid == os.getpid() else "unknown")
        print(f"    {count:4d}  pid {pid} ({role})")
    callers = [pid for pid in per_process if pid and pid != os.getpid()]
    print(
        f"  processes that called lexoffice: {len(callers)}; {at_once:.0f} of "
        f"{windows * WINDOW:.0f} s in {WINDOW:g}-second windows had 3 or more of them calling"
    )
    outcomes = collections.Counter(call[3] for call in clients.calls)
    print(
        f'  "Send now" calls: {len(clients.calls)} {dict(outcomes)}, invoices they sent: '
        f"{http_sent}; client errors {len(clients.errors)}"
    )
    for error in clients.errors[:5]:
        print(f"    {error}")
    print(
        f"  send cron runs: {len(runs)} in pids {sorted({run[0] for run in runs})}; gaps between "
        f"runs: {', '.join(f'{gap:.1f}' for gap in gaps) or '-'} s"
    )
    if runs:
        durations = [run[2] - run[1] for run in runs if run[2]]
        print(
            f"  first send cron run started {runs[0][1] - started:.1f} s after the trigger; "
            f"longest run {max(durations, default=0.0):.1f} s"
        )
    for name, found in job_runs.items():
        durations = [run[2] - run[1] for run in found if run[2]]
        print(
            f"  job of {name}: {len(found)} runs in pids {sorted({run[0] for run in found})}, "
            f"longest {max(durations, default=0.0):.1f} s, mean "
            f"{sum(durations) / max(len(durations), 1):.1f} s"
        )
    print(
        f"  longest run of any cron: {longest_run:.1f} s (Odoo's cron limit {cron_limit} s); "
        f"runs not ended when Odoo stopped: {unfinished_runs}"
    )
    targets = {
        "requests at >= 90 % of the limit while invoices were queued": (
            drained_calls / drained_span / RATE_LIMIT >= 0.9
        ),
        "every cron run within Odoo's limit": bool(cron_limit)
        and longest_run < cron_limit
        and not unfinished_runs,
        "no 429": not refused,
        "no duplicate": not duplicates,
        "no row stuck": not not_sent,
        "no killed worker": not killed,
        ">= 3 processes on the key at once": at_once > 0,
    }
    print(
        "  targets: "
        + ", ".join(f"{name}: {'yes' if held else 'NO'}" for name, held in targets.items())
    )
    print(f"  Odoo log: {args.keep_log or logfile}")
    for connection in connections:
        connection.fake.stop()
    return 0 if ended else 1


def connection_figures(env, connection, finished):
    """What one connection's fake saw and its rows became."""
    fake = connection.fake
    calls = connection.calls(finished)
    exports = env["tms.billing.export"].browse(connection.export_ids)
    not_sent = exports.filtered(lambda export: export.state != "sent")
    markers = connection.markers.values()
    return {
        "provider": connection.provider,
        "requests": len(calls),
        "kinds": collections.Counter(
            f"{method} {re.sub(r'/([0-9a-f-]{36}|[0-9]+)(?=/|$)', '/{id}', path)} {status}"
            for _stamp, _pid, method, path, status in calls
        ),
        "slow": len(fake.slow_calls),
        "slow_kinds": dict(collections.Counter(fault for _m, _p, fault in fake.slow_calls)),
        "duplicates": sum(max(0, len(fake.invoices_with_marker(m)) - 1) for m in markers),
        "missing": sum(1 for m in markers if not fake.invoices_with_marker(m)),
        "not_sent": len(not_sent),
        "stuck_states": dict(collections.Counter(not_sent.mapped("state"))),
        "wrong_id": sum(
            1
            for export in exports - not_sent
            if export.external_id not in {i["id"] for i in fake.invoices_with_marker(export.marker)}
        ),
        "attempts": sum(exports.mapped("attempts")),
    }


if __name__ == "__main__":
    sys.exit(main())
