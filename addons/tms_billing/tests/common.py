import contextlib
import logging
import traceback
from datetime import date
from unittest import SkipTest

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import TransactionCase
from odoo.tests import common as odoo_test_common
from odoo.tools import SQL

from ..models.res_partner import POLICY_FIELDS


class TmsBillingCase(TransactionCase):
    """Customers with different billing settings and a helper to make transport orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls._tms_company()
        cls.company.write(
            {
                "tms_invoicing_mode": "collective",
                "tms_billing_interval": "monthly",
                "tms_line_mode": "per_order",
                "tms_tax_mode": "net",
                "tms_unit_name": "Transport",
            }
        )
        cls.tax = cls._tms_sale_tax()
        cls.product, cls.surcharge = cls.env["product.product"].create(
            [
                {
                    "name": name,
                    "type": "service",
                    "invoice_policy": "order",
                    "list_price": price,
                    "taxes_id": [Command.set(cls.tax.ids)],
                    "tms_transport_service": transport,
                    "uom_id": uom.id,
                    "uom_po_id": uom.id,
                }
                for name, price, transport, uom in (
                    ("Freight", 100.0, True, cls.env.ref("uom.product_uom_unit")),
                    ("Waiting time", 40.0, False, cls.env.ref("uom.product_uom_hour")),
                )
            ]
        )
        cls.customer_collective = cls._customer("Nordfracht GmbH", tms_invoicing_mode="collective")
        cls.customer_single = cls._customer("Einzel AG", tms_invoicing_mode="single")
        cls.customer_weekly = cls._customer(
            "Wochen KG", tms_billing_interval="weekly", tms_line_mode="aggregated"
        )
        cls.payment_term_30 = cls.env["account.payment.term"].create(
            {
                "name": "30 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})
                ],
            }
        )

    @classmethod
    def _tms_company(cls):
        """The company that bills, a German one; a subclass may set up another."""
        germany = cls.env.ref("base.de")
        cls.env.company.write({"country_id": germany.id, "account_fiscal_country_id": germany.id})
        return cls.env.company

    @classmethod
    def _tms_sale_tax(cls):
        group = cls.env["account.tax.group"].create(
            {"name": "TMS 19%", "country_id": cls.company.account_fiscal_country_id.id}
        )
        return cls.env["account.tax"].create(
            {"name": "TMS 19%", "amount": 19.0, "type_tax_use": "sale", "tax_group_id": group.id}
        )

    @classmethod
    def _customer(cls, name, **values):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "street": "Hafenstraße 1",
                "zip": "20457",
                "city": "Hamburg",
                "country_id": cls.env.ref("base.de").id,
                **values,
            }
        )

    @classmethod
    def _order(cls, customer, delivery_date=date(2026, 10, 5), confirm=True, lines=None, **values):
        lines = lines or [(cls.product, 1.0, 100.0)]
        order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "tms_loading_place": "Hamburg",
                "tms_unloading_place": "München",
                "tms_delivery_date": delivery_date,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": qty, "price_unit": price}
                    )
                    for product, qty, price in lines
                ],
                **values,
            }
        )
        if confirm:
            order.action_confirm()
        return order

    @classmethod
    def _load_german(cls, also=()):
        """German installed with this addon's translations (and those of the Odoo
        modules ``also`` names, e.g. "uom" for its units), for texts read in German."""
        cls.env["res.lang"]._activate_lang("de_DE")
        addons = cls.env["ir.module.module"].search(
            [("name", "=like", "tms_billing%"), ("state", "=", "installed")]
        )
        cls.env["ir.module.module"]._load_module_terms(
            [*addons.mapped("name"), *also], ["de_DE"], overwrite=True
        )
        cls.env.registry.clear_cache("templates")  # templates compiled before the terms

    @classmethod
    def _use_euro(cls):
        """The providers bill in EUR only."""
        euro = cls.env.ref("base.EUR")
        euro.active = True
        cls.company.currency_id = euro
        cls.env["product.pricelist"].search([]).currency_id = euro

    def _foreign_pricelist(self):
        """A pricelist in a currency other than the company's, with a rate."""
        usd = self.env.ref("base.USD")
        usd.active = True
        currency = usd if self.company.currency_id != usd else self.env.ref("base.EUR")
        currency.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "name": date(2026, 1, 1), "rate": 1.1}
        )
        return self.env["product.pricelist"].create({"name": "Foreign", "currency_id": currency.id})

    def _draft_invoices(self, customer, count, amount=100.0, **values):
        """Draft transport invoices made directly, for ledger tests that need many;
        their amounts differ so that each is recognisable."""
        return self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "invoice_date": date(2026, 10, 31),
                    "delivery_date": date(2026, 10, 20),
                    "tms_invoicing_mode": "collective",
                    "tms_tax_mode": "net",
                    "tms_unit_name": "Transport",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "name": f"Transport {number}\nHamburg → München",
                                "quantity": 1,
                                "price_unit": amount + number,
                                "tax_ids": [Command.set(self.tax.ids)],
                            }
                        )
                    ],
                    **values,
                }
                for number in range(count)
            ]
        )

    def _wizard(self, orders, **values):
        return (
            self.env["tms.billing.wizard"]
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create(values)
        )


