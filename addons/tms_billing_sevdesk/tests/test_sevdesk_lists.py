from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import TOKEN, SevdeskCase


@tagged("post_install", "-at_install")
class TestSevdeskLists(SevdeskCase):
    """The contact person and the unit are chosen from the account's lists."""

    def _users(self, backend=None):
        users = (backend or self.backend).sevdesk_user_ids
        return sorted((user.external_id, user.name) for user in users)

    def _units(self, backend=None):
        units = (backend or self.backend).sevdesk_unit_ids
        return sorted((unit.external_id, unit.name) for unit in units)

    def _push(self):
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        move.action_tms_send_exports()
        export = move.tms_export_ids
        self.assertEqual(export.state, "sent", export.last_error)
        [invoice] = self.fake.invoices_with_marker(export.marker)
        return invoice

    def _new_backend(self, **values):
        return self.env["tms.billing.backend"].create(
            {
                "name": "sevDesk neu",
                "provider": "sevdesk",
                "api_url": self.fake.base_url,
                "api_key": TOKEN,
                **values,
            }
        )

    def test_test_connection_fills_both_lists_and_chooses_the_ids_typed_before(self):
        self.assertFalse(self.backend.sevdesk_user_ids | self.backend.sevdesk_contact_user_id)
        action = self.backend.action_test_connection()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertIn("2 users, 4 units", action["params"]["message"])
        self.assertEqual(self._users(), [("42", "Anna Schmidt"), ("77", "Jonas Weber")])
        self.assertEqual(self._units(), [(1, "Stk"), (9, "Std"), (10, "km"), (19, "Pauschal")])
        self.assertIn(("GET", "/api/v1/SevUser", 200), self.fake.requests)
        self.assertIn(("GET", "/api/v1/Unity", 200), self.fake.requests)
        # The connection had the raw ids 42 and 10: they are now the chosen entries.
        self.assertEqual(self.backend.sevdesk_contact_user_id.name, "Anna Schmidt")
        self.assertEqual(self.backend.sevdesk_position_unit_id.name, "km")
        self.assertEqual(
            (self.backend.sevdesk_contact_person_id, self.backend.sevdesk_unit_id), ("42", 10)
        )

    def test_test_connection_again_updates_the_lists(self):
        self.backend.action_test_connection()
        jonas = self.backend.sevdesk_user_ids.filtered(lambda user: user.external_id == "77")
        self.fake.users[1]["fullname"] = "Jonas Weber-Lang"
        self.fake.units = [unit for unit in self.fake.units if unit["name"] != "km"]
        self.fake.units.append({"id": 20, "objectName": "Unity", "name": "t"})
        action = self.backend.action_test_connection()
        # The same entry, renamed: a choice of it stays.
        self.assertEqual(jonas.name, "Jonas Weber-Lang")
        self.assertEqual(self._units(), [(1, "Stk"), (9, "Std"), (19, "Pauschal"), (20, "t")])
        # "km" is gone there: the choice is emptied, the id sent stays, the user is told.
        self.assertFalse(self.backend.sevdesk_position_unit_id)
        self.assertEqual(self.backend.sevdesk_unit_id, 10)
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn(
            "The unit 10 is not a unit of this sevDesk account", action["params"]["message"]
        )

    def test_the_choices_of_the_form_reach_the_pushed_invoice(self):
        self.backend.action_test_connection()
        jonas = self.backend.sevdesk_user_ids.filtered(lambda user: user.name == "Jonas Weber")
        flat = self.backend.sevdesk_unit_ids.filtered(lambda unit: unit.name == "Pauschal")
        with Form(self.backend) as form:
            form.sevdesk_contact_user_id = jonas
            form.sevdesk_position_unit_id = flat
        self.assertEqual(
            (self.backend.sevdesk_contact_person_id, self.backend.sevdesk_unit_id), ("77", 19)
        )
        invoice = self._push()
        self.assertEqual(invoice["contactPerson"], {"id": 77, "objectName": "SevUser"})
        self.assertEqual(
            [position["unity"] for position in invoice["positions"]],
            [{"id": 19, "objectName": "Unity"}] * len(invoice["positions"]),
        )

    def test_a_connection_with_only_the_old_raw_ids_still_pushes(self):
        self.assertFalse(self.backend.sevdesk_user_ids | self.backend.sevdesk_contact_user_id)
        self.assertFalse(self.backend.sevdesk_unit_ids | self.backend.sevdesk_position_unit_id)
        invoice = self._push()
        self.assertEqual(invoice["contactPerson"], {"id": 42, "objectName": "SevUser"})
        self.assertEqual({position["unity"]["id"] for position in invoice["positions"]}, {10})

    def test_a_new_connection_asks_for_the_contact_person_once_the_list_is_filled(self):
        backend = self._new_backend()
        # No unit chosen: sevDesk's unit 1 (Model_InvoicePos.unity example, L13440).
        self.assertEqual(backend.sevdesk_unit_id, 1)
        self.assertFalse(backend.sevdesk_contact_person_id)
        action = backend.action_test_connection()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("Choose the contact person", action["params"]["message"])
        self.assertEqual(backend.sevdesk_position_unit_id.name, "Stk")
        form = Form(backend)
        with self.assertRaisesRegex(AssertionError, "sevdesk_contact_user_id"):
            form.save()
        form.sevdesk_contact_user_id = backend.sevdesk_user_ids.filtered(
            lambda user: user.external_id == "42"
        )
        form.save()
        self.assertEqual(backend.sevdesk_contact_person_id, "42")

    def test_a_raw_id_unknown_to_the_account_is_reported(self):
        self.backend.sevdesk_contact_person_id = "43"
        action = self.backend.action_test_connection()
        self.assertFalse(self.backend.sevdesk_contact_user_id)
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("The contact person 43 is not a user", action["params"]["message"])

    def test_lists_belong_to_one_account(self):
        self.backend.action_test_connection()
        other = self._new_backend(name="sevDesk 2")
        other.action_test_connection()
        domain = self.backend._fields["sevdesk_contact_user_id"].domain
        self.assertEqual(domain, "[('backend_id', '=', id)]")
        self.assertEqual(len(self.env["tms.billing.sevdesk.user"].search([])), 4)
        # Another token may be another account: its lists go, the ids sent stay.
        self.backend.api_key = TOKEN
        self.assertFalse(self.backend.sevdesk_user_ids | self.backend.sevdesk_contact_user_id)
        self.assertFalse(self.backend.sevdesk_unit_ids)
        self.assertEqual(
            (self.backend.sevdesk_contact_person_id, self.backend.sevdesk_unit_id), ("42", 10)
        )
        self.assertEqual(len(other.sevdesk_user_ids), 2)

    def test_the_lists_are_read_only_for_everybody(self):
        self.backend.action_test_connection()
        manager = new_test_user(
            self.env, "tms_sev_lists_manager", groups="tms_billing.group_tms_billing_manager"
        )
        user = new_test_user(
            self.env, "tms_sev_lists_user", groups="tms_billing.group_tms_billing_user"
        )
        internal = new_test_user(self.env, "tms_sev_lists_internal", groups="base.group_user")
        for model in ("tms.billing.sevdesk.user", "tms.billing.sevdesk.unit"):
            for reader in (manager, user):
                with self.subTest(model=model, user=reader.login):
                    records = self.env[model].with_user(reader).search([])
                    self.assertEqual(len(records), 2 if model.endswith("user") else 4)
                    self.assertTrue(records[0].name)
                    with self.assertRaises(AccessError):
                        records[0].name = "x"
                    with self.assertRaises(AccessError):
                        records[0].unlink()
                    with self.assertRaises(AccessError):
                        self.env[model].with_user(reader).create(
                            {"backend_id": self.backend.id, "name": "x", "external_id": 5}
                        )
            with self.subTest(model=model, user="internal"), self.assertRaises(AccessError):
                self.env[model].with_user(internal).search([])
