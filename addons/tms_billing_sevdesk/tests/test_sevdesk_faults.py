from odoo.tests import tagged

from .common import SevdeskCase

FAULTS = ["500", "502", "503", "504_after", "drop_after", "timeout_after"]


@tagged("post_install", "-at_install")
class TestSevdeskFaults(SevdeskCase):
    def test_two_hundred_pushes_through_faults_exist_once(self):
        self._link(self.customer_collective)
        self.fake.fault_delay = 2.5  # beyond the backend's 2 s timeout
        self._assert_pushes_survive_faults(
            self.fake, "/Invoice/Factory/saveInvoice", FAULTS, seed=4711
        )
