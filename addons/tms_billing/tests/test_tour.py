from datetime import date

from odoo.fields import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestBillingTour(HttpCase):
    def test_preview_and_create_from_the_order_list(self):
        # Only the tour's orders are to invoice, whatever else the database holds.
        self.env["sale.order"].search([("tms_billing_state", "=", "to_invoice")]).write(
            {"tms_delivery_date": False}
        )
        customer = self.env["res.partner"].create(
            {
                "name": "Tour Spedition GmbH",
                "is_company": True,
                "street": "Kaiserkai 1",
                "zip": "20457",
                "city": "Hamburg",
                "country_id": self.env.ref("base.de").id,
                "tms_invoicing_mode": "collective",
                "tms_billing_interval": "monthly",
            }
        )
        product = self.env["product.product"].create(
            {"name": "Tour freight", "type": "service", "invoice_policy": "order"}
        )
        orders = self.env["sale.order"]
        for delivery_date in (date(2026, 9, 3), date(2026, 9, 20), date(2026, 10, 2), False):
            orders |= self.env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "tms_delivery_date": delivery_date,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": 1, "price_unit": 250}
                        )
                    ],
                }
            )
        orders.action_confirm()
        self.env["sale.order"].search([("tms_billing_state", "=", "not_delivered")]).filtered(
            lambda order: order not in orders
        ).action_cancel()

        self.start_tour(
            "/odoo/action-tms_billing.sale_order_action_tms_billing",
            "tms_billing_tour",
            login="admin",
        )
        self.assertEqual(len(orders[:3].invoice_ids), 2)
        # The adjustment made in the preview is on the invoice, not on the order.
        adjusted = orders[:3].invoice_ids.invoice_line_ids.filtered(
            lambda line: line.price_unit == 300.0
        )
        self.assertEqual(len(adjusted), 1)
        self.assertEqual(set(orders.order_line.mapped("price_unit")), {250.0})
        self.assertEqual(
            adjusted.sale_line_ids.order_id.tms_billing_event_ids.filtered(
                lambda event: event.kind == "adjusted"
            ).move_id,
            adjusted.move_id,
        )
        self.assertEqual(orders[:2].invoice_ids, orders[0].invoice_ids)
        self.assertFalse(orders[3].invoice_ids)
