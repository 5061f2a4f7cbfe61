from datetime import date
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo.fields import Command
from odoo.tests import common as odoo_test_common

from odoo.addons.tms_billing.tests.common import TmsBillingCase

from ..api import RateLimiter
from .fake_lexoffice import FakeLexoffice

API_KEY = "lxo-secret-key-0123456789"


def _loopback_send(cls, session, request, **kwargs):
    """Odoo's test guard, minus its 10 s minimum timeout that the fault tests undercut."""
    if urlsplit(request.url).hostname not in ("127.0.0.1", "localhost"):
        raise odoo_test_common.BlockedRequest(f"External requests verboten ({request.url})")
    return odoo_test_common._super_send(session, request, **kwargs)


class LexofficeCase(TmsBillingCase):
    """A lexoffice connection pointed at a loopback fake of the API."""

    fake_rate_limit = 2.0
    client_rate_limit = 2.0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeLexoffice(api_key=API_KEY, rate_limit=cls.fake_rate_limit).start()
        cls.addClassCleanup(cls.fake.stop)
        cls.startClassPatcher(patch.object(cls, "_request_handler", classmethod(_loopback_send)))
        # lexoffice bills in EUR only.
        cls.env.ref("base.EUR").active = True
        cls.company.currency_id = cls.env.ref("base.EUR")
        cls.env["product.pricelist"].search([]).currency_id = cls.env.ref("base.EUR")
        limiter = RateLimiter(cls.client_rate_limit)
        cls.startClassPatcher(
            patch(
                "odoo.addons.tms_billing_lexoffice.models.tms_billing_backend._limiter_for",
                lambda key, rate: limiter,
            )
        )
        cls.backend = cls.env["tms.billing.backend"].create(
            {
                "name": "Lexware Office",
                "provider": "lexoffice",
                "api_url": cls.fake.base_url,
                "api_key": API_KEY,
                "timeout": 2.0,
            }
        )

    def setUp(self):
        super().setUp()
        self.fake.reset()

    def _link(self, customer):
        contact = self.backend._tms_create_contact(customer)
        return self.env["tms.billing.partner.link"]._tms_link(customer, self.backend, contact)

    def _invoices(self, customer, count, amount=100.0):
        """Draft transport invoices made directly, for ledger tests that need many."""
        return self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "invoice_date": date(2026, 10, 31),
                    "delivery_date": date(2026, 10, 20),
                    "tms_billing_group": f"test-{number}",
                    "tms_tax_mode": "net",
                    "tms_unit_name": "Transport",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "name": f"Transport {number}\nHamburg → München",
                                "quantity": 1,
                                "price_unit": amount + number,
                                "tax_ids": [Command.set(self.tax.ids)],
                            }
                        )
                    ],
                }
                for number in range(count)
            ]
        )
