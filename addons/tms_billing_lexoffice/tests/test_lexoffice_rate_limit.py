import threading
import uuid

from odoo.tests import tagged

from odoo.addons.tms_billing_sync.rate_limit import SharedRateLimiter

from ..api import LexofficeClient, RateLimiter, RateLimitError
from .common import LexofficeCase
from .fake_lexoffice import FakeLexoffice


@tagged("post_install", "-at_install")
class TestLexofficeSharedRateLimit(LexofficeCase):
    """Three processes on one API key stay within lexoffice's 2 requests a second."""

    def _three_processes(self, make_limiter, calls=4):
        api_key = f"key-{uuid.uuid4().hex}"
        refused = []
        with FakeLexoffice(api_key=api_key, rate_limit=2.0) as fake:

            def process():
                client = LexofficeClient(
                    api_key, base_url=fake.base_url, max_retries=0, limiter=make_limiter(api_key)
                )
                for _call in range(calls):
                    try:
                        client.get_profile()
                    except RateLimitError:
                        refused.append(1)

            threads = [threading.Thread(target=process) for _process in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            answered = [status for _m, path, status in fake.requests if path == "/v1/profile"]
        return answered, refused

    def test_one_limit_per_key_across_processes(self):
        answered, refused = self._three_processes(
            lambda key: SharedRateLimiter(self.env.registry.cursor, key, 2.0)
        )
        self.assertEqual(len(answered), 12)
        self.assertEqual(refused, [], "0 refused by 429")

    def test_limits_per_process_would_be_refused(self):
        """The same load with one limiter per process: lexoffice refuses some calls."""
        answered, refused = self._three_processes(lambda key: RateLimiter(2.0))
        self.assertEqual(len(answered), 12)
        self.assertGreater(len(refused), 0)