class TmsGermanCase(TmsBillingCase):
    """A German haulier on Odoo's German chart of accounts (l10n_de, SKR03), with one
    customer of each tax situation. Needs ``l10n_de`` installed (tools/test does)."""

    @classmethod
    def _tms_company(cls):
        if cls.env["ir.module.module"]._get("l10n_de").state != "installed":
            raise SkipTest("Odoo's German localisation (l10n_de) is not installed")
        company = cls.env["res.company"].create(
            {
                "name": "Spedition Elbe GmbH",
                "country_id": cls.env.ref("base.de").id,
                "currency_id": cls.env.ref("base.EUR").id,
                "street": "Hafenstraße 10",
                "zip": "20457",
                "city": "Hamburg",
                "vat": "DE123456788",
            }
        )
        cls.env.user.company_ids |= company
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[company.id]))
        cls.env["account.chart.template"].try_loading("de_skr03", company, install_demo=False)
        return company

    @classmethod
    def _tms_sale_tax(cls):
        return cls._chart_ref("tax_ust_19_skr03")

    @classmethod
    def _chart_ref(cls, name):
        return cls.env["account.chart.template"].with_company(cls.company).ref(name)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_euro()
        austria, switzerland = cls.env.ref("base.at"), cls.env.ref("base.ch")
        abroad = {"street": "Ringstraße 1", "zip": "1010", "city": "Wien"}
        cls.situation_customers = {
            "domestic_net": cls._customer("Nordfracht GmbH", tms_tax_mode="net"),
            "domestic_gross": cls._customer("Bäckerei Schulz", tms_tax_mode="gross"),
            "eu_business": cls._customer(
                "Wiener Transporte GmbH", country_id=austria.id, vat="ATU13585627", **abroad
            ),
            "eu_private": cls._customer(
                "Anna Gruber", is_company=False, country_id=austria.id, **abroad
            ),
            "third_country": cls._customer(
                "Zürcher Spedition AG",
                country_id=switzerland.id,
                street="Bahnhofstrasse 5",
                zip="8001",
                city="Zürich",
            ),
        }
        # Odoo's German chart applies its EU and domestic positions by itself; the one for
        # business partners outside the EU is set on the customer, as accountants do.
        cls.situation_customers["third_country"].property_account_position_id = cls._chart_ref(
            "fiscal_position_non_eu_partner_skr03"
        )

    def _invoice_situations(self, customers):
        """One delivered order per customer, invoiced through the wizard."""
        orders = self.env["sale.order"]
        for customer in customers:
            orders |= self._order(customer, delivery_date=date(2026, 10, 5))
        self._wizard(orders, invoice_date=date(2026, 11, 2)).action_create_invoices()
        return {order.partner_id: order.invoice_ids for order in orders}


# The billing settings of customers and companies, which a refused call must not touch.
BILLING_SETTINGS_COLUMNS = {
    "res_partner": POLICY_FIELDS,
    "res_company": (*POLICY_FIELDS, "tms_small_business"),
}


