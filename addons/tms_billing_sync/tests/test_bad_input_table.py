"""Bad input through the calls a user or an RPC client makes, as one table of cases.

Each case prepares its records, then makes one call with bad data the way a user or an
RPC client does (a button, a server action, a cron run, a plain ``create``/``write``).
The call runs as an RPC request does: what the code commits survives an exception, the
rest is rolled back, and an IntegrityError becomes Odoo's ValidationError. It must be
refused with a clear message (a UserError, ValidationError or AccessError, or a
documented refusal it returns, such as an order's reason in the preview, or a ledger
row's error), or be handled as documented; any other exception, or a traceback in the
log, is a failure, and so is any change to the tables the case does not name.

A case that finds a known defect keeps ``expected_defect=True`` and is listed in the
log; it fails once it passes, so that its flag is flipped.
"""

import logging
import math
import re
import traceback
from dataclasses import dataclass
from datetime import date
from unittest.mock import patch

import psycopg2

from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.fields import Command
from odoo.service.model import _as_validation_error
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.tms_billing.models.tms_billing_client_access import TEXT_LENGTH
from odoo.addons.tms_billing.tests.common import RecordsWithTraceback, rows_fingerprint

from .common import TmsSyncCase
from .fake_http import FakeApi

_logger = logging.getLogger(__name__)

# The call returns the refusal it recorded or showed (a non-empty message), e.g. the
# reason an order is left out of the preview or a ledger row's error.
REFUSED = "refused"
# The call returns normally; its own assertions check that the input was handled as
# documented.
HANDLED = "handled"
# Tables a case may change: every one.
ANY_TABLE = "*"
# What the calls that break the table's rules on purpose say.
REFUSAL = "Refused on purpose."
TRACEBACK_SHOWN = f"Traceback (most recent call last):\n  {REFUSAL}"

# Rows a refused call must leave as they were; for partners, companies and parameters
# the billing settings only (rows_fingerprint, and the parameters below).
WATCHED_TABLES = (
    "sale_order",
    "sale_order_line",
    "account_move",
    "account_move_line",
    "tms_billing_backend",
    "tms_billing_tax_mapping",
    "tms_billing_partner_link",
    "tms_billing_export",
    "tms_billing_event",
    "mail_message",
)
# What a push that is refused or handled writes on purpose: the ledger row, the
# invoice's chatter and the orders' events.
LEDGER_TABLES = ("tms_billing_export", "mail_message", "tms_billing_event")

DISPATCHER_GROUPS = (
    "tms_billing.group_tms_billing_manager,account.group_account_invoice,"
    "sales_team.group_sale_salesman_all_leads,base.group_partner_manager"
)
ADMIN_GROUPS = (
    "base.group_system,base.group_partner_manager,account.group_account_manager,"
    "sales_team.group_sale_manager,tms_billing.group_tms_billing_manager"
)


@dataclass(frozen=True)
class Case:
    """One bad input: ``_case_<name>`` prepares it and returns the call to make.

    ``expect`` is the exception class the call must raise (UserError accepts a
    ValidationError too), REFUSED or HANDLED; ``match`` a pattern its message must
    contain; ``changes`` the watched tables the call may change (ANY_TABLE: all).
    """

    name: str
    expect: object
    match: str = ""
    changes: tuple | str = ()
    expected_defect: bool = False
    note: str = ""


def _refused_as(error, expected):
    """Whether ``error`` is the refusal ``expected``; a MissingError never is one."""
    if isinstance(error, MissingError) or not isinstance(error, UserError):
        return False
    if expected is AccessError:
        return isinstance(error, AccessError)
    if isinstance(error, AccessError):
        return False
    return isinstance(error, expected)


class ForeignHost(FakeApi):
    """A web server on another host name than the fakes (``localhost``, not
    ``127.0.0.1``), where a redirect must not lead: it records what reaches it and
    answers every call with ``status`` and ``answer``, as a hostile server would."""

    def __init__(self, answer, status=200):
        super().__init__()
        self.answer, self.status = answer, status
        # Every call as it arrived: method, path, headers and body.
        self.received = []

    @property
    def url(self):
        return f"http://localhost:{self._server.server_address[1]}"

    def _read_body(self, request, method, raw):
        self.received.append(
            {
                "method": method,
                "path": request.path,
                "headers": dict(request.headers),
                "body": raw.decode("utf-8", "replace"),
            }
        )
        return {}, None

    def handle(self, method, path, query, body, request):
        return self.status, self.answer

    def reset_calls(self):
        self.received.clear()
        return super().reset_calls()

    def saw_secret(self, secret):
        """Whether ``secret`` reached this host, in any header or body."""
        return any(
            secret in call["body"] or any(secret in value for value in call["headers"].values())
            for call in self.received
        )


