from datetime import UTC, datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.tms_billing_sync.tests.provider_access import (
    LEDGER,
    PROVIDER_ALLOWED,
    TRANSPORT,
    ProviderAccessMatrixMixin,
)

from .common import LexofficeCase


@tagged("post_install", "-at_install")
class TestLexofficeAccess(ProviderAccessMatrixMixin, LexofficeCase):
    """Every client-callable action of the lexoffice connection, called as each role."""

    # Who may do what: the README's roles table, the actions every connection has and
    # lexoffice's own. Everyone else must be refused.
    ALLOWED = PROVIDER_ALLOWED | {
        # subscribe to lexoffice events
        "subscribe_events": {"admin"},
        # preview and create transport invoices
        "preview_orders": TRANSPORT,
        # open the customer's contact there
        "open_contact": LEDGER,
        # the events lexoffice sent: administrators read them, nobody changes them
        "read_received_events": {"admin"},
        "create_received_event": set(),
        "change_received_event": set(),
        "delete_received_event": set(),
    }

    provider_label = "lexoffice"
    provider_open_status = "open"
    provider_tax_field = "lexoffice_tax_type"
    provider_tax_default = "thirdPartyCountryService"
    provider_tax_set_up = "vatfree"
    matrix_secret_fields = ("lexoffice_webhook_public_key", "lexoffice_organization_id")

    # No waiting between calls: the matrix makes many of them.
    fake_rate_limit = 0
    client_rate_limit = 0

    def _matrix_external_state(self):
        return super()._matrix_external_state() | {
            "lexoffice event subscriptions": len(self.fake.subscriptions),
        }

    # -- lexoffice's own actions, as the web client calls them -----------------------

    def _subscribe_events(self, role):
        self._as(role, self.backend).action_lexoffice_subscribe_events()
        # Subscribing again changes nothing: an earlier cell's subscription counts.
        self.assertIn(
            ("invoice.status.changed", self.backend.lexoffice_webhook_url),
            [(s["eventType"], s["callbackUrl"]) for s in self.fake.subscriptions],
        )

    def _received_event(self):
        events = self.env["tms.billing.lexoffice.event"].sudo()
        events._tms_record(
            self.backend,
            b'{"eventType": "invoice.changed"}',
            {
                "event_type": "invoice.changed",
                "resource_id": "matrix",
                "event_date": datetime.now(UTC),
            },
        )
        return events.search([("resource_id", "=", "matrix")])

    def _read_received_events(self, role):
        self._received_event()
        events = self._as(role, self.env["tms.billing.lexoffice.event"]).search([])
        self.assertEqual(events.mapped("resource_id"), ["matrix"])

    def _create_received_event(self, role):
        self._as(role, self.env["tms.billing.lexoffice.event"]).create(
            {
                "backend_id": self.backend.id,
                "body_hash": "forged",
                "event_date": fields.Datetime.now(),
                "received_at": fields.Datetime.now(),
            }
        )

    def _change_received_event(self, role):
        self._as(role, self._received_event()).write({"resource_id": "forged"})

    def _delete_received_event(self, role):
        self._as(role, self._received_event()).unlink()

    def _preview_orders(self, role):
        delivered = fields.Date.today() - timedelta(days=40)
        order = self._order(self.customer_collective, delivery_date=delivered)
        wizard = self._as(role, self.env["tms.billing.wizard"]).create({"order_id_list": order.ids})
        self.assertEqual(wizard.invoice_count, 1)

    def _open_contact(self, role):
        action = self._as(role, self.link).action_open_external()
        self.assertIn(self.link.external_id, action["url"])

    # -- tests ----------------------------------------------------------------------

    def test_role_by_action_matrix(self):
        self._assert_matrix(self._matrix_actions(), self.DEFECTS)

    def test_api_url_is_hidden_from_non_administrators(self):
        manager = self._as("transport_manager", self.backend)
        with self.assertRaises(AccessError):
            manager.read(["api_url"])
        # The manager can still test the connection the administrator configured.
        manager.action_test_connection()
        self.assertEqual(self.backend.api_url, self.fake.base_url)
