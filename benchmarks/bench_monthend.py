"""The month-end: a real multi-worker Odoo 18 bills every delivered order with its crons.

    benchmarks/run monthend [--orders 100000] [--customers 5000] [--workers 1,2]
        [--kill-after SECONDS] [--fresh-data] [--http-port 18953] [--wait 7200]

Creates N confirmed orders of C customers, delivered in the month before last (so that
every billing period is over), with the customers' settings mixed as in ``benchmarks/run
--scenario mixed``: in batches of 1,000 orders, each created, confirmed and committed,
timed on its own. This data is kept in a database of its own (``tms_monthend_N_C``, made
anew with ``--fresh-data``); each run bills a copy of it (``CREATE DATABASE ... TEMPLATE``).

For each count of cron workers in ``--workers``, it starts ``odoo --workers=2
--max-cron-threads=W`` with Odoo's default time limits on a fresh copy, triggers the
daily cron once Odoo is quiet, and waits until no order is left to invoice. It prints
the wall time from the trigger to the last order billed, PostgreSQL's transactions and
rows of the database (``pg_stat_database``), the peak RSS and the CPU time of each cron
worker, the CPU time of PostgreSQL's backends, the invoices created and the doubles: sale
lines invoiced beyond their quantity and orders on two invoices that are not cancelled
(both must be 0), and what Odoo's log says about the worker jobs and killed workers.

``--kill-after S`` kills the whole server with SIGKILL S seconds after the trigger,
restarts it on the same database, and waits for the crons to finish the month-end on
their own (Odoo runs the jobs whose triggers were left), then checks the doubles.
"""

import argparse
import collections
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import psutil
import psycopg2
from bench_deployment import read_log, start_odoo, stop_odoo, wait_for_http
from bench_invoicing import customer_settings
from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, api
from odoo.fields import Command
from odoo.tools import config

DAILY_CRON = "tms_billing.ir_cron_tms_invoice_due_orders"
WORKER_CRON_NAME = "Transport Billing: invoicing worker"
BATCH = 1000
ANALYZED = (
    "sale_order",
    "sale_order_line",
    "res_partner",
    "product_product",
    "product_template",
    "account_move",
    "account_move_line",
    "mail_message",
)
DAILY_CRON_NAME = "Transport Billing: invoice due orders"
WORKER_ALIVE = re.compile(r"Worker (WorkerHTTP|WorkerCron) \((\d+)\) alive")
KILLED = re.compile(
    r"timeout after|CPU time limit|virtual real time limit|memory limit|killing"
    r"|Exception occurred, exiting|Job .* timed out",
    re.IGNORECASE,
)


def pg_connect(dbname):
    connection = psycopg2.connect(
        dbname=dbname,
        host=config["db_host"] or None,
        port=config["db_port"] or None,
        user=config["db_user"] or None,
    )
    connection.autocommit = True
    return connection


def pg_query(dbname, query, params=()):
    connection = pg_connect(dbname)
    try:
        with connection.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None
    finally:
        connection.close()


def database_exists(name):
    return bool(pg_query("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", (name,)))


