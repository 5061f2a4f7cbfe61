import random
from datetime import date, timedelta
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo import fields
from odoo.fields import Command
from odoo.tests import TransactionCase
from odoo.tests import common as odoo_test_common


def _loopback_send(cls, session, request, **kwargs):
    """Odoo's test guard on requests, minus its 10 s minimum timeout, which the fault
    tests of the providers undercut on purpose."""
    if urlsplit(request.url).hostname not in ("127.0.0.1", "localhost"):
        raise odoo_test_common.BlockedRequest(f"External requests verboten ({request.url})")
    return odoo_test_common._super_send(session, request, **kwargs)


class TmsBillingCase(TransactionCase):
    """Customers with different billing settings and a helper to make transport orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.write(
            {
                "tms_invoicing_mode": "collective",
                "tms_billing_interval": "monthly",
                "tms_line_mode": "per_order",
                "tms_tax_mode": "net",
                "tms_unit_name": "Transport",
            }
        )
        cls.tax = cls.env["account.tax"].create(
            {"name": "TMS 19%", "amount": 19.0, "type_tax_use": "sale"}
        )
        cls.product, cls.surcharge = cls.env["product.product"].create(
            [
                {
                    "name": name,
                    "type": "service",
                    "invoice_policy": "order",
                    "list_price": price,
                    "taxes_id": [Command.set(cls.tax.ids)],
                }
                for name, price in (("Freight", 100.0), ("Waiting time", 40.0))
            ]
        )
        cls.customer_collective = cls._customer("Nordfracht GmbH", tms_invoicing_mode="collective")
        cls.customer_single = cls._customer("Einzel AG", tms_invoicing_mode="single")
        cls.customer_weekly = cls._customer(
            "Wochen KG", tms_billing_interval="weekly", tms_line_mode="aggregated"
        )
        cls.payment_term_30 = cls.env["account.payment.term"].create(
            {
                "name": "30 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})
                ],
            }
        )

    @classmethod
    def _customer(cls, name, **values):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "street": "Hafenstraße 1",
                "zip": "20457",
                "city": "Hamburg",
                "country_id": cls.env.ref("base.de").id,
                **values,
            }
        )

    @classmethod
    def _order(cls, customer, delivery_date=date(2026, 10, 5), confirm=True, lines=None, **values):
        lines = lines or [(cls.product, 1.0, 100.0)]
        order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "tms_loading_place": "Hamburg",
                "tms_unloading_place": "München",
                "tms_delivery_date": delivery_date,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": qty, "price_unit": price}
                    )
                    for product, qty, price in lines
                ],
                **values,
            }
        )
        if confirm:
            order.action_confirm()
        return order

    @classmethod
    def _use_euro(cls):
        """The providers bill in EUR only."""
        euro = cls.env.ref("base.EUR")
        euro.active = True
        cls.company.currency_id = euro
        cls.env["product.pricelist"].search([]).currency_id = euro

    def _foreign_pricelist(self):
        """A pricelist in a currency other than the company's, with a rate."""
        usd = self.env.ref("base.USD")
        usd.active = True
        currency = usd if self.company.currency_id != usd else self.env.ref("base.EUR")
        currency.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "name": date(2026, 1, 1), "rate": 1.1}
        )
        return self.env["product.pricelist"].create({"name": "Foreign", "currency_id": currency.id})

    @classmethod
    def _allow_loopback_requests(cls):
        cls.startClassPatcher(patch.object(cls, "_request_handler", classmethod(_loopback_send)))

    def _draft_invoices(self, customer, count, amount=100.0, **values):
        """Draft transport invoices made directly, for ledger tests that need many;
        their amounts differ so that each is recognisable."""
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
                    **values,
                }
                for number in range(count)
            ]
        )

    def _link(self, customer, backend=None):
        """Create ``customer`` in the provider's system and link it."""
        backend = backend or self.backend
        contact = backend._tms_create_contact(customer)
        return self.env["tms.billing.partner.link"]._tms_link(customer, backend, contact)

    def _assert_pushes_survive_faults(self, fake, create_path, faults, count=200, seed=2026):
        """``count`` invoices pushed through the ledger while about a third of the create
        calls fail in one of ``faults``: each must end sent, once, with its own id."""
        moves = self._draft_invoices(self.customer_collective, count)
        exports = self.env["tms.billing.export"]._tms_queue(moves)
        rng = random.Random(seed)
        fake.inject(
            "POST",
            create_path,
            [rng.choice(faults) if rng.random() < 0.35 else "none" for _ in range(count)],
        )
        self._send_until_done(exports)
        self.assertEqual(set(exports.mapped("state")), {"sent"})
        self.assertGreater(max(exports.mapped("attempts")), 1, "faults were injected")
        self.assertEqual(len(fake.invoices), count)
        for export in exports:
            [invoice] = fake.invoices_with_marker(export.marker)
            self.assertEqual(export.external_id, invoice["id"])

    def _send_until_done(self, exports, rounds=8):
        """Drain the ledger as the cron would, letting each backoff pass at once."""
        for _round in range(rounds):
            self.env["tms.billing.export"]._cron_tms_send_exports(batch_size=len(exports) + 50)
            waiting = exports.filtered(lambda export: export.state != "sent")
            if not waiting:
                return
            waiting.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)

    def _wizard(self, orders, **values):
        return (
            self.env["tms.billing.wizard"]
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create(values)
        )
