from odoo.tests import tagged

from odoo.addons.tms_billing_sync.tests.provider_access import (
    MANAGERS,
    PROVIDER_ALLOWED,
    ProviderAccessMatrixMixin,
)

from .common import SevdeskCase


@tagged("post_install", "-at_install")
class TestSevdeskAccess(ProviderAccessMatrixMixin, SevdeskCase):
    """Every client-callable action of the sevDesk connection, called as each role."""

    # Who may do what: the README's roles table, the actions every connection has and
    # sevDesk's own. Everyone else must be refused.
    ALLOWED = PROVIDER_ALLOWED | {
        # configure connections: name, push, sevDesk's contact person and unit
        "configure": MANAGERS,
    }

    provider_label = "sevDesk"
    provider_open_status = 200
    provider_tax_field = "sevdesk_tax_rule"
    provider_tax_default = "17"
    provider_tax_set_up = "2"

    def setUp(self):
        super().setUp()
        # Testing the connection reads it again.
        self.backend.sevdesk_bookkeeping_version = False

    def _matrix_external_state(self):
        return super()._matrix_external_state() | {
            "sevDesk addresses": len(self.fake.addresses),
            "sevDesk e-mail addresses": len(self.fake.emails),
        }

    # -- sevDesk's own actions, as the web client calls them -------------------------

    def _configure(self, role):
        # The contact person and the unit are chosen among what Test connection read.
        person = self.env["tms.billing.sevdesk.user"].create(
            {"backend_id": self.backend.id, "name": "Anna Schulz", "external_id": "4711"}
        )
        unit = self.env["tms.billing.sevdesk.unit"].create(
            {"backend_id": self.backend.id, "name": "Tour", "external_id": 4711}
        )
        self._as(role, self.backend).write(
            {"name": "sevDesk 2", "push_timing": "create"}
            | {"sevdesk_contact_user_id": person.id, "sevdesk_position_unit_id": unit.id}
        )
        self.assertEqual(self.backend.sevdesk_contact_person_id, "4711")
        self.assertEqual(self.backend.sevdesk_unit_id, 4711)

    def _test_connection(self, role):
        result = super()._test_connection(role)
        self.assertEqual(self.backend.sevdesk_bookkeeping_version, "2.0")
        return result

    # -- tests ----------------------------------------------------------------------

    def test_role_by_action_matrix(self):
        self._assert_matrix(self._matrix_actions(), self.DEFECTS)