def rows_fingerprint(env, tables, columns=None):
    """A fingerprint of the rows of ``tables`` and of ``columns`` ({table: columns}, by
    default the billing settings), to tell whether a call changed any of them."""
    columns = BILLING_SETTINGS_COLUMNS if columns is None else columns
    env.flush_all()
    state = {}
    for table in tables:
        [state[table]] = env.execute_query(
            SQL(
                "SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t.id)) FROM %s t",
                SQL.identifier(table),
            )
        )
    for table, names in columns.items():
        [state[table]] = env.execute_query(
            SQL(
                "SELECT md5(string_agg(row(id, %s)::text, '|' ORDER BY id)) FROM %s",
                SQL(", ").join(SQL.identifier(name) for name in names),
                SQL.identifier(table),
            )
        )
    return state


class RecordsWithTraceback(logging.Filter):
    """Keeps, during one call, the log records that carry a traceback or an error, out
    of the test log: the table reports them, expected defects included.

    A logger whose level is above ERROR never makes the record, so no filter sees it:
    ``--log-level=critical`` (pytest-odoo's default ``--odoo-log-level``) sets the
    ``odoo`` logger to CRITICAL. As ``assertLogs`` does, such loggers are lowered to
    ERROR for the call; each record this adds is an error, which the filter keeps out
    of the log, so the log shows what it showed before."""

    def __enter__(self):
        self.records = []
        names = [name for name in logging.root.manager.loggerDict if name.startswith("odoo")]
        self._loggers = [logging.getLogger(name) for name in names]
        # Judged before any level changes: lowering a parent changes its children.
        self._levels = {
            logger: logger.level
            for logger in self._loggers
            if logger.getEffectiveLevel() > logging.ERROR
        }
        for logger in self._loggers:
            logger.addFilter(self)
        for logger in self._levels:
            logger.setLevel(logging.ERROR)
        return self

    def __exit__(self, *exc):
        for logger, level in self._levels.items():
            logger.setLevel(level)
        for logger in self._loggers:
            logger.removeFilter(self)

    def filter(self, record):
        if record.name == "odoo.sql_db" and str(record.msg).startswith("bad query"):
            # The query's own exception is judged, as the request would raise it.
            return False
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)
            return False
        return True


class MatrixHidden(Exception):
    """The record is not visible to the role: a refusal by record rule."""


class _MatrixUndo(Exception):
    """Raised to roll an allowed call back to its savepoint."""


