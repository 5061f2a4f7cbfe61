from odoo.addons.tms_billing_sync.tests.common import TmsSyncCase

from .fake_sevdesk import FakeSevdesk

TOKEN = "sevdesk-token-0123456789"


class SevdeskCase(TmsSyncCase):
    """A sevDesk connection pointed at a loopback fake of the API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._use_euro()
        cls._allow_loopback_requests()
        cls.fake = FakeSevdesk(token=TOKEN).start()
        cls.addClassCleanup(cls.fake.stop)
        cls.backend = cls.env["tms.billing.backend"].create(
            {
                "name": "sevDesk",
                "provider": "sevdesk",
                "api_url": cls.fake.base_url,
                "api_key": TOKEN,
                "timeout": 2.0,
                # The tests of the other timings set theirs.
                "push_timing": "post",
                "sevdesk_contact_person_id": "42",
                "sevdesk_unit_id": 10,
            }
        )

    def setUp(self):
        super().setUp()
        self.fake.reset()
        self.fake.bookkeeping_version = "2.0"
        self.backend.sevdesk_bookkeeping_version = False
