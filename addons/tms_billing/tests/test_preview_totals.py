import random
from datetime import date

from odoo.fields import Command
from odoo.tests import tagged

from .common import TmsBillingCase


@tagged("post_install", "-at_install")
class TestPreviewTotals(TmsBillingCase):
    """The preview is the invoice: every previewed total equals the created invoice's,
    to the cent, whatever the prices, quantities, taxes, line mode and the company's
    way of rounding taxes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax_7 = cls.env["account.tax"].create(
            {"name": "TMS 7%", "amount": 7.0, "type_tax_use": "sale"}
        )
        cls.tax_included = cls.env["account.tax"].create(
            {
                "name": "TMS 19% incl.",
                "amount": 19.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
            }
        )

    def _random_orders(self, rng, customers):
        orders = self.env["sale.order"]
        products = self.product | self.surcharge
        for _index in range(24):
            lines = [
                (
                    rng.choice(products),
                    rng.choice((1.0, 2.0, 0.5, 3.0, 1.25)),
                    round(rng.uniform(0.01, 999.99), 2),
                    rng.choice((self.tax, self.tax_7, self.tax_included)),
                )
                for _line in range(rng.randint(1, 3))
            ]
            order = self.env["sale.order"].create(
                {
                    "partner_id": rng.choice(customers).id,
                    "tms_loading_place": "Hamburg",
                    "tms_delivery_date": date(2026, 10, rng.randint(1, 28)),
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "price_unit": price,
                                "tax_id": [Command.set(tax.ids)],
                            }
                        )
                        for product, qty, price, tax in lines
                    ],
                }
            )
            orders |= order
        orders.action_confirm()
        return orders

    def test_every_previewed_total_is_the_invoices_to_the_cent(self):
        customers = (
            self.customer_collective
            | self.customer_weekly
            | self._customer("Einzel Fracht", tms_invoicing_mode="single")
        )
        for rounding in ("round_per_line", "round_globally"):
            with self.subTest(rounding=rounding), self.env.cr.savepoint() as savepoint:
                self.company.tax_calculation_rounding_method = rounding
                orders = self._random_orders(random.Random(rounding), customers)
                wizard = self._wizard(orders, invoice_date=date(2026, 11, 2))
                previews = {
                    frozenset(preview.order_id_list): (
                        preview.amount_untaxed,
                        preview.amount_total,
                    )
                    for preview in wizard.preview_invoice_ids
                }
                self.assertGreater(len(previews), 3)
                wizard.action_create_invoices()
                moves = orders.invoice_ids
                self.assertEqual(len(moves), len(previews))
                for move in moves:
                    key = frozenset(move.line_ids.sale_line_ids.order_id.ids)
                    self.assertEqual(
                        previews[key], (move.amount_untaxed, move.amount_total), move.invoice_origin
                    )
                savepoint.rollback()
                self.env.invalidate_all()
