from odoo.tests import tagged

from odoo.addons.tms_billing_sync.tests.contact_faults import ContactFaultsMixin

from .common import SevdeskCase

FAULTS = ["500", "502", "503", "504_after", "drop_after", "timeout_after"]


@tagged("post_install", "-at_install")
class TestSevdeskFaults(ContactFaultsMixin, SevdeskCase):
    def test_two_hundred_pushes_through_faults_exist_once(self):
        self._link(self.customer_collective)
        self.fake.fault_delay = 2.5  # beyond the backend's 2 s timeout
        self._assert_pushes_survive_faults(
            self.fake, "/Invoice/Factory/saveInvoice", FAULTS, seed=4711
        )

    def test_contact_whose_answer_is_lost_is_found_not_created_twice(self):
        # A 500 may hide a completed create, but here came before it.
        for fault, created in (("504_after", True), ("drop_after", True), ("500", False)):
            with self.subTest(fault=fault), self.env.cr.savepoint() as savepoint:
                self._known_contacts = set(self.fake.contacts)
                self._assert_lost_answer_never_duplicates(
                    self.fake, "/Contact", fault, self.customer_single, created=created
                )
                savepoint.rollback()
                self.env.invalidate_all()

    def test_contact_refused_leaves_no_intent(self):
        self._assert_refused_creation_leaves_nothing(self.fake, self.customer_single)
