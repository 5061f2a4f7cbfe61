from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import TmsBillingCase

ADJUST_VIEW = "tms_billing.tms_billing_wizard_invoice_view_form_adjust"


@tagged("post_install", "-at_install")
class TestPreviewAdjust(TmsBillingCase):
    """The dispatcher adjusts an invoice of the preview before it is created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_contact = cls.env["res.partner"].create(
            {
                "name": "Buchhaltung",
                "type": "invoice",
                "parent_id": cls.customer_collective.id,
                "street": "Rechnungsweg 5",
                "zip": "28195",
                "city": "Bremen",
                "country_id": cls.env.ref("base.de").id,
            }
        )

    def _collective_orders(self, count=2):
        orders = self.env["sale.order"]
        for day in range(count):
            orders |= self._order(
                self.customer_collective,
                date(2026, 10, 5 + day),
                lines=[(self.product, 1.0, 100.0), (self.surcharge, 1.0, 40.0)],
                # Not the invoice contact Odoo would choose: the customer's own address.
                partner_invoice_id=self.customer_collective.id,
            )
        return orders

    def _adjust(self, preview):
        action = preview.action_tms_adjust()
        self.assertEqual(action["res_model"], "tms.billing.wizard.invoice")
        self.assertEqual(action["res_id"], preview.id)
        self.assertEqual(action["target"], "new")
        return Form(preview, view=ADJUST_VIEW)

    def test_address_note_and_positions_reach_the_invoice_only(self):
        orders = self._collective_orders()
        wizard = self._wizard(orders)
        preview = wizard.preview_invoice_ids
        self.assertEqual(preview.amount_untaxed, 280.0)
        with self._adjust(preview) as form:
            self.assertEqual(len(form.line_ids), 4, "one position per sale line")
            form.invoice_partner_id = self.billing_contact
            form.note = "Bitte Kostenstelle 42 angeben."
            with form.line_ids.edit(0) as line:
                self.assertIn("Hamburg → München", line.name)
                line.name = "Komplettladung Hamburg → München"
                line.quantity = 0.5
                line.price_unit = 110.0
            # The totals follow the edits before anything is saved.
            self.assertEqual(form.amount_untaxed, 235.0)
            self.assertAlmostEqual(form.amount_total, 279.65)
        self.assertEqual(preview.amount_untaxed, 235.0)
        self.assertEqual(wizard.amount_untaxed, 235.0)
        self.assertEqual(preview.invoice_partner_id, self.billing_contact)
        self.assertEqual(preview.planned_invoice_partner_id, self.customer_collective)
        self.assertIn("invoice address", preview.adjustment_summary)
        back = preview.action_tms_back()
        self.assertEqual((back["res_model"], back["res_id"]), ("tms.billing.wizard", wizard.id))

        wizard.action_create_invoices()
        move = orders.invoice_ids
        self.assertEqual(len(move), 1)
        self.assertEqual(move.partner_id, self.billing_contact)
        self.assertIn("Kostenstelle 42", move.narration)
        edited = move.invoice_line_ids.filtered(
            lambda line: line.name == "Komplettladung Hamburg → München"
        )
        self.assertEqual((edited.quantity, edited.price_unit), (0.5, 110.0))
        self.assertEqual(move.amount_untaxed, 235.0)
        # The orders keep their own address, prices and texts.
        self.assertEqual(orders.partner_invoice_id, self.customer_collective)
        self.assertEqual(set(orders.order_line.mapped("price_unit")), {100.0, 40.0})
        # Each adjustment is in both orders' billing events.
        for order in orders:
            event = order.tms_billing_event_ids.filtered(lambda e: e.kind == "adjusted")
            self.assertEqual(event.move_id, move)
            self.assertIn("Buchhaltung", event.message)
            self.assertIn("quantity 1 → 0.5", event.message)
            self.assertIn("note added", event.message)

    def test_an_order_taken_out_stays_to_invoice_with_the_reason(self):
        orders = self._collective_orders(3)
        wizard = self._wizard(orders)
        preview = wizard.preview_invoice_ids
        with self._adjust(preview) as form:
            form.order_ids.remove(id=orders[1].id)
            # Its positions leave with it.
            self.assertEqual(len(form.line_ids), 4)
            self.assertEqual(form.amount_untaxed, 280.0)
        self.assertEqual(preview.order_count, 2)
        left_out = wizard.exclusion_ids.filtered("left_out")
        self.assertEqual(left_out.order_id, orders[1])
        self.assertEqual(left_out.reason, "left out by user")
        self.assertEqual(wizard.amount_untaxed, 280.0)

        wizard.action_create_invoices()
        self.assertEqual(orders[1].tms_billing_state, "to_invoice")
        self.assertFalse(orders[1].invoice_ids)
        self.assertEqual(len((orders[0] | orders[2]).invoice_ids), 1)
        event = orders[1].tms_billing_event_ids
        self.assertEqual(event.kind, "excluded")
        self.assertIn("Left out", event.message)

    def test_leave_out_a_whole_invoice(self):
        collective = self._collective_orders()
        single = self._order(self.customer_single, date(2026, 10, 5))
        wizard = self._wizard(collective | single)
        wizard.preview_invoice_ids.filtered(
            lambda preview: preview.partner_id == self.customer_collective
        ).action_tms_leave_out()
        self.assertEqual(wizard.invoice_count, 1)
        self.assertEqual(wizard.exclusion_ids.filtered("left_out").order_id, collective)
        wizard.action_create_invoices()
        self.assertTrue(single.invoice_ids)
        self.assertFalse(collective.invoice_ids)

    def test_putting_an_order_back_and_undoing(self):
        orders = self._collective_orders(2)
        wizard = self._wizard(orders)
        preview = wizard.preview_invoice_ids
        preview.action_tms_adjust()
        preview.order_ids = orders[0]
        self.assertEqual(wizard.exclusion_ids.filtered("left_out").order_id, orders[1])
        preview.line_ids[:1].price_unit = 1.0
        preview.action_tms_reset()
        self.assertFalse(wizard.exclusion_ids.filtered("left_out"))
        self.assertEqual(preview.order_ids, orders)
        self.assertEqual(set(preview.line_ids.mapped("price_unit")), {100.0, 40.0})
        self.assertFalse(preview.adjustment_summary)

    def test_aggregated_position_keeps_each_orders_share(self):
        orders = self.env["sale.order"]
        for day in (5, 6, 7):
            orders |= self._order(self.customer_weekly, date(2026, 10, day))
        wizard = self._wizard(orders)
        preview = wizard.preview_invoice_ids
        with self._adjust(preview) as form:
            self.assertEqual(len(form.line_ids), 1, "the aggregated position")
            with form.line_ids.edit(0) as line:
                self.assertEqual(line.quantity, 3.0)
                line.quantity = 1.5
                line.price_unit = 95.0
        wizard.action_create_invoices()
        line = orders.invoice_ids.invoice_line_ids
        self.assertEqual((line.quantity, line.price_unit), (1.5, 95.0))
        self.assertEqual(len(line.sale_line_ids), 3)
        # Each order counts its own part of the position: half of each, not thrice.
        self.assertEqual(orders.order_line.mapped("qty_invoiced"), [0.5, 0.5, 0.5])
        self.assertEqual(orders.mapped("tms_billing_state"), ["to_invoice"] * 3)

    def test_a_position_bills_at_most_what_is_left_to_invoice(self):
        orders = self._collective_orders()
        preview = self._wizard(orders).preview_invoice_ids
        preview.action_tms_adjust()
        line = preview.line_ids[:1]
        # Odoo's assertRaises rolls the refused write back, as a request would be.
        with self.assertRaises(ValidationError) as refused:
            line.quantity = 1000.0
        self.assertIn("at most 1 is left to invoice", str(refused.exception))
        self.assertEqual(line.quantity, 1.0)

    def test_a_changed_plan_refuses_stale_adjustments(self):
        orders = self._collective_orders()
        wizard = self._wizard(orders)
        preview = wizard.preview_invoice_ids
        preview.action_tms_adjust()
        preview.line_ids[:1].price_unit = 150.0
        # Meanwhile one order's delivery moves to another month: another invoice.
        orders[1].tms_delivery_date = date(2026, 9, 30)
        with self.assertRaisesRegex(UserError, "changed since the preview"):
            wizard.action_create_invoices()
        self.assertFalse(orders.invoice_ids)

    def test_bad_adjustments_are_refused(self):
        orders = self._collective_orders(1)
        preview = self._wizard(orders).preview_invoice_ids
        preview.action_tms_adjust()
        with self.assertRaisesRegex(ValidationError, "not an address of"):
            preview.invoice_partner_id = self.customer_single
        incomplete = self.billing_contact.copy({"street": False})
        with self.assertRaisesRegex(ValidationError, "incomplete"):
            preview.invoice_partner_id = incomplete
        with self.assertRaisesRegex(ValidationError, "quantity must be above zero"):
            preview.line_ids[:1].quantity = 0
        with self.assertRaisesRegex(ValidationError, "description"):
            preview.line_ids[:1].name = " "
        other = self._order(self.customer_single, date(2026, 10, 5))
        with self.assertRaisesRegex(ValidationError, "Only orders of this invoice"):
            preview.order_ids = orders | other
        with self.assertRaisesRegex(ValidationError, "at least one order"):
            preview.order_ids = False

    def test_a_second_address_warns_when_another_invoice_goes_there(self):
        mine = self._collective_orders(1)
        theirs = self._order(
            self.customer_collective,
            date(2026, 10, 8),
            partner_invoice_id=self.billing_contact.id,
        )
        self.assertEqual(theirs.partner_invoice_id, self.billing_contact)
        wizard = self._wizard(mine | theirs)
        self.assertEqual(wizard.invoice_count, 2)
        preview = wizard.preview_invoice_ids.filtered(lambda p: p.order_ids == mine)
        preview.invoice_partner_id = self.billing_contact
        warning = preview._onchange_invoice_partner_id()
        self.assertIn("stay two invoices", warning["warning"]["message"])

    def test_only_invoicing_users_adjust_and_only_their_own_preview(self):
        orders = self._collective_orders(1)
        preview = self._wizard(orders).preview_invoice_ids
        salesman = new_test_user(
            self.env, "tms_adjust_sales", groups="sales_team.group_sale_salesman"
        )
        with self.assertRaises(AccessError):
            preview.with_user(salesman).action_tms_adjust()
        with self.assertRaises(AccessError):
            preview.with_user(salesman).action_tms_leave_out()
        colleague = new_test_user(
            self.env, "tms_adjust_colleague", groups="tms_billing.group_tms_billing_user"
        )
        # A transient preview belongs to the user who opened it.
        with self.assertRaises(AccessError):
            preview.with_user(colleague).action_tms_adjust()
        self.assertFalse(preview.line_ids)

    def test_reasons_are_worded_in_the_users_language(self):
        self._load_german()
        orders = self._collective_orders(1)
        for day in (5, 6):
            orders |= self._order(self.customer_single, date(2026, 10, day))
        wizard = (
            self.env["tms.billing.wizard"]
            .with_context(lang="de_DE", active_model="sale.order", active_ids=orders.ids)
            .create({})
        )
        preview = wizard.preview_invoice_ids.filtered(
            lambda row: row.partner_id == self.customer_single
        )
        self.assertEqual(
            set(preview.mapped("split_reason")), {"Kunde wird mit Einzelrechnungen abgerechnet"}
        )
        (wizard.preview_invoice_ids - preview).action_tms_leave_out()
        self.assertEqual(wizard.exclusion_ids.reason, "vom Benutzer herausgenommen")
