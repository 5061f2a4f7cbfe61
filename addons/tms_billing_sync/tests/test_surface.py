"""The client surface, as the registry has it: every guarded field and public method of
every model of the installed TMS Billing addons, as every role (see
``tms_billing.tests.surface``).

This addon depends on the framework (``tms_billing``) and sees its models too; the
providers' models (lexoffice, sevDesk) take part when their addons are installed, as
in the full test run. A model needs one record here per company (``_surface_records``)
and, when clients create it, the values to create one with (``_surface_create_values``):
a new model without them fails, as a new field or method without a decision does.
"""

import logging
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.fields import Command
from odoo.tests import Form, tagged

from odoo.addons.tms_billing.models import tms_billing_client_access
from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access
from odoo.addons.tms_billing.tests.surface import (
    COLLEAGUE,
    SURFACE_ROLES,
    SurfaceMixin,
)

from .common import SyncAccessMatrixMixin, TmsSyncCase

_logger = logging.getLogger(__name__)

# Roles whose own previews, contact searches and Odoo's invoicing wizards are made here,
# where their rights let them.
OWNER_ROLES = (
    "sales",
    "invoicing",
    "accountant",
    "transport_user",
    "transport_manager",
    "admin",
    "other_company",
    COLLEAGUE,
)

# What a connection read from its provider's account, forgotten with its key or URL.
ACCOUNT_FIELDS = frozenset(
    {
        "sevdesk_user_ids",
        "sevdesk_unit_ids",
        "sevdesk_country_ids",
        "sevdesk_bookkeeping_version",
        "lexoffice_organization_id",
    }
)

# The arguments of public methods that take any, as an RPC client sends them.
METHOD_ARGS = {
    # Odoo's note of an assignment, with the values a client can send (no records).
    ("account.move", "message_post_with_source"): (
        "mail.message_user_assigned",
        {"model_description": "Rechnung"},
    ),
}


