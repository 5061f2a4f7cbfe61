from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import TmsBillingCase


@tagged("post_install", "-at_install")
class TestSecurity(TmsBillingCase):
    def test_wizard_needs_the_billing_group(self):
        order = self._order(self.customer_collective)
        salesman = new_test_user(self.env, "tms_salesman", groups="sales_team.group_sale_salesman")
        with self.assertRaises(AccessError):
            self.env["tms.billing.wizard"].with_user(salesman).with_context(
                active_model="sale.order", active_ids=order.ids
            ).create({})
        dispatcher = new_test_user(
            self.env,
            "tms_dispatcher",
            groups="tms_billing.group_tms_billing_user,account.group_account_invoice",
        )
        wizard = (
            self.env["tms.billing.wizard"]
            .with_user(dispatcher)
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({})
        )
        wizard.action_create_invoices()
        self.assertEqual(order.tms_billing_state, "invoiced")
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(dispatcher).create({}).execute()

    def test_events_are_restricted_to_the_users_companies(self):
        order = self._order(self.customer_collective)
        order._tms_create_invoices()
        other_company = self.env["res.company"].create({"name": "Elsewhere GmbH"})
        outsider = new_test_user(
            self.env,
            "tms_outsider",
            groups="tms_billing.group_tms_billing_user",
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        events = self.env["tms.billing.event"].with_user(outsider).search([])
        self.assertFalse(events & order.tms_billing_event_ids)
        self.assertTrue(self.env["tms.billing.event"].search([("order_id", "=", order.id)]))