def copy_database(source, target):
    odoo.sql_db.close_db(source)
    pg_query("postgres", f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    pg_query("postgres", f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def make_data(dbname, n_orders, n_customers, seed=11):
    """Customers and confirmed, delivered orders, committed batch by batch."""
    rng = random.Random(seed)
    first_day = date.today().replace(day=1) - relativedelta(months=2)
    month_days = (first_day + relativedelta(months=1) - first_day).days
    registry = odoo.modules.registry.Registry(dbname)
    context = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, context)
        country = env.ref("base.de")
        terms = env["account.payment.term"].search([], limit=2)
        customer_ids = (
            env["res.partner"]
            .create(
                [
                    {
                        "name": f"Monatsende Spedition {i:05d}",
                        "is_company": True,
                        "street": "Hafenweg 1",
                        "zip": "20457",
                        "city": "Hamburg",
                        "country_id": country.id,
                        **customer_settings(rng, "mixed"),
                    }
                    for i in range(n_customers)
                ]
            )
            .ids
        )
        product_ids = (
            env["product.product"]
            .create(
                [
                    {
                        "name": name,
                        "type": "service",
                        "invoice_policy": "order",
                        "list_price": price,
                    }
                    for name, price in (("Month-end freight", 400.0), ("Waiting time", 45.0))
                ]
            )
            .ids
        )
        term_ids = terms.ids
        cr.commit()
    for start in range(0, n_orders, BATCH):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, context)
            values = []
            for _i in range(start, min(start + BATCH, n_orders)):
                lines = [Command.create({"product_id": product_ids[0], "product_uom_qty": 1})]
                if rng.random() < 0.3:
                    lines.append(
                        Command.create(
                            {"product_id": product_ids[1], "product_uom_qty": rng.randint(1, 4)}
                        )
                    )
                values.append(
                    {
                        "partner_id": rng.choice(customer_ids),
                        "payment_term_id": rng.choice(term_ids) if rng.random() < 0.1 else False,
                        "tms_loading_place": "Hamburg",
                        "tms_unloading_place": "Berlin",
                        "tms_delivery_date": first_day + timedelta(days=rng.randrange(month_days)),
                        "order_line": lines,
                    }
                )
            env["sale.order"].create(values).action_confirm()
            cr.commit()
        done = min(start + BATCH, n_orders)
        if done % (10 * BATCH) == 0 or done == n_orders:
            print(f"  {done} orders", flush=True)
    odoo.modules.registry.Registry.delete(dbname)
    odoo.sql_db.close_db(dbname)
    # Planned as in production; the copies keep these statistics. Table by table: an
    # ANALYZE of the whole database waits for other databases' sessions that analysed
    # the shared catalogs in a transaction still open.
    pg_query(dbname, f"ANALYZE {', '.join(ANALYZED)}")


def stat_database(dbname):
    rows = pg_query(
        "postgres",
        "SELECT xact_commit + xact_rollback, xact_rollback, tup_inserted, tup_updated, "
        "tup_returned + tup_fetched FROM pg_stat_database WHERE datname = %s",
        (dbname,),
    )
    return dict(
        zip(("xacts", "rollbacks", "inserted", "updated", "rows_read"), rows[0], strict=True)
    )


def progress(dbname):
    """(orders left to invoice, invoices, chunks pending) of the database."""
    return pg_query(
        dbname,
        "SELECT (SELECT count(*) FROM sale_order WHERE tms_billing_state = 'to_invoice'), "
        "(SELECT count(*) FROM account_move WHERE move_type = 'out_invoice'), "
        "(SELECT count(*) FROM tms_billing_cron_chunk WHERE state = 'pending')",
    )[0]


def chunks_pending(dbname):
    """The chunks still to bill: a look at a small table, cheap enough to poll."""
    query = "SELECT count(*) FROM tms_billing_cron_chunk WHERE state = 'pending'"
    return pg_query(dbname, query)[0][0]


def doubles(dbname):
    """Sale lines invoiced beyond their quantity; orders on two live invoices."""
    over = pg_query(
        dbname,
        "SELECT count(*) FROM sale_order_line WHERE display_type IS NULL "
        "AND qty_invoiced > product_uom_qty",
    )[0][0]
    twice = pg_query(
        dbname,
        """
        SELECT count(*) FROM (
            SELECT sol.order_id
              FROM sale_order_line_invoice_rel rel
              JOIN sale_order_line sol ON sol.id = rel.order_line_id
              JOIN account_move_line aml ON aml.id = rel.invoice_line_id
              JOIN account_move am ON am.id = aml.move_id
             WHERE am.state != 'cancel' AND am.move_type = 'out_invoice'
          GROUP BY sol.order_id
            HAVING count(DISTINCT am.id) > 1
        ) AS orders_twice
        """,
    )[0][0]
    return over, twice


