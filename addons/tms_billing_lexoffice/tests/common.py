from unittest.mock import patch

from odoo.addons.tms_billing_sync.tests.common import TmsSyncCase

from ..api import RateLimiter
from .fake_lexoffice import FakeLexoffice

API_KEY = "lxo-secret-key-0123456789"


class LexofficeCase(TmsSyncCase):
    """A lexoffice connection pointed at a loopback fake of the API."""

    fake_rate_limit = 2.0
    client_rate_limit = 2.0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_euro()
        cls._allow_loopback_requests()
        cls.fake = FakeLexoffice(api_key=API_KEY, rate_limit=cls.fake_rate_limit).start()
        cls.addClassCleanup(cls.fake.stop)
        limiter = RateLimiter(cls.client_rate_limit)
        cls.startClassPatcher(
            patch(
                "odoo.addons.tms_billing_lexoffice.models.tms_billing_backend._limiter_for",
                lambda env, key, rate: limiter,
            )
        )
        cls.backend = cls.env["tms.billing.backend"].create(
            {
                "name": "Lexware Office",
                "provider": "lexoffice",
                "api_url": cls.fake.base_url,
                "api_key": API_KEY,
                "timeout": 2.0,
                # The tests of the other timings set theirs.
                "push_timing": "post",
            }
        )

    def setUp(self):
        super().setUp()
        self.fake.reset()
