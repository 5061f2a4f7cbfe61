from datetime import date

from lxml import etree

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import TmsBillingCase


@tagged("post_install", "-at_install")
class TestInvoicingButton(TmsBillingCase):
    """Transport orders have one invoicing button; other orders keep Odoo's."""

    def _plain_order(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer_collective.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 1, "price_unit": 80}
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    def _odoo_invoice_wizard(self, orders, user=None):
        wizard = self.env["sale.advance.payment.inv"]
        if user:
            wizard = wizard.with_user(user)
        return wizard.with_context(active_model="sale.order", active_ids=orders.ids).create(
            {"advance_payment_method": "delivered"}
        )

    def test_odoos_button_is_hidden_on_transport_orders(self):
        arch = self.env["sale.order"].get_views([(False, "form")])["views"]["form"]["arch"]
        buttons = etree.fromstring(arch).xpath(
            "//button[@id='create_invoice' or @id='create_invoice_percentage']"
        )
        self.assertEqual(len(buttons), 2)
        for button in buttons:
            self.assertIn("tms_is_transport", button.get("invisible"))
        self.assertTrue(self._order(self.customer_collective).tms_is_transport)
        self.assertFalse(self._plain_order().tms_is_transport)

    def test_odoos_invoice_of_a_transport_order_opens_the_transport_wizard(self):
        order = self._order(self.customer_collective, date(2026, 10, 5))
        action = self._odoo_invoice_wizard(order).create_invoices()
        self.assertEqual(action["res_model"], "tms.billing.wizard")
        wizard = self.env["tms.billing.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.order_ids, order)
        self.assertFalse(order.invoice_ids, "nothing is invoiced past the billing rules")

    def test_other_orders_keep_odoos_invoicing(self):
        order = self._plain_order()
        self._odoo_invoice_wizard(order).create_invoices()
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertFalse(order.invoice_ids.tms_invoicing_mode)

    def test_mixed_selection_and_users_without_transport_rights_are_told(self):
        transport = self._order(self.customer_collective, date(2026, 10, 5))
        plain = self._plain_order()
        with self.assertRaisesRegex(UserError, "are transport orders"):
            self._odoo_invoice_wizard(transport | plain).create_invoices()
        accountant = new_test_user(
            self.env,
            "tms_button_accountant",
            groups="sales_team.group_sale_salesman_all_leads,account.group_account_invoice",
        )
        with self.assertRaisesRegex(UserError, "Transport Billing user"):
            self._odoo_invoice_wizard(transport, user=accountant).create_invoices()
        self.assertFalse((transport | plain).invoice_ids)