class BadInputTableMixin:
    """Runs a table of ``Case``; the test class provides ``_case_<name>`` methods."""

    @classmethod
    def _setup_bad_input_users(cls, admin_companies=None):
        """A dispatcher (transport manager who invoices) and an administrator, who make
        the calls; the test itself runs as superuser, which no RPC client is."""
        companies = admin_companies or cls.company
        cls.bad_input_users = {
            "dispatcher": new_test_user(
                cls.env,
                "tms_bad_input_dispatcher",
                groups=DISPATCHER_GROUPS,
                email="dispatcher@example.com",
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            ),
            "admin": new_test_user(
                cls.env,
                "tms_bad_input_admin",
                groups=ADMIN_GROUPS,
                email="admin@example.com",
                company_id=cls.company.id,
                company_ids=[Command.set(companies.ids)],
            ),
        }

    def _as(self, records, role="dispatcher"):
        return records.with_user(self.bad_input_users[role])

    def _remote_state(self):
        """What the provider's fake holds (it has no savepoints), by kind."""
        return {}

    def _reset_remote(self):
        """Forget what the provider's fake holds, before each case."""

    def _fingerprint(self):
        state = rows_fingerprint(self.env, WATCHED_TABLES)
        [state["ir_config_parameter"]] = self.env.execute_query(
            SQL(
                "SELECT md5(string_agg(key || '=' || value, '|' ORDER BY key)) "
                "FROM ir_config_parameter WHERE key LIKE 'tms_billing.%%'"
            )
        )
        return state

    def _call_as_request(self, call):
        """Run ``call`` as Odoo runs an RPC request: ``(error, its traceback, result,
        log records with a traceback)``. What the code commits (the ledger's
        ``_tms_commit``) stays when it fails; the rest is rolled back."""
        commits = [self.env.cr.savepoint()]

        def commit(_records):
            commits.append(self.env.cr.savepoint())

        error, error_traceback, result = None, "", None
        export_model = type(self.env["tms.billing.export"])
        with RecordsWithTraceback() as logged, patch.object(export_model, "_tms_commit", commit):
            try:
                result = call()
                self.env.flush_all()
            except psycopg2.IntegrityError as exc:
                commits[-1].rollback()
                error = _as_validation_error(self.env, exc)
            except Exception as exc:  # every other exception is judged below
                error_traceback = traceback.format_exc()
                commits[-1].rollback()
                error = exc
        return error, error_traceback, result, logged.records

    def _run_bad_input(self, case):
        """What ``case`` does wrong: an empty list when it behaves as the table says."""
        self._reset_remote()
        case_savepoint = self.env.cr.savepoint()
        try:
            call = getattr(self, f"_case_{case.name}")()
            before, remote_before = self._fingerprint(), self._remote_state()
            error, error_traceback, result, logged = self._call_as_request(call)
            after, remote_after = self._fingerprint(), self._remote_state()
        except Exception:  # a case that cannot be prepared is reported
            return [f"preparing or measuring failed:\n{traceback.format_exc()}"]
        finally:
            case_savepoint.close(rollback=True)
            self.env.invalidate_all(flush=False)
        problems = [
            f"logged {record.levelname} {record.getMessage()[:300]!r}"
            + (f" with a traceback of {record.exc_info[0].__name__}" if record.exc_info else "")
            for record in logged
        ]
        message = None
        if case.expect in (REFUSED, HANDLED):
            if error is not None:
                problems.append(f"raised {type(error).__name__}: {error}\n{error_traceback}")
            elif case.expect == REFUSED:
                message = str(result or "")
                if not message:
                    problems.append("accepted: nothing was refused")
        elif error is None:
            problems.append(f"accepted: no {case.expect.__name__} was raised")
        elif not _refused_as(error, case.expect):
            problems.append(
                f"{type(error).__name__} instead of {case.expect.__name__}: {error}\n"
                f"{error_traceback}"
            )
        else:
            message = str(error.args[0] if error.args else "")
        if message is not None:
            if not message.strip():
                problems.append("refused without a message")
            elif "Traceback" in message:
                problems.append(f"the message shows a traceback: {message[:300]!r}")
            elif case.match and not re.search(case.match, message):
                problems.append(f"message {message[:300]!r} does not match {case.match!r}")
        if case.changes != ANY_TABLE:
            changed = [table for table in before if before[table] != after[table]]
            changed += [kind for kind in remote_before if remote_before[kind] != remote_after[kind]]
            unexpected = [table for table in changed if table not in case.changes]
            if unexpected:
                problems.append(f"changed {', '.join(unexpected)}")
        return problems

    def _assert_bad_input_table(self, cases, minimum):
        names = [case.name for case in cases]
        self.assertEqual(len(names), len(set(names)), "case names are unique")
        self.assertGreaterEqual(len(cases), minimum)
        failures, defects = [], []
        for case in cases:
            problems = self._run_bad_input(case)
            if case.expected_defect:
                if problems:
                    defects.append(
                        f"{case.name} ({case.note}): {problems[0].splitlines()[0][:200]}"
                    )
                else:
                    failures.append(
                        f"{case.name}: marked expected_defect=True but behaves now; flip its flag"
                    )
            elif problems:
                failures.append(f"{case.name}: " + "\n  ".join(problems))
        if defects:
            _logger.warning(
                "%s: %s of %s bad inputs are known defects (expected_defect=True):\n%s",
                type(self).__name__,
                len(defects),
                len(cases),
                "\n".join(defects),
            )
        self.assertEqual(failures, [], "\n\n".join(failures))