@tagged("post_install", "-at_install")
class TestSurface(SurfaceMixin, SyncAccessMatrixMixin, TmsSyncCase):
    """Every guarded field written and created, every public method called, as each of
    ten roles, on records of their own company and another's.

    With every addon installed: 26 models, 261 guarded fields x 10 roles, about 8,700
    writes (6,300 of them hostile values where a role may write) and 7,900 creates, 350
    writes of another company's or user's record, 450 reads; 37 public methods x 10
    roles, 659 calls on own and foreign records. The run logs its size ("Client
    surface: ..."), and the assertion message repeats it."""

    # Writes that change another stored field on purpose.
    SURFACE_COUPLED = {
        # Orders are kept as a list of ids, which the orders field writes; a preview's
        # positions follow the orders it keeps.
        ("tms.billing.wizard", "order_ids"): {"order_id_list"},
        ("tms.billing.wizard.invoice", "order_ids"): {"order_id_list", "order_count", "line_ids"},
        # The totals follow the positions.
        ("tms.billing.wizard.invoice", "line_ids"): {"amount_untaxed", "amount_total"},
        # What was read from one account does not hold for another (the providers'
        # ``write``).
        ("tms.billing.backend", "api_key"): ACCOUNT_FIELDS,
        ("tms.billing.backend", "api_url"): ACCOUNT_FIELDS,
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        other = cls.env["res.company"].create(
            {"name": "Elsewhere GmbH", "country_id": cls.env.ref("base.de").id}
        )
        cls.env["account.chart.template"].try_loading("generic_coa", other, install_demo=False)
        cls._surface_setup_users(cls.company, other)
        cls.surface_records = {
            key: cls._surface_company_records(key, company)
            for key, company in cls.surface_companies.items()
        }
        cls.surface_owned = {role: cls._surface_owned_records(role) for role in OWNER_ROLES}
        cls.surface_archived = {
            "res.partner": cls.env["res.partner"].create({"name": "Archiviert", "active": False}),
            "tms.billing.backend": cls.env["tms.billing.backend"].create(
                {"name": "Archiviert", "active": False}
            ),
        }
        cls.surface_deleted_ids = cls._surface_deleted()

    @classmethod
    def _surface_company_records(cls, key, company):
        """One record of each model, of ``company``."""
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
        owner = cls.surface_users["sales" if key == "home" else "other_company"]
        customer, other_customer = env["res.partner"].create(
            [
                {
                    "name": f"{name} {company.name}",
                    "is_company": True,
                    "company_id": company.id,
                    "street": "Hafenstraße 1",
                    "zip": "20457",
                    "city": "Hamburg",
                    "country_id": cls.env.ref("base.de").id,
                    "tms_invoicing_mode": "single",
                }
                for name in ("Kunde", "Zweitkunde")
            ]
        )
        delivered = fields.Date.today() - timedelta(days=40)

        def order(delivery_date):
            record = env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "user_id": owner.id,
                    "tms_loading_place": "Hamburg",
                    "tms_unloading_place": "München",
                    "tms_delivery_date": delivery_date,
                    "order_line": [
                        Command.create(
                            {"product_id": cls.product.id, "product_uom_qty": 1, "price_unit": 100}
                        )
                    ],
                }
            )
            record.action_confirm()
            return record

        billable, undelivered, invoiced = order(delivered), order(False), order(delivered)
        move = invoiced._tms_create_invoices()[0]
        move.invoice_user_id = owner
        # A connection as configured, which has sent nothing yet (so its company may
        # still change), and one that has sent invoices and linked customers.
        backend, ledger_backend = env["tms.billing.backend"].create(
            [
                {"name": f"{name} {company.name}", "company_id": company.id}
                for name in ("Buchhaltung", "Versand")
            ]
        )
        export = env["tms.billing.export"]._tms_queue(move, ledger_backend)
        export.write({"state": "sent", "external_id": "INV-1", "external_number": "RE1"})
        # A send whose outcome is unknown, for a person to settle (found there or not).
        undecided_move = order(delivered)._tms_create_invoices()[0]
        undecided = env["tms.billing.export"]._tms_queue(undecided_move, ledger_backend)
        undecided.write({"state": "failed", "lookup_since": fields.Datetime.now()})
        loose_move = env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": customer.id, "company_id": company.id}
        )
        now = fields.Datetime.now()
        records = {
            "res.partner": customer,
            "res.company": company,
            "res.config.settings": env["res.config.settings"].create({}),
            "sale.order": billable,
            "account.move": move,
            "account.move.line": move.invoice_line_ids[:1],
            "account.fiscal.position": env["account.fiscal.position"].create(
                {"name": f"Position {company.name}", "company_id": company.id}
            ),
            "tms.billing.event": invoiced.tms_billing_event_ids[:1],
            "tms.billing.backend": backend,
            "tms.billing.tax.mapping": env["tms.billing.tax.mapping"].create(
                {"backend_id": backend.id, "situation": "domestic", "tax_note": "Umsatzsteuer"}
            ),
            "tms.billing.partner.link": env["tms.billing.partner.link"].create(
                {"partner_id": customer.id, "backend_id": ledger_backend.id, "external_id": "C-1"}
            ),
            "tms.billing.export": export,
            "product.template": env["product.template"].create(
                {"name": f"Fracht {company.name}", "company_id": company.id}
            ),
            # A month-end chunk the daily cron queued for the worker crons.
            "tms.billing.cron.chunk": env["tms.billing.cron.chunk"].create(
                {"company_id": company.id, "customer_id_list": customer.ids, "order_count": 1}
            ),
        }
        if key == "home":
            # Slots belong to API keys, not to companies.
            records["tms.billing.rate.slot"] = env["tms.billing.rate.slot"].create(
                {"key_hash": "surface", "next_at": now}
            )
        if "tms.billing.lexoffice.event" in env:
            records["tms.billing.lexoffice.event"] = env["tms.billing.lexoffice.event"].create(
                {"backend_id": backend.id, "body_hash": key, "event_date": now, "received_at": now}
            )
        if "tms.billing.sevdesk.user" in env:
            records["tms.billing.sevdesk.user"] = env["tms.billing.sevdesk.user"].create(
                {"backend_id": backend.id, "name": "Anna Schulz", "external_id": "U-1"}
            )
            records["tms.billing.sevdesk.unit"] = env["tms.billing.sevdesk.unit"].create(
                {"backend_id": backend.id, "name": "Stk", "external_id": 1}
            )
        cls.surface_extra = getattr(cls, "surface_extra", {})
        cls.surface_extra[key] = {
            "other_customer": other_customer,
            "undelivered": undelivered,
            "loose_move": loose_move,
            "undecided": undecided,
        }
        return records

    @classmethod
    def _surface_owned_records(cls, role):
        """A preview (with a position and an order left out), a contact search with a
        result and Odoo's invoicing wizard, made by ``role``'s user where it may."""
        user = cls.surface_users[role]
        key = "other" if role == "other_company" else "home"
        records = cls.surface_records[key]
        env = cls.env(user=user, su=False, context={"allowed_company_ids": user.company_ids.ids})
        owned = {}
        if env["sale.advance.payment.inv"].has_access("create"):
            owned["sale.advance.payment.inv"] = (
                env["sale.advance.payment.inv"]
                .with_context(active_model="sale.order", active_ids=records["sale.order"].ids)
                .create({"advance_payment_method": "delivered"})
            )
        if env["tms.billing.export.found"].has_access("create"):
            owned["tms.billing.export.found"] = env["tms.billing.export.found"].create(
                {"export_id": cls.surface_extra[key]["undecided"].id, "reference": "RE-1"}
            )
        if not env["tms.billing.wizard"].has_access("create"):
            return {name: record.with_env(cls.env) for name, record in owned.items()}
        orders = records["sale.order"] | cls.surface_extra[key]["undelivered"]
        wizard = env["tms.billing.wizard"].create({"order_id_list": orders.ids})
        preview = wizard.preview_invoice_ids[:1]
        preview.action_tms_adjust()
        contact_search = env["tms.billing.contact.wizard"].create(
            {
                "partner_id": records["res.partner"].id,
                "backend_id": records["tms.billing.backend"].id,
            }
        )
        contact_search.sudo().line_ids = [
            Command.create({"external_id": "C-7", "name": "Gefunden"})
        ]
        owned |= {
            "tms.billing.wizard": wizard,
            "tms.billing.wizard.invoice": preview,
            "tms.billing.wizard.line": preview.line_ids[:1],
            "tms.billing.wizard.exclusion": wizard.exclusion_ids[:1],
            "tms.billing.contact.wizard": contact_search,
            "tms.billing.contact.wizard.line": contact_search.line_ids[:1],
        }
        return {name: record.with_env(cls.env) for name, record in owned.items()}

    @classmethod
    def _surface_deleted(cls):
        """Ids of records that existed and were deleted again."""
        records = cls.surface_records["home"]
        gone = {
            "res.partner": cls.env["res.partner"].create({"name": "Gelöscht"}),
            "sale.order": cls.env["sale.order"].create({"partner_id": records["res.partner"].id}),
            "account.move": cls.env["account.move"].create({"move_type": "out_invoice"}),
            "tms.billing.backend": cls.env["tms.billing.backend"].create({"name": "Gelöscht"}),
        }
        colleague = cls.env["tms.billing.wizard"].with_user(cls.surface_users[COLLEAGUE])
        wizard = colleague.create({"order_id_list": records["sale.order"].ids})
        wizard.preview_invoice_ids.action_tms_adjust()
        gone["tms.billing.wizard.line"] = wizard.preview_invoice_ids.line_ids[:1].sudo()
        gone["tms.billing.wizard.invoice"] = wizard.preview_invoice_ids[:1].sudo()
        gone["tms.billing.tax.mapping"] = cls.env["tms.billing.tax.mapping"].create(
            {"backend_id": gone["tms.billing.backend"].id, "situation": "domestic"}
        )
        ids = {name: record.id for name, record in gone.items()}
        wizard.sudo().unlink()
        for name in (
            "tms.billing.tax.mapping",
            "tms.billing.backend",
            "sale.order",
            "account.move",
        ):
            gone[name].unlink()
        gone["res.partner"].unlink()
        return ids

    # -- what the harness asks for --------------------------------------------------------

    def _surface_create_values(self, model_name, role):
        """What a create of ``model_name`` by ``role`` needs besides the field tested."""
        key = self._surface_company_key(role)
        records, extra = self.surface_records[key], self.surface_extra[key]
        own = {name: self._surface_own(name, role) for name in self.surface_owned_models}
        customer, backend = records["res.partner"], records["tms.billing.backend"]
        return {
            "sale.order": {"partner_id": customer.id},
            "res.partner": {"name": "Neukunde GmbH"},
            "res.company": {"name": "Neugründung GmbH"},
            "res.config.settings": {},
            "account.move": {"move_type": "out_invoice", "partner_id": customer.id},
            "account.move.line": {"move_id": extra["loose_move"].id, "name": "Zuschlag"},
            "account.fiscal.position": {"name": "Neue Position"},
            "tms.billing.wizard": {"order_id_list": records["sale.order"].ids},
            "tms.billing.wizard.invoice": {"wizard_id": own["tms.billing.wizard"].id},
            "tms.billing.wizard.line": {
                "preview_id": own["tms.billing.wizard.invoice"].id,
                "name": "Transport",
                "quantity": 1,
                "price_unit": 1,
            },
            "tms.billing.wizard.exclusion": {"wizard_id": own["tms.billing.wizard"].id},
            "tms.billing.backend": {"name": "Neue Buchhaltung"},
            "tms.billing.tax.mapping": {"backend_id": backend.id, "situation": "eu_private"},
            "tms.billing.export": {"move_id": extra["loose_move"].id, "backend_id": backend.id},
            "tms.billing.partner.link": {
                "partner_id": extra["other_customer"].id,
                "backend_id": backend.id,
                "external_id": "C-9",
            },
            "tms.billing.contact.wizard": {"partner_id": customer.id, "backend_id": backend.id},
            "tms.billing.export.found": {"export_id": extra["undecided"].id, "reference": "RE-2"},
            "product.template": {"name": "Neue Leistung"},
            "tms.billing.contact.wizard.line": {
                "wizard_id": own["tms.billing.contact.wizard"].id,
                "external_id": "C-8",
                "name": "Gefunden",
            },
        }[model_name]

    def _surface_method_args(self, model_name, method):
        return METHOD_ARGS[(model_name, method)]

    # -- tests ------------------------------------------------------------------------------

    def test_surface(self):
        """Every model x guarded field x role written (hostile values where the role may
        write) and created where clients create the model, read, and every public method
        x role called on an own and a foreign record: nothing wrongly allowed, no
        traceback, no partial write, no garbage stored, no other field changed; every
        field and method has a decision. Its size is logged ("Client surface: ...")."""
        self.assertGreaterEqual(len(SURFACE_ROLES), 10)
        findings = self._run_surface()
        size = self._surface_summary()
        _logger.info("Client surface: %s", size)
        self.maxDiff = None
        self.assertEqual(findings, {}, size)

    def test_contact_search_saves_as_its_form_sends_it(self):
        """Opened on a customer, the contact search saves what its form sends: the
        company it starts in, and no contacts found yet."""
        user = self.surface_users["transport_user"]
        records = self.surface_records["home"]
        action = records["res.partner"].with_user(user).action_tms_link_contact()
        searches = self.env[action["res_model"]].with_user(user).with_context(**action["context"])
        with Form(searches) as form:
            form.backend_id = records["tms.billing.backend"]
        self.assertEqual(form.record.company_id, self.company)
        self.assertEqual(form.record.partner_id, records["res.partner"])

    def test_surface_reports_a_widened_declaration(self):
        """A Sales user given a field nobody writes: reported."""
        sale_order = type(self.env["sale.order"])
        declared = sale_order._tms_write_access

        def widened(orders):
            return merge_access(
                declared(orders), {"sales_team.group_sale_salesman": {"tms_billing_state"}}
            )

        with patch.object(sale_order, "_tms_write_access", widened):
            findings = self._run_surface({"sale.order"}, roles={"sales"}, methods=False)
        self.assertIn(
            "sale.order.tms_billing_state (write): nobody and sales_team.group_sale_salesman",
            findings.get("declared for nobody and for a group", []),
        )
        self.assertIn(
            "sale.order.tms_billing_state (write): sales_team.group_sale_salesman",
            findings.get("computed without inverse, declared writable", []),
        )

    def test_surface_reports_a_removed_write_check(self):
        """Without the check at write, what the declaration refuses gets through:
        reported, cell by cell."""
        with patch.object(
            tms_billing_client_access, "check_client_write", lambda records, vals: None
        ):
            findings = self._run_surface(
                {"tms.billing.export"}, roles={"invoicing"}, methods=False, hostile=False
            )
        wrongly = {cell[0] for cell in findings.get("wrongly allowed", [])}
        self.assertIn("tms.billing.export.state", wrongly)
        self.assertIn("tms.billing.export.external_id", wrongly)
