"""The daily billing cron at scale: customers in chunks, billed by a pool of worker crons.

The daily cron (``sale.order._cron_tms_invoice_due_orders``) does not bill itself: it
queues the customers that have orders to invoice as chunks of about ``CHUNK_ORDERS``
orders, one company each and a customer never in two chunks, and triggers the worker
crons of ``WORKER_CRONS``. Odoo runs different crons at once on different cron workers
(never the same cron twice at once), so the pool bills in parallel as far as
``--max-cron-threads`` allows. Each worker job:

- claims one pending chunk at a time (``FOR NO KEY UPDATE SKIP LOCKED``: two jobs never
  hold the same chunk), bills its customers' orders due today and marks it done in the
  same transaction, which it commits: a worker killed mid-chunk leaves the chunk
  pending and its orders to invoice, as its transaction is rolled back;
- bills through ``_tms_create_invoices``, which locks each order (``FOR NO KEY UPDATE
  SKIP LOCKED``) and plans only orders still to invoice: no order is billed twice, by
  another worker, a user or a chunk queued twice;
- starts no chunk it cannot finish within its time budget, then triggers itself for
  the rest (the pattern of the ledger's send cron): Odoo's watchdog kills a cron worker
  whose jobs of one poll outlast ``limit_time_real_cron``, and one cron worker may run
  every job of the pool in one poll, so each job gets its share of that limit;
- forgets its caches after each chunk: a worker holds one chunk's records at a time.
"""

import logging
import time

from psycopg2.errors import SerializationFailure

from odoo import api, fields, models
from odoo.tools import SQL, config

from .tms_billing_client_access import merge_access

_logger = logging.getLogger(__name__)

# Orders of one chunk (about: a customer's orders are never split), billed in one
# transaction; a few seconds on a busy 2-core machine.
CHUNK_ORDERS = 250
# The pool of worker crons (data/ir_cron.xml). Odoo runs different crons in parallel,
# never one cron twice at once: parallelism needs several cron records.
WORKER_CRONS = (
    "tms_billing.ir_cron_tms_billing_worker_1",
    "tms_billing.ir_cron_tms_billing_worker_2",
)
# Seconds one cron run may bill (system parameter tms_billing.cron_time_budget, shared
# with the send cron of the accounting systems), capped by Odoo's own limit below.
CRON_TIME_BUDGET = 60
# Odoo's watchdog times a cron worker from before its sleep between polls (up to 69 s:
# odoo.service.server.SLEEP_INTERVAL plus the last digit of its pid) to the end of the
# jobs it runs in that poll, against limit_time_real_cron (by default limit_time_real,
# 120 s). One poll may run every worker cron of the pool: each gets its share of what
# the longest sleep and a margin leave, 20 s each by default.
CRON_POLL_SLEEP = 70
CRON_MARGIN = 10

# The clock of the time budget (a test replaces it).
_clock = time.monotonic


def cron_time_budget(value, jobs=1):
    """Seconds one of ``jobs`` worker jobs may bill: the system parameter's (or the
    default), within their share of what Odoo's limits leave a cron worker."""
    try:
        budget = float(value)
    except (TypeError, ValueError):
        budget = CRON_TIME_BUDGET
    if not budget > 0 or budget == float("inf"):
        budget = CRON_TIME_BUDGET
    limit = config.get("limit_time_real_cron")
    if limit is None or limit < 0:
        limit = config.get("limit_time_real")
    if limit and limit > 0:
        budget = min(budget, max((limit - CRON_POLL_SLEEP - CRON_MARGIN) / max(jobs, 1), 5))
    return budget