FRAMEWORK_CASES = [
    # -- the invoicing wizard, created and called by an RPC client ------------------------
    Case(
        "wizard_ids_as_text",
        UserError,
    ),
    Case(
        "wizard_ids_with_text_items",
        UserError,
    ),
    Case(
        "wizard_ids_as_object",
        UserError,
    ),
    Case(
        "wizard_ids_rewritten_as_text",
        UserError,
    ),
    Case("wizard_unknown_order_ids", UserError, match="No invoice can be created"),
    Case("wizard_ids_of_another_model", UserError, match="No invoice can be created"),
    Case("wizard_orders_of_another_company", AccessError),
    Case("wizard_submitted_twice", UserError, match="already invoiced"),
    Case(
        "wizard_invoice_date_in_local_format",
        UserError,
    ),
    Case(
        "wizard_invoice_date_in_year_2999",
        UserError,
        match="invoice date",
    ),
    Case(
        "wizard_preview_row_given_a_foreign_order",
        ValidationError,
        match="Only orders of this invoice",
    ),
    # -- transport data on orders -------------------------------------------------------
    Case("order_loading_moved_after_delivery", ValidationError, match="before the loading"),
    Case("order_delivered_in_year_9999_in_preview", REFUSED, match="delivery date in the future"),
    Case(
        "order_delivered_in_year_9999_daily_cron",
        HANDLED,
        changes=ANY_TABLE,
    ),
    Case(
        "order_pod_url_javascript",
        ValidationError,
    ),
    Case(
        "order_line_price_nan",
        ValidationError,
    ),
    Case(
        "order_line_quantity_infinite",
        ValidationError,
    ),
    Case(
        "order_place_with_nul_character",
        ValidationError,
    ),
    Case("texts_of_100k_characters_and_emoji", HANDLED, changes=ANY_TABLE),
    # -- billing settings -----------------------------------------------------------------
    Case(
        "customer_interval_hourly",
        ValidationError,
    ),
    Case("company_unit_name_removed", ValidationError, match="mandatory field"),
    # -- server actions and their methods -------------------------------------------------
    Case(
        "server_action_wizard_without_selection",
        UserError,
        match="Select the orders",
    ),
    Case(
        "server_action_due_on_partners",
        UserError,
    ),
    Case(
        "server_action_due_on_a_deleted_order",
        UserError,
        match="None of the selected orders",
    ),
    Case("invoice_due_on_no_orders", UserError, match="None of the selected orders"),
    # -- system parameters of the crons ---------------------------------------------------
    Case("cron_time_budget_not_a_number", HANDLED, changes=LEDGER_TABLES),
    Case("cron_time_budget_negative", HANDLED, changes=LEDGER_TABLES),
    Case("cron_time_budget_zero", HANDLED, changes=LEDGER_TABLES),
    Case("stale_sending_minutes_not_a_number", HANDLED, changes=LEDGER_TABLES),
    # -- the export ledger ----------------------------------------------------------------
    Case("send_cancelled_invoice", UserError, match="not cancelled"),
    Case("send_credit_note", UserError, match="customer invoices"),
    Case("send_without_a_connection", UserError, match="No accounting system"),
    Case(
        "ledger_row_of_an_invoice_cancelled_later",
        REFUSED,
        match="not an open customer invoice",
        changes=LEDGER_TABLES,
    ),
    Case(
        "ledger_row_for_a_vendor_bill",
        REFUSED,
        match="not an open customer invoice",
        changes=LEDGER_TABLES,
    ),
    Case("ledger_row_across_companies", UserError, match="ncompatible compan"),
    Case("ledger_row_twice", ValidationError, match="exported once"),
    # -- links, tax mappings, connections, contact search --------------------------------
    Case("link_to_a_contact_linked_elsewhere", UserError, match="already linked to"),
    Case("tax_situation_mapped_twice", ValidationError, match="mapped once"),
    Case("connection_url_ftp", ValidationError, match="not a web address"),
    Case(
        "connection_url_with_a_space",
        ValidationError,
        match="not a web address",
    ),
    Case("connection_timeout_of_a_billion_seconds", ValidationError, match="between 1 and"),
    Case("connection_timeout_nan", ValidationError, match="finite number"),
    Case("contact_search_for_blanks", UserError, match="three characters"),
]


