from datetime import timedelta
from unittest.mock import patch

from odoo import api, fields
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import Form, tagged

from odoo.addons.tms_billing.tests.common import MatrixHidden
from odoo.addons.tms_billing.wizards.tms_billing_wizard import TmsBillingWizard

from .common import SyncAccessMatrixMixin, TmsSyncCase

SALES = {"sales_own", "sales_all"}
MANAGERS = {"transport_manager", "admin"}
TRANSPORT = {"transport_user", *MANAGERS}
LEDGER = {"invoicing", *TRANSPORT}
INTERNAL = {*SALES, *LEDGER}

# The README's "Who may do what", one entry per client-callable action of the
# framework: the roles that may call it; everyone else must be refused.
ALLOWED = {
    # configure connections (name, push, tax treatment), test them
    "backend_configure": MANAGERS,
    # see a connection's API key and URL, change them
    "read_secrets": {"admin"},
    "change_api_url": {"admin"},
    "change_api_key": {"admin"},
    # read the export ledger and customers' links (the connection's buttons)
    "backend_view_exports": LEDGER,
    "backend_view_links": LEDGER,
    # link customers' contacts through the contact wizard; links themselves are the
    # wizard's and the pushes' to write (tms.billing.partner.link._tms_write_access);
    # removing a link is configuration
    "link_create": set(),
    "link_write": set(),
    "link_remove": MANAGERS,
    "partner_link_contact": TRANSPORT,
    "contact_wizard_link": TRANSPORT,
    # customer billing settings (the customer's Transport Billing tab)
    "partner_billing_settings": TRANSPORT,
    # company billing settings: company-wide configuration, as Odoo's Settings page
    "company_billing_settings": {"admin"},
    "settings_billing_defaults": {"admin"},
    # preview and create transport invoices
    "order_open_wizard": TRANSPORT,
    "order_invoice_due": TRANSPORT,
    "server_action_open_wizard": TRANSPORT,
    "server_action_invoice_due": TRANSPORT,
    "wizard_preview": TRANSPORT,
    "wizard_create_invoices": TRANSPORT,
    # adjust an invoice of the preview (address, note, positions), leave orders out
    "wizard_adjust": TRANSPORT,
    "wizard_leave_out": TRANSPORT,
    "wizard_undo_adjustments": TRANSPORT,
    # open a transport order (its Billing tab included) or an invoice's orders
    "order_form": INTERNAL,
    # enter a transport's route, apply its route's fiscal position and taxes: whoever
    # may edit the order in Odoo (Sales, and Invoicing, whose rights include writing
    # orders; Transport Billing users are salesmen of all orders)
    "order_route": {*SALES, "invoicing", *TRANSPORT},
    "invoice_view_orders": INTERNAL,
    # read the orders' billing events
    "read_events": TRANSPORT,
    # send invoices to an accounting system, read the export ledger
    "read_exports": LEDGER,
    "ledger_queue": LEDGER,
    # ask the accounting system again to cancel an invoice cancelled here
    "ledger_cancel_external": LEDGER,
    # change a ledger row's state or external id by hand: nobody
    "ledger_write_state": set(),
    "ledger_create_forged": set(),
    # cancel a transport invoice, also one sent (the draft there stays)
    "invoice_cancel_sent": {"invoicing", "admin"},
    # delete an invoice that reached an accounting system: nobody
    "invoice_delete_sent": set(),
}

# Cells where the code differs from the table, each with its reason; the matrix says so
# when one is fixed. None today.
DEFECTS = set()