class TmsBillingCronChunk(models.Model):
    """Customers of one company whose due orders one worker job bills in one transaction."""

    _name = "tms.billing.cron.chunk"
    _inherit = ["tms.billing.client.access"]
    _description = "Transport Billing Cron Chunk"
    _order = "id"

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    # The customers (commercial partners) by id: a chunk is written once and read whole.
    customer_id_list = fields.Json(string="Customers", required=True, readonly=True)
    order_count = fields.Integer(string="Orders to Invoice", readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")],
        required=True,
        default="pending",
        index=True,
        readonly=True,
    )
    billed_count = fields.Integer(string="Orders Billed", readonly=True)
    move_count = fields.Integer(string="Invoices", readonly=True)
    error = fields.Text(readonly=True)

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: chunks are the cron's own."""
        return merge_access(
            super()._tms_write_access(),
            {
                "nobody": {
                    "company_id",
                    "customer_id_list",
                    "order_count",
                    "state",
                    "billed_count",
                    "move_count",
                    "error",
                }
            },
        )

    # -- queueing (the daily cron) ------------------------------------------------

    @api.model
    def _tms_queue(self, chunk_orders=CHUNK_ORDERS):
        """Queue every customer with orders to invoice, in chunks; return the chunks.

        Nothing is queued while chunks of an earlier run are pending: the workers finish
        those first, and the next run queues what is left. The orders are counted in
        SQL, per company and customer: no order is read here.
        """
        if self.search_count([("state", "=", "pending")], limit=1):
            return self.browse()
        self.search([("state", "!=", "pending")]).unlink()
        self.env["sale.order"].flush_model(["tms_billing_state", "company_id", "partner_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT o.company_id, COALESCE(p.commercial_partner_id, p.id), COUNT(*)
                  FROM sale_order o
                  JOIN res_partner p ON p.id = o.partner_id
                 WHERE o.tms_billing_state = 'to_invoice'
              GROUP BY 1, 2
              ORDER BY 1, 2
                """
            )
        )
        values = []
        for company_id, customer_id, count in rows:
            last = values[-1] if values else None
            if (
                last is None
                or last["company_id"] != company_id
                or last["order_count"] + count > chunk_orders
            ):
                last = {"company_id": company_id, "customer_id_list": [], "order_count": 0}
                values.append(last)
            last["customer_id_list"].append(customer_id)
            last["order_count"] += count
        return self.create(values)

    @api.model
    def _tms_worker_crons(self):
        return (
            self.env["ir.cron"]
            .sudo()
            .browse([cron.id for xmlid in WORKER_CRONS if (cron := self.env.ref(xmlid, False))])
        )

    @api.model
    def _tms_start_workers(self):
        """Trigger the pool of worker crons, when chunks are pending."""
        if self.search_count([("state", "=", "pending")], limit=1):
            for cron in self._tms_worker_crons():
                cron._trigger()

    # -- billing (the worker crons) -----------------------------------------------

    @api.model
    def _tms_claim(self, commit=True):
        """Lock and return one pending chunk no other job holds, or an empty recordset.

        Odoo's transactions are REPEATABLE READ: a chunk this transaction still sees
        pending may have been billed and committed by another job since its snapshot,
        and locking it then fails with a serialization error. With ``commit`` (the
        crons; nothing of this job is left uncommitted here) the claim looks again in a
        new transaction; without, it claims nothing."""
        self.flush_model(["state"])
        claim = SQL(
            """
            SELECT id FROM tms_billing_cron_chunk
             WHERE state = 'pending'
          ORDER BY id
             LIMIT 1
               FOR NO KEY UPDATE SKIP LOCKED
            """
        )
        for _attempt in range(3):
            try:
                with self.env.cr.savepoint(flush=False):
                    # Expected between jobs, not an error to log.
                    self.env.cr.execute(claim, log_exceptions=False)
                    rows = self.env.cr.fetchall()
                break
            except SerializationFailure:
                if not commit:
                    return self.browse()
                self.env.cr.commit()  # pylint: disable=invalid-commit
        else:
            return self.browse()
        chunk = self.browse(rows[0][0]) if rows else self.browse()
        # Another job may have billed it and committed while we waited: read afresh.
        chunk.invalidate_recordset()
        return chunk.filtered(lambda row: row.state == "pending")

    def _tms_bill(self, today):
        """Bill this chunk's orders due ``today``, mark it done; return the invoices.

        A chunk that fails is marked failed with its error, and its orders stay to
        invoice for the next daily run; the worker goes on with the next chunk.
        """
        self.ensure_one()
        orders = self.env["sale.order"].search(
            [
                ("tms_billing_state", "=", "to_invoice"),
                ("company_id", "=", self.company_id.id),
                ("partner_id.commercial_partner_id", "in", self.customer_id_list),
            ],
            order="id",
        )
        moves = self.env["account.move"]
        try:
            with self.env.cr.savepoint():
                moves, plan = orders.with_company(self.company_id)._tms_create_invoices(
                    skip_locked=True, due_on=today
                )
        except Exception as error:
            _logger.exception("Transport billing: chunk %s failed", self.id)
            self.write({"state": "failed", "error": str(error)})
            return moves
        billed = sum(len(planned.order_ids) for planned in plan.invoices)
        self.write({"state": "done", "billed_count": billed, "move_count": len(moves)})
        return moves

    @api.model
    def _tms_work(self, budget=None, commit=True):
        """Bill pending chunks until none is left or the time budget would be exceeded.

        Each chunk is committed (with ``commit``) and the caches are emptied after it.
        Returns ``(moves, chunks billed, whether pending chunks were left for lack of
        time)``.
        """
        if budget is None:
            budget = cron_time_budget(
                self.env["ir.config_parameter"].sudo().get_param("tms_billing.cron_time_budget"),
                jobs=len(WORKER_CRONS),
            )
        started = _clock()
        longest = 0.0
        move_ids = []
        done = 0
        out_of_time = False
        today = fields.Date.context_today(self)
        while True:
            # A chunk is never started that would end past the budget, as far as the
            # longest chunk so far tells; the first one always runs.
            if done and _clock() - started + longest > budget:
                out_of_time = bool(self.search_count([("state", "=", "pending")], limit=1))
                break
            chunk = self._tms_claim(commit=commit)
            if not chunk:
                break
            chunk_started = _clock()
            moves = chunk._tms_bill(today)
            move_ids += moves.ids
            self.env.flush_all()
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            # One chunk's records at a time in memory.
            self.env.invalidate_all()
            longest = max(longest, _clock() - chunk_started)
            done += 1
        return self.env["account.move"].browse(move_ids), done, out_of_time

    @api.model
    def _cron_tms_bill_chunks(self, budget=None, commit=True):
        """A worker cron: bill chunks within the budget, then trigger itself for the rest."""
        moves, done, out_of_time = self._tms_work(budget=budget, commit=commit)
        cron_id = self.env.context.get("cron_id")
        if out_of_time and cron_id:
            self.env["ir.cron"].sudo().browse(cron_id)._trigger()
        _logger.info(
            "Transport billing: %s chunks, %s invoices%s",
            done,
            len(moves),
            ", chunks left for the next run" if out_of_time else "",
        )
        # Done for this run: the trigger above, not Odoo's runner, calls it again, so that
        # the next run starts in a fresh poll within the watchdog's time.
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return moves