@tagged("post_install", "-at_install")
class TestBadInputTable(BadInputTableMixin, TmsSyncCase):
    """The framework's calls, without a provider (a connection of provider "none")."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        germany = cls.env.ref("base.de")
        cls.other_company = cls.env["res.company"].create(
            {"name": "TMS Ost GmbH", "country_id": germany.id}
        )
        cls._setup_bad_input_users(admin_companies=cls.company | cls.other_company)
        cls.backend = cls.env["tms.billing.backend"].create({"name": "Stub", "api_key": "k"})
        cls.other_backend = cls.env["tms.billing.backend"].create(
            {"name": "Stub Ost", "api_key": "k", "company_id": cls.other_company.id}
        )
        cls.foreign_order = (
            cls.env["sale.order"]
            .with_company(cls.other_company)
            .create(
                {
                    "partner_id": cls.customer_collective.id,
                    "company_id": cls.other_company.id,
                    "order_line": [
                        Command.create(
                            {"product_id": cls.product.id, "product_uom_qty": 1, "price_unit": 10}
                        )
                    ],
                }
            )
        )

    def test_bad_inputs_are_refused_cleanly(self):
        self._assert_bad_input_table(FRAMEWORK_CASES, minimum=40)

    def test_the_table_reports_each_way_a_call_goes_wrong(self):
        """The table's own rules, on calls that break them on purpose."""
        reports = {
            Case("broken_commits_then_refuses", UserError): "changed tms_billing_event",
            Case("broken_raises_key_error", UserError): "KeyError instead of UserError",
            Case("broken_raises_missing_error", UserError): "MissingError instead",
            Case("broken_accepts", ValidationError): "accepted: no ValidationError",
            Case("broken_accepts", REFUSED): "accepted: nothing was refused",
            Case("broken_logs_a_traceback", UserError): "logged ERROR",
            Case("broken_shows_a_traceback", UserError): "shows a traceback",
            Case("broken_refuses_with_another_message", UserError, match="billed"): "match",
        }
        for case, report in reports.items():
            with self.subTest(case=case.name, expect=case.expect):
                self.assertIn(report, "\n".join(self._run_bad_input(case)))
        # What the request does not commit is rolled back with it, as Odoo does.
        self.assertEqual(self._run_bad_input(Case("broken_writes_then_refuses", UserError)), [])

    # -- calls that break the table's rules on purpose ----------------------------------

    def _log_event_then_refuse(self, commit):
        order = self._order(self.customer_collective)

        def call():
            self.env["tms.billing.event"].create(
                {"order_id": order.id, "kind": "excluded", "message": "half done"}
            )
            if commit:
                self.env["tms.billing.export"]._tms_commit()
            raise UserError(REFUSAL)

        return call

    def _case_broken_commits_then_refuses(self):
        return self._log_event_then_refuse(commit=True)

    def _case_broken_writes_then_refuses(self):
        return self._log_event_then_refuse(commit=False)

    def _case_broken_raises_key_error(self):
        return lambda: {}["tms_unit_name"]

    def _case_broken_raises_missing_error(self):
        order = self._order(self.customer_collective, confirm=False)
        order.unlink()
        return lambda: order.name

    def _case_broken_accepts(self):
        return lambda: None

    def _case_broken_logs_a_traceback(self):
        def call():
            try:
                {}["tms_unit_name"]
            except KeyError:
                _logger.exception("Swallowed")
            raise UserError(REFUSAL)

        return call

    def _case_broken_shows_a_traceback(self):
        def call():
            raise UserError(TRACEBACK_SHOWN)

        return call

    def _case_broken_refuses_with_another_message(self):
        def call():
            raise UserError(REFUSAL)

        return call

    # -- helpers ----------------------------------------------------------------------

    def _new_wizard(self, **values):
        return self._as(self.env["tms.billing.wizard"]).create(values)

    def _missing_order_id(self):
        return self.env["sale.order"].search([], order="id desc", limit=1).id + 1000

    def _run_action(self, xmlid, model, ids):
        action = self._as(self.env.ref(xmlid))
        return action.with_context(active_model=model, active_ids=ids, active_id=ids[:1]).run()

    # -- the invoicing wizard -------------------------------------------------------------

    def _case_wizard_ids_as_text(self):
        order = self._order(self.customer_collective)
        return lambda: self._new_wizard(order_id_list=f"{order.id},{order.id + 1}")

    def _case_wizard_ids_with_text_items(self):
        order = self._order(self.customer_collective)
        return lambda: self._new_wizard(order_id_list=[order.id, "SO0042"])

    def _case_wizard_ids_as_object(self):
        order = self._order(self.customer_collective)
        return lambda: self._new_wizard(order_id_list={"ids": [order.id]})

    def _case_wizard_ids_rewritten_as_text(self):
        wizard = self._new_wizard(order_id_list=self._order(self.customer_collective).ids)
        return lambda: wizard.write({"order_id_list": ["all"]})

    def _case_wizard_unknown_order_ids(self):
        missing = self._missing_order_id()
        return lambda: self._new_wizard(order_id_list=[missing]).action_create_invoices()

    def _case_wizard_ids_of_another_model(self):
        # A billable order's id, sent as the id of a customer: it must not be billed.
        order = self._order(self.customer_collective)
        wizards = self._as(self.env["tms.billing.wizard"]).with_context(
            active_model="res.partner", active_ids=order.ids
        )
        return lambda: wizards.create({}).action_create_invoices()

    def _case_wizard_orders_of_another_company(self):
        return lambda: self._new_wizard(order_id_list=self.foreign_order.ids)

    def _case_wizard_submitted_twice(self):
        wizard = self._new_wizard(order_id_list=self._order(self.customer_collective).ids)
        wizard.action_create_invoices()
        return wizard.action_create_invoices

    def _case_wizard_invoice_date_in_local_format(self):
        wizard = self._new_wizard(order_id_list=self._order(self.customer_collective).ids)
        return lambda: wizard.write({"invoice_date": "31.12.2026"})

    def _case_wizard_invoice_date_in_year_2999(self):
        wizard = self._new_wizard(
            order_id_list=self._order(self.customer_collective).ids,
            invoice_date=date(2999, 12, 31),
        )
        return wizard.action_create_invoices

    def _case_wizard_preview_row_given_a_foreign_order(self):
        orders = self._order(self.customer_collective, delivery_date=date(2026, 10, 5))
        other = self._order(self.customer_single, delivery_date=date(2026, 10, 5))
        wizard = self._new_wizard(order_id_list=orders.ids)
        # A forged request: the preview rows take only their own orders out, never in.
        preview = wizard.preview_invoice_ids.filtered(lambda row: row.order_ids == orders)
        return lambda: preview.write({"order_ids": [Command.set(orders.ids + other.ids)]})

    # -- transport data on orders ---------------------------------------------------------

    def _case_order_loading_moved_after_delivery(self):
        order = self._order(self.customer_collective, delivery_date=date(2026, 10, 5))
        return lambda: self._as(order).write({"tms_loading_date": date(2026, 10, 20)})

    def _case_order_delivered_in_year_9999_in_preview(self):
        order = self._order(self.customer_weekly, delivery_date=date(9999, 12, 31))
        return lambda: self._new_wizard(order_id_list=order.ids).exclusion_ids.reason

    def _case_order_delivered_in_year_9999_daily_cron(self):
        # Accepted when saved (the preview leaves the order out, "in the future"): the
        # daily cron must go on billing the orders that are due.
        far = self._order(self.customer_weekly, delivery_date=date(2026, 10, 5))
        self._as(far).write({"tms_delivery_date": date(9999, 12, 31)})
        due = self._order(self.customer_single, delivery_date=date(2026, 10, 5))

        def call():
            self.env["sale.order"]._cron_tms_invoice_due_orders()
            self.env["tms.billing.cron.chunk"]._cron_tms_bill_chunks(budget=3600, commit=False)
            self.assertEqual(due.tms_billing_state, "invoiced")
            self.assertEqual(far.tms_billing_state, "to_invoice")

        return call

    def _case_order_pod_url_javascript(self):
        order = self._order(self.customer_collective)
        return lambda: self._as(order).write({"tms_pod_url": "javascript:alert(document.cookie)"})

    def _case_order_line_price_nan(self):
        order = self._order(self.customer_collective)
        return lambda: self._as(order.order_line).write({"price_unit": math.nan})

    def _case_order_line_quantity_infinite(self):
        order = self._order(self.customer_collective)
        return lambda: self._as(order.order_line).write({"product_uom_qty": math.inf})

    def _case_order_place_with_nul_character(self):
        order = self._order(self.customer_collective)
        return lambda: self._as(order).write({"tms_loading_place": "Ham\x00burg"})

    def _case_texts_of_100k_characters_and_emoji(self):
        text = ("Bremerhaven \N{DELIVERY TRUCK} Containerterminal\u200b ü " * 3000)[:100_000]
        customer = self._customer("Langtext GmbH", tms_unit_name=text)
        order = self._order(customer, client_order_ref=text)

        def call():
            # The note's markup counts towards its length.
            note = f"<p>{text[: TEXT_LENGTH - len('<p></p>')]}</p>"
            wizard = self._new_wizard(order_id_list=order.ids, note=note)
            wizard.action_create_invoices()
            move = order.invoice_ids
            self.assertEqual(len(move), 1)
            self.assertEqual(move.tms_unit_name, text)
            self.assertIn(text, move.invoice_line_ids.name)
            self.assertIn(text[:1000], move.narration)

        return call

    # -- billing settings -----------------------------------------------------------------

    def _case_customer_interval_hourly(self):
        return lambda: self._as(self.customer_collective).write({"tms_billing_interval": "hourly"})

    def _case_company_unit_name_removed(self):
        return lambda: self._as(self.company, "admin").write({"tms_unit_name": False})

    # -- server actions -------------------------------------------------------------------

    def _case_server_action_wizard_without_selection(self):
        return lambda: self._run_action(
            "tms_billing.sale_order_action_tms_billing_wizard", "sale.order", []
        )

    def _case_server_action_due_on_partners(self):
        ids = self.customer_collective.ids
        return lambda: self._run_action(
            "tms_billing.sale_order_action_tms_invoice_due", "res.partner", ids
        )

    def _case_server_action_due_on_a_deleted_order(self):
        # Selected in the list, then deleted by someone else before the click.
        kept = self._order(self.customer_collective, delivery_date=date(2099, 1, 5))
        gone = self._order(self.customer_collective, confirm=False)
        ids = [kept.id, gone.id]
        gone.unlink()
        return lambda: self._run_action(
            "tms_billing.sale_order_action_tms_invoice_due", "sale.order", ids
        )

    def _case_invoice_due_on_no_orders(self):
        return self._as(self.env["sale.order"]).action_tms_invoice_due

    # -- system parameters of the crons ---------------------------------------------------

    def _send_cron_with_parameter(self, key, value):
        """Three rows due, and a corrupted parameter: one run still tries each of them."""
        moves = self._draft_invoices(self.customer_collective, 3)
        exports = self.env["tms.billing.export"]._tms_queue(moves, self.backend)
        self.env["ir.config_parameter"].sudo().set_param(key, value)

        def call():
            self.env["tms.billing.export"]._cron_tms_send_exports()
            self.assertEqual(exports.mapped("attempts"), [1, 1, 1])
            self.assertEqual(set(exports.mapped("state")), {"failed"})

        return call

    def _case_cron_time_budget_not_a_number(self):
        return self._send_cron_with_parameter("tms_billing.cron_time_budget", "sixty")

    def _case_cron_time_budget_negative(self):
        return self._send_cron_with_parameter("tms_billing.cron_time_budget", "-5")

    def _case_cron_time_budget_zero(self):
        return self._send_cron_with_parameter("tms_billing.cron_time_budget", "0")

    def _case_stale_sending_minutes_not_a_number(self):
        return self._send_cron_with_parameter("tms_billing.stale_sending_minutes", "x")

    # -- the export ledger ----------------------------------------------------------------

    def _case_send_cancelled_invoice(self):
        move = self._draft_invoices(self.customer_collective, 1)
        move.button_cancel()
        return self._as(move).action_tms_send_exports

    def _case_send_credit_note(self):
        move = self._draft_invoices(self.customer_collective, 1, move_type="out_refund")
        return self._as(move).action_tms_send_exports

    def _case_send_without_a_connection(self):
        move = self._draft_invoices(self.customer_collective, 1)
        self.backend.active = False
        return self._as(move).action_tms_send_exports

    def _refused_push(self, export):
        def call():
            self._as(export).action_send()
            self.assertFalse(export.next_attempt_at, "a refusal is not retried blindly")
            return export.last_error if export.state == "failed" else ""

        return call

    def _case_ledger_row_of_an_invoice_cancelled_later(self):
        move = self._draft_invoices(self.customer_collective, 1)
        export = self.env["tms.billing.export"]._tms_queue(move, self.backend)
        move.button_cancel()
        return self._refused_push(export)

    def _case_ledger_row_for_a_vendor_bill(self):
        bill = self._draft_invoices(self.customer_collective, 1, move_type="in_invoice")
        export = self._as(self.env["tms.billing.export"]).create(
            {"move_id": bill.id, "backend_id": self.backend.id}
        )
        return self._refused_push(export)

    def _case_ledger_row_across_companies(self):
        move = self._draft_invoices(self.customer_collective, 1)
        values = {"move_id": move.id, "backend_id": self.other_backend.id}
        return lambda: self._as(self.env["tms.billing.export"], "admin").create(values)

    def _case_ledger_row_twice(self):
        move = self._draft_invoices(self.customer_collective, 1)
        self.env["tms.billing.export"]._tms_queue(move, self.backend)
        values = {"move_id": move.id, "backend_id": self.backend.id}
        return lambda: self._as(self.env["tms.billing.export"]).create(values)

    # -- links, tax mappings, connections, contact search --------------------------------

    def _case_link_to_a_contact_linked_elsewhere(self):
        links = self.env["tms.billing.partner.link"]
        links.create(
            {
                "partner_id": self.customer_collective.id,
                "backend_id": self.backend.id,
                "external_id": "C-1",
            }
        )
        # Found by a search for another customer, linked as the wizard links it.
        search = self._as(self.env["tms.billing.contact.wizard"]).create(
            {"partner_id": self.customer_single.id, "backend_id": self.backend.id}
        )
        search.sudo().line_ids = [Command.create({"external_id": "C-1", "name": "Nordfracht"})]
        return self._as(search.line_ids).action_link

    def _case_tax_situation_mapped_twice(self):
        mappings = self.env["tms.billing.tax.mapping"]
        values = {"backend_id": self.backend.id, "situation": "domestic"}
        mappings.create(values)
        return lambda: self._as(mappings).create(values)

    def _case_connection_url_ftp(self):
        return lambda: self._as(self.backend, "admin").write(
            {"api_url": "ftp://files.example.com/api"}
        )

    def _case_connection_url_with_a_space(self):
        return lambda: self._as(self.backend, "admin").write({"api_url": "https://api.lex ware.io"})

    def _case_connection_timeout_of_a_billion_seconds(self):
        return lambda: self._as(self.backend, "admin").write({"timeout": 10**9})

    def _case_connection_timeout_nan(self):
        return lambda: self._as(self.backend, "admin").write({"timeout": math.nan})

    def _case_contact_search_for_blanks(self):
        wizard = self._as(self.env["tms.billing.contact.wizard"]).create(
            {"partner_id": self.customer_collective.id, "backend_id": self.backend.id}
        )
        wizard.search_term = " \t  \u00a0 "
        return wizard.action_search