@tagged("post_install", "-at_install")
class TestAccessMatrix(SyncAccessMatrixMixin, TmsSyncCase):
    """Every client-callable action of the framework, called as each role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._matrix_setup_users()
        salesman = cls.users["sales_own"]
        delivered = fields.Date.today() - timedelta(days=40)
        cls.backend = cls.env["tms.billing.backend"].create({"name": "Buchhaltung"})
        cls.link = cls.env["tms.billing.partner.link"].create(
            {"partner_id": cls.customer_collective.id, "backend_id": cls.backend.id}
            | {"external_id": "C-1", "external_name": "Nordfracht GmbH"}
        )
        # Orders and invoices of the sales user, so that "own documents" reach them.
        cls.order = cls._order(
            cls.customer_collective, delivery_date=delivered, user_id=salesman.id
        )
        cls.due_order = cls._order(
            cls.customer_single, delivery_date=delivered, user_id=salesman.id
        )
        cls.invoiced_order = cls._order(
            cls.customer_weekly, delivery_date=delivered, user_id=salesman.id
        )
        cls.sent_move = cls.invoiced_order._tms_create_invoices()[0]
        cls.sent_move.invoice_user_id = salesman
        cls.sent_export = cls.env["tms.billing.export"]._tms_queue(cls.sent_move, cls.backend)
        cls.sent_export.write({"state": "sent", "external_id": "INV-1", "external_number": "RE1"})
        # The helper is an instance method; the class holds everything it uses.
        cls.queued_move, cls.loose_move = cls._draft_invoices(
            cls, cls.customer_collective, 2, invoice_user_id=salesman.id
        )
        cls.queued_export = cls.env["tms.billing.export"]._tms_queue(cls.queued_move, cls.backend)
        # An invoice cancelled here whose cancellation there failed.
        cancelled_move = cls._draft_invoices(cls, cls.customer_collective, 1)
        cls.cancel_failed_export = cls.env["tms.billing.export"]._tms_queue(
            cancelled_move, cls.backend
        )
        cancelled_move.button_cancel()
        cls.cancel_failed_export.write(
            {"state": "sent", "external_id": "INV-2", "cancel_state": "failed"}
        )
        cls.event = cls.invoiced_order.tms_billing_event_ids
        cls._other_company_rows()

    @classmethod
    def _other_company_rows(cls):
        """An event and an export of the other company, which no role here may see."""
        company = cls.other_company
        cls.env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
        order = env["sale.order"].create(
            {"partner_id": cls.customer_collective.id, "company_id": company.id}
        )
        cls.other_event = env["tms.billing.event"].create(
            {"order_id": order.id, "kind": "excluded", "message": "Elsewhere"}
        )
        move = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": company.id,
                "partner_id": cls.customer_collective.id,
                "invoice_line_ids": [Command.create({"name": "Transport", "price_unit": 10})],
            }
        )
        backend = env["tms.billing.backend"].create({"name": "Elsewhere", "company_id": company.id})
        cls.other_export = env["tms.billing.export"]._tms_queue(move, backend)

    # -- the actions, as the web client calls them -----------------------------------

    def _backend_configure(self, role):
        self._as(role, self.backend).write(
            {"name": "Buchhaltung 2", "push_timing": "create", "auto_create_contacts": True}
        )
        self.assertEqual(self.backend.name, "Buchhaltung 2")

    def _open_list(self, role, action, expected):
        """The list a window action opens, as the user's client searches it."""
        rows = self._as(role, self.env[action["res_model"]]).search(action["domain"])
        if expected not in rows:
            raise MatrixHidden
        rows.read(["display_name"])

    def _backend_view_exports(self, role):
        action = self._as(role, self.backend).action_view_exports()
        self._open_list(role, action, self.sent_export)

    def _backend_view_links(self, role):
        action = self._as(role, self.backend).action_view_links()
        self._open_list(role, action, self.link)

    def _link_create(self, role):
        self._as(role, self.env["tms.billing.partner.link"]).create(
            {"partner_id": self.customer_single.id, "backend_id": self.backend.id}
            | {"external_id": "C-2"}
        )
        self.assertEqual(self.customer_single.tms_partner_link_ids.external_id, "C-2")

    def _link_write(self, role):
        self._as(role, self.link).write({"external_id": "C-9", "external_number": "K-9"})
        self.assertEqual(self.link.external_id, "C-9")

    def _link_remove(self, role):
        self._as(role, self.link).unlink()
        self.assertFalse(self.link.exists())

    def _partner_link_contact(self, role):
        action = self._as(role, self.customer_single).action_tms_link_contact()
        # The client creates the wizard from the action's context when a button is used.
        wizard = (
            self._as(role, self.env[action["res_model"]])
            .with_context(**action["context"])
            .create({"backend_id": self.backend.id})
        )
        self.assertEqual(wizard.partner_id, self.customer_single)

    def _contact_wizard_link(self, role):
        wizard = (
            self._as(role, self.env["tms.billing.contact.wizard"])
            .with_context(default_partner_id=self.customer_single.id)
            .create({"backend_id": self.backend.id})
        )
        # What a search there found: the accounting system's answer, not the role's.
        wizard.sudo().line_ids = [
            Command.create({"external_id": "C-2", "name": "Einzel AG"}),
        ]
        wizard.line_ids.action_link()
        self.assertEqual(self.customer_single.tms_partner_link_ids.external_id, "C-2")

    def _partner_billing_settings(self, role):
        self._as(role, self.customer_collective).write(
            {"tms_invoicing_mode": "single", "tms_unit_name": "Tour"}
        )
        # The settings are per company: another company's user changes its own only.
        here = self.customer_collective.with_company(self.company)
        here.invalidate_recordset()
        if here.tms_invoicing_mode != "single":
            raise MatrixHidden
        self.assertEqual(here.tms_unit_name, "Tour")

    def _company_billing_settings(self, role):
        self._as(role, self.company).write({"tms_invoicing_mode": "single"})
        self.assertEqual(self.company.tms_invoicing_mode, "single")

    def _settings_billing_defaults(self, role):
        settings = self._as(role, self.env["res.config.settings"]).create(
            {"tms_invoicing_mode": "single", "tms_small_business": True}
        )
        settings.execute()
        self.assertEqual(self.company.tms_invoicing_mode, "single")
        self.assertTrue(self.company.tms_small_business)

    def _order_open_wizard(self, role):
        action = self._as(role, self.order).action_tms_open_billing_wizard()
        wizard = self._as(role, self.env["tms.billing.wizard"]).browse(action["res_id"])
        self.assertEqual(wizard.preview_invoice_ids.partner_id, self.customer_collective)

    def _order_invoice_due(self, role):
        self._as(role, self.due_order).action_tms_invoice_due()
        self.assertEqual(self.due_order.tms_billing_state, "invoiced")

    def _run_server_action(self, role, xmlid, order):
        return (
            self.env.ref(xmlid)
            .with_user(self.users[role])
            .with_context(active_model="sale.order", active_ids=order.ids, active_id=order.id)
            .run()
        )

    def _server_action_open_wizard(self, role):
        action = self._run_server_action(
            role, "tms_billing.sale_order_action_tms_billing_wizard", self.order
        )
        self.assertEqual(action["res_model"], "tms.billing.wizard")

    def _server_action_invoice_due(self, role):
        self._run_server_action(
            role, "tms_billing.sale_order_action_tms_invoice_due", self.due_order
        )
        self.assertEqual(self.due_order.tms_billing_state, "invoiced")

    def _wizard(self, role):
        return self._as(role, self.env["tms.billing.wizard"]).create(
            {"order_id_list": self.order.ids}
        )

    def _wizard_preview(self, role):
        wizard = self._wizard(role)
        self.assertEqual(wizard.invoice_count, 1)
        wizard.preview_invoice_ids.read(["partner_id", "amount_total", "period"])

    def _wizard_create_invoices(self, role):
        self._wizard(role).action_create_invoices()
        self.assertEqual(self.order.tms_billing_state, "invoiced")

    def _wizard_adjust(self, role):
        wizard = self._wizard(role)
        preview = wizard.preview_invoice_ids
        preview.action_tms_adjust()
        preview.line_ids.price_unit = 321.0
        preview.note = "Adjusted"
        self.assertEqual(preview.action_tms_back()["res_id"], wizard.id)
        wizard.action_create_invoices()
        self.assertEqual(self.order.invoice_ids.invoice_line_ids.price_unit, 321.0)

    def _wizard_undo_adjustments(self, role):
        preview = self._wizard(role).preview_invoice_ids
        preview.action_tms_adjust()
        preview.line_ids.price_unit = 321.0
        preview.action_tms_reset()
        self.assertNotEqual(preview.line_ids.price_unit, 321.0)

    def _wizard_leave_out(self, role):
        wizard = self._wizard(role)
        wizard.preview_invoice_ids.action_tms_leave_out()
        self.assertEqual(wizard.exclusion_ids.filtered("left_out").order_id, self.order)

    def _order_form(self, role):
        form = Form(self._as(role, self.invoiced_order))
        self.assertEqual(form.tms_billing_state, "invoiced")

    def _order_route(self, role):
        germany = self.env.ref("base.de")
        order = self._as(role, self.order)
        order.write(
            {
                "tms_loading_country_id": germany.id,
                "tms_loading_city": "Hamburg",
                "tms_unloading_country_id": germany.id,
                "tms_unloading_city": "Berlin",
            }
        )
        order.action_tms_apply_vat_route()
        self.assertEqual(order.tms_tax_situation, "domestic")

    def _invoice_view_orders(self, role):
        action = self._as(role, self.sent_move).action_tms_view_orders()
        rows = self._as(role, self.env[action["res_model"]]).search(action["domain"])
        self.assertEqual(rows, self.invoiced_order)

    def _read_rows(self, role, model, own_row, other_row):
        rows = self._as(role, self.env[model]).search([("id", "in", (own_row | other_row).ids)])
        if own_row not in rows:
            raise MatrixHidden
        self.assertNotIn(other_row, rows, "another company's row is visible")
        rows.read(["display_name"])

    def _read_events(self, role):
        self._read_rows(role, "tms.billing.event", self.event, self.other_event)

    def _read_exports(self, role):
        self._read_rows(role, "tms.billing.export", self.sent_export, self.other_export)

    def _ledger_queue(self, role):
        export = self._as(role, self.env["tms.billing.export"]).create(
            {"move_id": self.loose_move.id, "backend_id": self.backend.id}
        )
        self.assertEqual(export.state, "to_send")

    def _ledger_cancel_external(self, role):
        self._as(role, self.cancel_failed_export).action_cancel_external()

    def _ledger_write_state(self, role):
        self._as(role, self.queued_export).write({"state": "sent", "external_id": "forged"})

    def _ledger_create_forged(self, role):
        self._as(role, self.env["tms.billing.export"]).create(
            {"move_id": self.loose_move.id, "backend_id": self.backend.id}
            | {"state": "sent", "external_id": "forged"}
        )

    def _invoice_cancel_sent(self, role):
        self._as(role, self.sent_move).button_cancel()
        self.assertEqual(self.sent_move.state, "cancel")
        self.assertEqual(self.invoiced_order.tms_billing_state, "to_invoice")

    def _invoice_delete_sent(self, role):
        self._as(role, self.sent_move).unlink()

    def _actions(self, names=None):
        return {
            name: (allowed, getattr(self, f"_{name}"))
            for name, allowed in ALLOWED.items()
            if names is None or name in names
        }

    # -- tests ----------------------------------------------------------------------

    def test_role_by_action_matrix(self):
        self._assert_matrix(self._actions(), DEFECTS)

    def test_matrix_reports_a_removed_entry_check(self):  # pylint: disable=missing-return
        """Without the wizard's check on the orders, the other company's manager
        previews this company's orders: the matrix reports exactly that cell."""

        @api.model_create_multi
        def create_unchecked(wizard, vals_list):
            return super(TmsBillingWizard, wizard).create(vals_list)

        wizard_class = type(self.env["tms.billing.wizard"])
        with patch.object(wizard_class, "create", create_unchecked):
            findings = self._run_matrix(self._actions({"wizard_preview"}))
        self.assertEqual(findings["wrongly allowed"], [("wizard_preview", "other_company")])
        self.assertEqual(findings["wrongly denied"], [])

    def test_matrix_reports_what_a_refusal_committed(self):
        """A refusal after the ledger committed a change leaves it behind: reported."""

        def commit_then_refuse(role):
            self.backend.name = "Half done"
            self.env["tms.billing.export"]._tms_commit()
            raise AccessError("Refused after a commit.")  # pylint: disable=translation-required

        findings = self._run_matrix({"half_done": (set(), commit_then_refuse)})
        self.assertEqual(
            findings["partial writes"],
            [("half_done", role, ["tms_billing_backend"]) for role in self.MATRIX_ROLES],
        )
