from odoo.tests import tagged

from .common import LexofficeCase

FAULTS = ["429", "500", "503", "504_after", "504_before", "drop_after", "timeout_after"]


@tagged("post_install", "-at_install")
class TestLexofficeFaults(LexofficeCase):
    # 200 pushes at 2/s would take minutes; the rate limit has tests of its own.
    fake_rate_limit = None
    client_rate_limit = 1000.0

    def test_two_hundred_pushes_through_faults_exist_once(self):
        self._link(self.customer_collective)
        self.fake.fault_delay = 2.5  # beyond the backend's 2 s timeout
        self._assert_pushes_survive_faults(self.fake, "/v1/invoices", FAULTS)
