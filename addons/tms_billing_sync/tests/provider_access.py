from odoo import fields

from odoo.addons.tms_billing.tests.common import MatrixHidden

from .common import SyncAccessMatrixMixin

MANAGERS = {"transport_manager", "admin"}
TRANSPORT = {"transport_user", *MANAGERS}
LEDGER = {"invoicing", *TRANSPORT}

# Who may do what with any provider's connection: the README's roles table. Everyone
# else must be refused. A provider's test adds the actions only its connection has.
PROVIDER_ALLOWED = {
    # see a connection's API key and URL, change them
    "read_secrets": {"admin"},
    "change_api_url": {"admin"},
    "change_api_key": {"admin"},
    # configure connections (name, push, tax treatment), test them
    "test_connection": MANAGERS,
    "reset_tax_mappings": MANAGERS,
    "write_tax_mapping": MANAGERS,
    # link or create customers' contacts in an accounting system
    "search_contacts": TRANSPORT,
    "link_found_contact": TRANSPORT,
    "create_contact": TRANSPORT,
    # send invoices to an accounting system, read the export ledger
    "send_export": LEDGER,
    "invoice_send": LEDGER,
    "read_ledger": LEDGER,
    # refresh an invoice's status, check a row left sending, open the draft there
    "refresh_status": LEDGER,
    "invoice_refresh_status": LEDGER,
    "check_now": LEDGER,
    "open_draft": LEDGER,
    "invoice_open_draft": LEDGER,
    # change a ledger row's state or external id by hand: nobody
    "mark_export_sent": set(),
}