def postgres_processes():
    """The processes of the benchmark's PostgreSQL cluster (others on the machine aside)."""
    pid_file = Path(config["db_host"]).parent / "pgdata" / "postmaster.pid"
    try:
        postmaster = psutil.Process(int(pid_file.read_text().split()[0]))
        return [postmaster, *postmaster.children()]
    except (OSError, ValueError, psutil.Error):
        return []


class Sampler:
    """Peak RSS and CPU time of the server's processes, by role, sampled while it runs."""

    def __init__(self):
        self.peak_rss = {}  # pid -> bytes
        self.cpu = {}  # pid -> seconds (user + system), last seen
        self.pg_processes = {}

    def sample(self, server):
        try:
            children = psutil.Process(server.pid).children(recursive=True)
        except psutil.Error:
            return
        for child in children:
            try:
                rss = child.memory_info().rss
                times = child.cpu_times()
            except psutil.Error:
                continue
            self.peak_rss[child.pid] = max(self.peak_rss.get(child.pid, 0), rss)
            self.cpu[child.pid] = times.user + times.system
        # PostgreSQL's backends live as long as Odoo's connections: sum what they used.
        for process in postgres_processes():
            try:
                times = process.cpu_times()
                self.pg_processes[process.pid] = times.user + times.system
            except psutil.Error:
                continue


def machine_cpu():
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def wait_for_startup_crons(logfile, most=180.0, quiet=3.0):
    """Until the cron workers ran the jobs due at start (Odoo's autovacuum, mail...): a
    cron line seen, then none for ``quiet`` seconds."""
    started = time.monotonic()
    while time.monotonic() - started < most:
        records, _text = read_log(logfile)
        cron_lines = [r[0] for r in records if r[3].endswith("ir_cron")]
        if cron_lines and time.time() - max(cron_lines) >= quiet:
            return
        time.sleep(0.5)


