from odoo.tests import tagged

from odoo.addons.tms_billing_sync.tests.contact_faults import ContactFaultsMixin

from .common import LexofficeCase

FAULTS = ["429", "500", "503", "504_after", "504_before", "drop_after", "timeout_after"]


@tagged("post_install", "-at_install")
class TestLexofficeFaults(ContactFaultsMixin, LexofficeCase):
    # 200 pushes at 2/s would take minutes; the rate limit has tests of its own.
    fake_rate_limit = None
    client_rate_limit = 1000.0

    def test_two_hundred_pushes_through_faults_exist_once(self):
        self._link(self.customer_collective)
        self.fake.fault_delay = 2.5  # beyond the backend's 2 s timeout
        self._assert_pushes_survive_faults(self.fake, "/v1/invoices", FAULTS)

    def test_contact_whose_answer_is_lost_is_found_not_created_twice(self):
        for fault in ("504_after", "drop_after", "502_after"):
            with self.subTest(fault=fault), self.env.cr.savepoint() as savepoint:
                self._known_contacts = set(self.fake.contacts)
                self._assert_lost_answer_never_duplicates(
                    self.fake, "/v1/contacts", fault, self.customer_single
                )
                savepoint.rollback()
                self.env.invalidate_all()

    def test_contact_refused_leaves_no_intent(self):
        self._assert_refused_creation_leaves_nothing(self.fake, self.customer_single)
