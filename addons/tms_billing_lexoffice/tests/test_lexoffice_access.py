from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import LexofficeCase

ROLES = {
    "sales_own": "sales_team.group_sale_salesman",
    "sales_all": "sales_team.group_sale_salesman_all_leads",
    "invoicing": "account.group_account_invoice",
    "transport_user": "tms_billing.group_tms_billing_user",
    "transport_manager": "tms_billing.group_tms_billing_manager",
    "admin": "base.group_system,tms_billing.group_tms_billing_manager",
    "portal": "base.group_portal",
    "other_company": "tms_billing.group_tms_billing_manager",
}
# Who may do what: the README's roles table. Everyone else gets an AccessError.
ALLOWED = {
    "test_connection": {"transport_manager", "admin"},
    "change_api_url": {"admin"},
    "subscribe_events": {"admin"},
    "reset_tax_mappings": {"transport_manager", "admin"},
    "mark_export_sent": set(),
    "send_export": {"invoicing", "transport_user", "transport_manager", "admin"},
    "read_ledger": {"invoicing", "transport_user", "transport_manager", "admin"},
    "create_contact": {"transport_user", "transport_manager", "admin"},
    "preview_orders": {"transport_user", "transport_manager", "admin"},
}


@tagged("post_install", "-at_install")
class TestLexofficeAccess(LexofficeCase):
    """Every client-callable action of the provider framework, called as each role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        other_company = cls.env["res.company"].create({"name": "Elsewhere GmbH"})
        cls.users = {}
        for role, groups in ROLES.items():
            values = {}
            if role == "other_company":
                values = {"company_id": other_company.id, "company_ids": [other_company.id]}
            cls.users[role] = new_test_user(
                cls.env, f"tms_{role}", groups=groups, email=f"{role}@example.com", **values
            )

    def _as(self, role, record):
        return record.with_user(self.users[role])

    def _do(self, action, role):
        if action == "test_connection":
            self._as(role, self.backend).action_test_connection()
        elif action == "change_api_url":
            self._as(role, self.backend).write({"api_url": "https://attacker.example"})
        elif action == "subscribe_events":
            self._as(role, self.backend).action_lexoffice_subscribe_events()
        elif action == "reset_tax_mappings":
            self._as(role, self.backend).action_reset_tax_mappings()
        elif action in ("mark_export_sent", "send_export", "read_ledger"):
            move = self._draft_invoices(self.customer_collective, 1)
            export = self.env["tms.billing.export"]._tms_queue(move)
            if action == "mark_export_sent":
                self._as(role, export).write({"state": "sent", "external_id": "forged"})
            elif action == "send_export":
                self._as(role, export).action_send()
                self.assertEqual(export.state, "sent", export.last_error)
            else:
                found = self._as(role, self.env["tms.billing.export"]).search([])
                if export not in found:
                    raise _Hidden
                found.read(["state", "external_id", "last_error"])
        elif action == "create_contact":
            wizard = (
                self._as(role, self.env["tms.billing.contact.wizard"])
                .with_context(default_partner_id=self.customer_single.id)
                .create({"backend_id": self.backend.id})
            )
            wizard.action_create_contact()
            self.assertTrue(self.customer_single.tms_partner_link_ids)
        elif action == "preview_orders":
            order = self._order(self.customer_collective)
            self._as(role, self.env["tms.billing.wizard"]).create({"order_id_list": order.ids})

    def test_role_by_action_matrix(self):
        self._link(self.customer_collective)
        wrongly_allowed, wrongly_denied = [], []
        for action, allowed in ALLOWED.items():
            for role in ROLES:
                with self.subTest(action=action, role=role):
                    # Each call in a savepoint: its writes vanish, the next starts clean.
                    try:
                        with self.env.cr.savepoint():
                            self._do(action, role)
                            raise _Undo
                    except _Undo:
                        ok = True
                    except (AccessError, _Hidden):
                        ok = False
                    if ok and role not in allowed:
                        wrongly_allowed.append((action, role))
                    if not ok and role in allowed:
                        wrongly_denied.append((action, role))
                    self.env.invalidate_all()
        self.assertEqual(wrongly_allowed, [], "0 wrongly allowed")
        self.assertEqual(wrongly_denied, [], "0 wrongly denied")

    def test_api_url_is_hidden_from_non_administrators(self):
        manager = self._as("transport_manager", self.backend)
        with self.assertRaises(AccessError):
            manager.read(["api_url"])
        # The manager can still test the connection the administrator configured.
        manager.action_test_connection()
        self.assertEqual(self.backend.api_url, self.fake.base_url)


class _Undo(Exception):
    """Raised to roll an allowed call back to its savepoint."""


class _Hidden(Exception):
    """The record is not visible to the role: a denial by record rule."""