def run_month_end(args, data_db, run_db, workers, port):
    copy_database(data_db, run_db)
    server_args = [
        f"--addons-path={config['addons_path']}",
        f"--db_host={config['db_host']}",
        f"--db_port={config['db_port']}",
        f"--db_user={config['db_user']}",
        "-d",
        run_db,
        f"--max-cron-threads={workers}",
    ]
    workdir = tempfile.mkdtemp(prefix="tms_bench_monthend_")
    logfile = os.path.join(workdir, "odoo.log")
    base_url = f"http://127.0.0.1:{port}"
    pg_before = {}
    for process in postgres_processes():
        try:
            pg_before[process.pid] = sum(process.cpu_times()[:2])
        except psutil.Error:
            continue
    server = start_odoo(server_args, port, workdir)
    sampler = Sampler()
    result = {"workers": workers, "killed_at": None, "restart_gap": None}
    left, invoices, pending = progress(run_db)
    result["orders"] = left
    try:
        wait_for_http(base_url, server)
        wait_for_startup_crons(logfile)
        stats_before = stat_database(run_db)
        busy_before = machine_cpu()
        load_before = os.getloadavg()
        started = time.time()
        registry = odoo.modules.registry.Registry(run_db)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env.ref(DAILY_CRON)._trigger()
            cr.commit()  # wakes the cron workers (NOTIFY after commit)
        odoo.modules.registry.Registry.delete(run_db)
        odoo.sql_db.close_db(run_db)
        last_report = started
        ended = None
        while time.time() - started < args.wait:
            sampler.sample(server)
            # Counting the orders left reads the whole order table: only once no chunk
            # is pending (queued and all billed, or not queued yet), at a kill and for
            # the report, so the benchmark's own reads barely weigh on PostgreSQL.
            if not chunks_pending(run_db):
                left, invoices, pending = progress(run_db)
                if not left and not pending:
                    ended = time.time()
                    break
            if (
                args.kill_after
                and result["killed_at"] is None
                and time.time() - started >= args.kill_after
            ):
                left, invoices, pending = progress(run_db)
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
                result["killed_at"] = time.time() - started
                result["at_kill"] = (left, invoices, pending)
                print(
                    f"  killed the server (SIGKILL to every process) at "
                    f"{result['killed_at']:.1f} s: {left} orders left, {invoices} invoices, "
                    f"{pending} chunks pending",
                    flush=True,
                )
                shutil.copy(logfile, logfile + ".before-kill")
                restarted = time.time()
                server = start_odoo(server_args, port, workdir)
                wait_for_http(base_url, server)
                result["restart_gap"] = time.time() - restarted
            if time.time() - last_report >= 30:
                last_report = time.time()
                left, invoices, pending = progress(run_db)
                print(
                    f"  {last_report - started:6.0f} s: {left} orders left, {invoices} invoices, "
                    f"{pending} chunks pending",
                    flush=True,
                )
            time.sleep(0.5)
        finished = ended or time.time()
        busy_after = machine_cpu()
        load_after = os.getloadavg()
    finally:
        stop_odoo(server)
    stats_after = stat_database(run_db)
    left, invoices, _pending = progress(run_db)
    result.update(
        elapsed=finished - started,
        complete=ended is not None,
        left=left,
        invoices=invoices,
        stats={key: stats_after[key] - stats_before[key] for key in stats_after},
        load=(load_before, load_after),
        machine_busy=(busy_after[0] - busy_before[0]) / max(busy_after[1] - busy_before[1], 1),
    )
    result["over_invoiced_lines"], result["orders_twice"] = doubles(run_db)
    result["chunks"] = pg_query(
        run_db, "SELECT state, count(*) FROM tms_billing_cron_chunk GROUP BY state ORDER BY state"
    )
    result["pg_cpu"] = sum(
        seconds - pg_before.get(pid, 0.0) for pid, seconds in sampler.pg_processes.items()
    )
    records = []
    for path in (logfile + ".before-kill", logfile):
        if Path(path).exists():
            records += read_log(path)[0]
    jobs = collections.Counter()
    for _stamp, pid, _level, _logger, message, _extra in records:
        if message.startswith(f"Job '{WORKER_CRON_NAME}") and "starting" in message:
            jobs[pid] += 1
    result["jobs"] = dict(jobs)
    roles = {}
    for _stamp, _pid, _level, _logger, message, _extra in records:
        match = WORKER_ALIVE.search(message)
        if match:
            roles[int(match[2])] = match[1]
    result["cron_workers"] = [
        (pid, sampler.peak_rss[pid] / 2**20, sampler.cpu.get(pid, 0.0))
        for pid, role in roles.items()
        if role == "WorkerCron" and pid in sampler.peak_rss
    ]
    result["http_workers_peak_rss"] = max(
        (
            sampler.peak_rss.get(pid, 0) / 2**20
            for pid, role in roles.items()
            if role != "WorkerCron"
        ),
        default=0.0,
    )
    # From Odoo's log: when the daily cron started, for the time without Odoo's poll delay.
    dispatched = [
        stamp
        for stamp, _pid, _level, _logger, message, _extra in records
        if message.startswith(f"Job '{DAILY_CRON_NAME}'") and message.endswith("starting")
    ]
    result["cron_start_delay"] = (min(dispatched) - started) if dispatched else None
    result["killed_lines"] = [
        message for _s, _p, _l, _g, message, _e in records if KILLED.search(message)
    ]
    result["errors"] = [
        f"{level} {logger}: {message[:160]}"
        for _s, _p, level, logger, message, _e in records
        if level in ("ERROR", "CRITICAL")
    ]
    result["log"] = logfile
    return result


