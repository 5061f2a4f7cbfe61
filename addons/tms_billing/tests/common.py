from datetime import date

from odoo.fields import Command
from odoo.tests import TransactionCase


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

    def _wizard(self, orders, **values):
        return (
            self.env["tms.billing.wizard"]
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create(values)
        )