class ProviderAccessMatrixMixin(SyncAccessMatrixMixin):
    """Every client-callable action a provider's connection shares with the others,
    called as each role against the provider's fake (``self.fake``, ``self.backend``).

    A provider's test sets the hooks below, adds its own actions to ``ALLOWED`` and
    defines them as ``_<action>(role)``.
    """

    ALLOWED = PROVIDER_ALLOWED
    # Cells where the code differs from the table, each with its reason; the matrix
    # says so when one is fixed. None today.
    DEFECTS = frozenset()

    # -- what differs between providers ----------------------------------------------
    # The name of the provider in what a refused call left in its fake.
    provider_label = None
    # The invoice status the fake answers for an invoice open there (read as "open").
    provider_open_status = None
    # The tax mapping field holding the provider's code, the code reset restores for
    # the third-country situation, and another the tests set up before each call.
    provider_tax_field = None
    provider_tax_default = None
    provider_tax_set_up = None
    _PROVIDER_HOOKS = (
        "provider_label",
        "provider_open_status",
        "provider_tax_field",
        "provider_tax_default",
        "provider_tax_set_up",
    )

    @classmethod
    def setUpClass(cls):
        unset = [name for name in cls._PROVIDER_HOOKS if getattr(cls, name) is None]
        if unset:
            raise TypeError(f"{cls.__name__} must set {', '.join(unset)}")
        super().setUpClass()
        cls._matrix_setup_users()

    def setUp(self):
        super().setUp()
        # The fake forgets everything between tests: contacts and invoices are made here.
        self.link = self._link(self.customer_collective)
        self.unlinked_contact = self.backend._tms_create_contact(self.customer_single)
        moves = self._draft_invoices(
            self.customer_collective, 3, invoice_user_id=self.users["sales_own"].id
        )
        self.queued_move, self.sent_move = moves[:2]
        exports = self.env["tms.billing.export"]._tms_queue(moves, self.backend)
        self.queued_export, self.sent_export, self.stuck_export = (
            exports.filtered(lambda export, move=move: export.move_id == move) for move in moves
        )
        (self.sent_export | self.stuck_export)._tms_send()
        self.assertEqual(self.sent_export.state, "sent", self.sent_export.last_error)
        self.fake.set_invoice_status(self.sent_export.external_id, self.provider_open_status)
        # A row whose push created the invoice but whose answer was lost, in flight.
        now = fields.Datetime.now()
        self.stuck_export.write(
            {"state": "sending", "external_id": False, "external_number": False}
            | {"sent_at": False, "lookup_since": now, "last_attempt_at": now}
        )
        self.third_country = self._third_country_mapping()
        self.third_country[self.provider_tax_field] = self.provider_tax_set_up

    def _third_country_mapping(self):
        return self.backend.tax_mapping_ids.filtered(
            lambda mapping: mapping.situation == "third_country"
        )

    def _matrix_external_state(self):
        return {
            f"{self.provider_label} contacts": len(self.fake.contacts),
            f"{self.provider_label} invoices": len(self.fake.invoices),
        }

    # -- the actions, as the web client calls them -----------------------------------

    def _test_connection(self, role):
        result = self._as(role, self.backend).action_test_connection()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        return result

    def _reset_tax_mappings(self, role):
        self._as(role, self.backend).action_reset_tax_mappings()
        mapping = self._third_country_mapping()
        self.assertEqual(mapping[self.provider_tax_field], self.provider_tax_default)

    def _write_tax_mapping(self, role):
        self._as(role, self.third_country).write(
            {self.provider_tax_field: self.provider_tax_default, "tax_note": "Drittland"}
        )
        self.assertEqual(self.third_country[self.provider_tax_field], self.provider_tax_default)
        self.assertEqual(self.third_country.tax_note, "Drittland")

    def _contact_wizard_as(self, role, customer, **values):
        return (
            self._as(role, self.env["tms.billing.contact.wizard"])
            .with_context(default_partner_id=customer.id)
            .create({"backend_id": self.backend.id, **values})
        )

    def _search_contacts(self, role):
        wizard = self._contact_wizard_as(role, self.customer_collective, search_term="Nordfracht")
        wizard.action_search()
        self.assertIn(self.link.external_id, wizard.line_ids.mapped("external_id"))

    def _link_found_contact(self, role):
        wizard = self._contact_wizard_as(role, self.customer_single, search_term="Einzel")
        wizard.action_search()
        line = wizard.line_ids.filtered(
            lambda line: line.external_id == self.unlinked_contact["id"]
        )
        line.action_link()
        self.assertEqual(
            self.customer_single.tms_partner_link_ids.external_id, self.unlinked_contact["id"]
        )

    def _create_contact(self, role):
        contacts = len(self.fake.contacts)
        self._contact_wizard_as(role, self.customer_single).action_create_contact()
        self.assertTrue(self.customer_single.tms_partner_link_ids.external_id)
        self.assertEqual(len(self.fake.contacts), contacts + 1)

    def _send_export(self, role):
        self._as(role, self.queued_export).action_send()
        self.assertEqual(self.queued_export.state, "sent", self.queued_export.last_error)
        self.assertTrue(self.fake.invoices_with_marker(self.queued_export.marker))

    def _invoice_send(self, role):
        self._as(role, self.queued_move).action_tms_send_exports()
        self.assertEqual(self.queued_export.state, "sent", self.queued_export.last_error)

    def _read_ledger(self, role):
        found = self._as(role, self.env["tms.billing.export"]).search(
            [("backend_id", "=", self.backend.id)]
        )
        if self.sent_export not in found:
            raise MatrixHidden
        found.read(["state", "external_id", "last_error"])

    def _refresh_status(self, role):
        self._as(role, self.sent_export).action_refresh_status()
        self.assertEqual(self.sent_export.external_status, "open")

    def _invoice_refresh_status(self, role):
        self._as(role, self.sent_move).action_tms_refresh_export_status()
        self.assertEqual(self.sent_export.external_status, "open")

    def _check_now(self, role):
        self._as(role, self.stuck_export).action_check_now()
        self.assertEqual(self.stuck_export.state, "sent", self.stuck_export.last_error)
        self.assertEqual(len(self.fake.invoices_with_marker(self.stuck_export.marker)), 1)

    def _open_draft(self, role):
        action = self._as(role, self.sent_export).action_open_external()
        self.assertIn(self.sent_export.external_id, action["url"])

    def _invoice_open_draft(self, role):
        action = self._as(role, self.sent_move).action_tms_open_export()
        self.assertIn(self.sent_export.external_id, action["url"])

    def _mark_export_sent(self, role):
        self._as(role, self.queued_export).write({"state": "sent", "external_id": "forged"})

    def _matrix_actions(self):
        """``ALLOWED`` as ``_assert_matrix`` takes it. Odoo runs only the test methods a
        test class defines itself (odoo/tests/loader.py, get_module_test_cases), so each
        provider's test defines ``test_role_by_action_matrix`` with this."""
        return {
            name: (allowed, getattr(self, f"_{name}")) for name, allowed in self.ALLOWED.items()
        }