def report(result):
    workers = result["workers"]
    stats = result["stats"]
    print(f"month-end with --max-cron-threads={workers}:")
    print(
        f"  {result['orders']} orders: {'billed' if result['complete'] else 'NOT finished'} in "
        f"{result['elapsed']:.1f} s from the trigger to the last order billed "
        f"({result['orders'] / result['elapsed']:.1f} orders/s); {result['invoices']} invoices; "
        f"{result['left']} orders left"
    )
    if result["cron_start_delay"] is not None:
        print(
            f"  the daily cron started {result['cron_start_delay']:.1f} s after the trigger; "
            f"from its start: {result['elapsed'] - result['cron_start_delay']:.1f} s"
        )
    if result["killed_at"] is not None:
        left, invoices, pending = result["at_kill"]
        print(
            f"  killed with SIGKILL at {result['killed_at']:.1f} s ({invoices} invoices, {left} "
            f"orders left, {pending} chunks pending), restarted and serving "
            f"{result['restart_gap']:.1f} s later"
        )
    print(
        f"  doubles: {result['over_invoiced_lines']} sale lines invoiced beyond their "
        f"quantity, {result['orders_twice']} orders on two invoices that are not cancelled"
    )
    print(f"  chunks: {dict(result['chunks'])}; worker jobs run per process: {result['jobs']}")
    print(
        f"  PostgreSQL: {stats['xacts']} transactions ({stats['rollbacks']} rolled back), "
        f"{stats['inserted']} rows inserted, {stats['updated']} updated, "
        f"{stats['rows_read']} read"
    )
    python_cpu = sum(cpu for _pid, _rss, cpu in result["cron_workers"])
    for pid, rss, cpu in result["cron_workers"]:
        print(f"  cron worker {pid}: peak RSS {rss:.0f} MiB, CPU {cpu:.1f} s")
    print(f"  HTTP workers: peak RSS {result['http_workers_peak_rss']:.0f} MiB (idle)")
    print(
        f"  CPU: cron workers {python_cpu:.1f} s, PostgreSQL backends {result['pg_cpu']:.1f} s, "
        f"in {result['elapsed']:.1f} s on {os.cpu_count()} cores; the machine was "
        f"{result['machine_busy']:.0%} busy (load {result['load'][0][0]:.2f} before, "
        f"{result['load'][1][0]:.2f} after)"
    )
    print(f"  killed or crashed workers in Odoo's log: {len(result['killed_lines'])}")
    for line in result["killed_lines"][:5]:
        print(f"    {line[:200]}")
    print(f"  ERROR records in Odoo's log: {len(result['errors'])}")
    for line in result["errors"][:5]:
        print(f"    {line}")
    print(f"  Odoo log: {result['log']}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument(
        "--workers", default="1,2", help="comma-separated counts of cron workers to run"
    )
    parser.add_argument("--kill-after", type=float, help="SIGKILL the server after S seconds")
    parser.add_argument("--fresh-data", action="store_true", help="create the orders anew")
    parser.add_argument("--http-port", type=int, default=18953)
    parser.add_argument("--wait", type=float, default=7200, help="seconds until a run gives up")
    args, odoo_args = parser.parse_known_args()
    config.parse_config(odoo_args)
    odoo.tools.config["log_level"] = "warn"
    template = config["db_name"]
    data_db = f"tms_monthend_{args.orders}_{args.customers}"
    if args.fresh_data or not database_exists(data_db):
        copy_database(template, data_db)
        started = time.perf_counter()
        make_data(data_db, args.orders, args.customers)
        print(
            f"data: {args.orders} orders of {args.customers} customers created, confirmed and "
            f"committed in {time.perf_counter() - started:.1f} s (kept in {data_db})",
            flush=True,
        )
    else:
        print(f"data: {data_db} (made before; --fresh-data makes it anew)")
    results = []
    for workers in [int(count) for count in args.workers.split(",")]:
        result = run_month_end(args, data_db, f"{data_db}_run", workers, args.http_port)
        report(result)
        results.append(result)
    if len(results) > 1:
        base = results[0]
        for result in results[1:]:
            print(
                f"{result['workers']} cron workers against {base['workers']}: "
                f"{result['elapsed'] / base['elapsed']:.2f}x the wall time"
            )
    return (
        0
        if all(
            r["complete"] and not (r["over_invoiced_lines"] or r["orders_twice"]) for r in results
        )
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