class AccessMatrixMixin:
    """Calls actions as each role of the README's "Who may do what" table, each call in
    a savepoint rolled back afterwards, and compares who got through with the table.

    Only an AccessError or a UserError (or ``MatrixHidden``) is a refusal; any other
    exception is a failure of its own. A refused call must leave nothing behind: no row
    committed before the refusal, nothing in the provider's fake
    (``_matrix_external_state``).
    """

    # Fields of the connection (``self.backend``) only administrators may read, beyond
    # its URL and key.
    matrix_secret_fields = ()

    MATRIX_ROLES = {
        "sales_own": "sales_team.group_sale_salesman,base.group_partner_manager",
        "sales_all": "sales_team.group_sale_salesman_all_leads,base.group_partner_manager",
        "invoicing": "account.group_account_invoice,base.group_partner_manager",
        "transport_user": "tms_billing.group_tms_billing_user,base.group_partner_manager",
        "transport_manager": "tms_billing.group_tms_billing_manager,base.group_partner_manager",
        "admin": "base.group_system,base.group_partner_manager,account.group_account_manager,"
        "sales_team.group_sale_manager,tms_billing.group_tms_billing_manager",
        "portal": "base.group_portal",
        # A transport manager of another company, calling actions on this company's records.
        "other_company": "tms_billing.group_tms_billing_manager,base.group_partner_manager",
    }
    # Tables a refused call must leave untouched, row by row; for partners and companies
    # the billing settings only.
    MATRIX_TABLES = (
        "account_move",
        "account_move_line",
        "sale_order",
        "tms_billing_event",
        "mail_message",
    )

    @classmethod
    def _matrix_setup_users(cls):
        cls.other_company = cls.env["res.company"].create(
            {"name": "Elsewhere GmbH", "country_id": cls.env.ref("base.de").id}
        )
        cls.users = {}
        for role, groups in cls.MATRIX_ROLES.items():
            values = {}
            if role == "other_company":
                values = {
                    "company_id": cls.other_company.id,
                    "company_ids": [Command.set(cls.other_company.ids)],
                }
            cls.users[role] = odoo_test_common.new_test_user(
                cls.env, f"tms_{role}", groups=groups, email=f"{role}@example.com", **values
            )

    def _as(self, role, record):
        return record.with_user(self.users[role])

    def _matrix_state(self):
        """A fingerprint of every row a refused call must leave as it was."""
        return rows_fingerprint(self.env, self.MATRIX_TABLES)

    def _matrix_external_state(self):
        """What the provider's fake holds (it has no savepoints): counts by kind."""
        return {}

    def _matrix_commit_watch(self, commit):
        """A context manager calling ``commit(model)`` where the code commits (the
        ledger's two-phase pushes), instead of committing; nothing commits here."""
        return contextlib.nullcontext()

    def _matrix_cell(self, action, role):
        """Run ``action(role)``: ``(outcome, detail, changes)`` with outcome "allowed",
        "denied" or "failed" (any other exception, detail its traceback), and for a
        refusal what it left behind.

        Odoo rolls a refused request back, so what a refusal leaves behind is what was
        committed before it (the ledger commits around external calls; in tests its
        commit only records the state it would keep) and what the provider's fake got.
        """
        before = self._matrix_state()
        external = self._matrix_external_state()
        committed = []
        detail, changes = "", []

        def commit(model):
            committed.append(self._matrix_state())

        try:
            with self._matrix_commit_watch(commit), self.env.cr.savepoint():
                try:
                    action(role)
                except (AccessError, UserError, MatrixHidden) as error:
                    outcome, detail = "denied", f"{type(error).__name__}: {error}"
                except Exception:
                    outcome, detail = "failed", traceback.format_exc()
                else:
                    outcome = "allowed"
                raise _MatrixUndo
        except _MatrixUndo:
            self.env.invalidate_all()
        if outcome == "denied":
            kept = committed[-1] if committed else before
            changes = [table for table in before if before[table] != kept[table]]
            after = self._matrix_external_state()
            changes += [kind for kind in external if external[kind] != after.get(kind)]
        return outcome, detail, changes

    def _run_matrix(self, actions, defects=()):
        """Every action as every role. ``actions``: ``{name: (roles the table allows,
        function(role))}``; ``defects``: cells where the code is known to differ from the
        table, expected to keep differing until they are fixed. Returns the findings."""
        findings = {
            "wrongly allowed": [],
            "wrongly denied": [],
            "failed": [],
            "partial writes": [],
            "defect fixed, drop its DEFECT mark": [],
        }
        for name, (allowed, action) in actions.items():
            for role in self.MATRIX_ROLES:
                outcome, detail, changes = self._matrix_cell(action, role)
                cell = (name, role)
                if outcome == "failed":
                    findings["failed"].append((*cell, detail))
                    continue
                if changes:
                    findings["partial writes"].append((*cell, changes))
                got_through = outcome == "allowed"
                if cell in defects:
                    if got_through == (role in allowed):
                        findings["defect fixed, drop its DEFECT mark"].append((*cell, detail))
                elif got_through and role not in allowed:
                    findings["wrongly allowed"].append(cell)
                elif not got_through and role in allowed:
                    findings["wrongly denied"].append((*cell, detail))
        return findings

    def _assert_matrix(self, actions, defects=()):
        self.assertGreaterEqual(len(self.MATRIX_ROLES), 7)
        unknown = set(defects) - {(a, r) for a in actions for r in self.MATRIX_ROLES}
        self.assertFalse(unknown, "DEFECT marks must name cells of the matrix")
        findings = self._run_matrix(actions, defects)
        self.maxDiff = None
        self.assertEqual(
            {kind: cells for kind, cells in findings.items() if cells},
            {},
            f"{len(actions)} actions x {len(self.MATRIX_ROLES)} roles",
        )
