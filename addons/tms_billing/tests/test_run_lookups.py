from datetime import date
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.account.models.partner import AccountFiscalPosition
from odoo.addons.analytic.models.analytic_distribution_model import (
    AccountAnalyticDistributionModel,
)

from .common import TmsBillingCase


@tagged("post_install", "-at_install")
class TestRunLookups(TmsBillingCase):
    """Look-ups Odoo repeats per invoice, order or line are asked once per run: each
    invoice must still get exactly what Odoo gives it."""

    def _spy(self, cls, name):
        """Patch ``cls.name`` to record its calls; returns (patcher, calls)."""
        calls = []
        original = getattr(cls, name)

        def spy(records, *args, **kwargs):
            calls.append(args)
            return original(records, *args, **kwargs)

        return patch.object(cls, name, spy), calls

    def test_every_invoice_gets_odoos_journal(self):
        """Odoo picks each new invoice's journal by its company and currency; a run's
        invoices get the same."""
        pricelist = self._foreign_pricelist()
        foreign_journal = self.env["account.journal"].create(
            {
                "name": "Foreign sales",
                "code": "FSAL",
                "type": "sale",
                "currency_id": pricelist.currency_id.id,
                "sequence": 99,
            }
        )
        journals = self.env["account.journal"]
        domain = [*journals._check_company_domain(self.company), ("type", "=", "sale")]
        default_journal = journals.search(domain, limit=1)
        self.assertNotEqual(default_journal, foreign_journal)
        orders = self._order(self._customer("Inland A")) | self._order(self._customer("Inland B"))
        foreign = self._order(self._customer("Foreign C"), pricelist_id=pricelist.id)
        foreign |= self._order(self._customer("Foreign D"), pricelist_id=pricelist.id)
        moves, _plan = (orders | foreign)._tms_create_invoices()
        self.assertEqual(len(moves), 4)
        for move in moves:
            foreign_move = move.currency_id == pricelist.currency_id
            expected = foreign_journal if foreign_move else default_journal
            self.assertEqual(move.journal_id, expected, move.invoice_origin)

    def test_analytic_models_apply_to_the_lines_of_a_run(self):
        self.env["account.analytic.distribution.model"].search([]).unlink()
        with_surcharge = self._order(
            self._customer("Analytic A"),
            lines=[(self.product, 1.0, 100.0), (self.surcharge, 2.0, 10.0)],
        )
        with_surcharge |= self._order(
            self._customer("Analytic B"),
            lines=[(self.product, 1.0, 80.0), (self.surcharge, 1.0, 10.0)],
        )
        spy, searches = self._spy(AccountAnalyticDistributionModel, "_get_applicable_models")
        plain = self._order(self._customer("Analytic C"))
        self.env.flush_all()  # the order lines compute their own distribution first
        with spy:
            moves, _plan = plain._tms_create_invoices()
        self.assertFalse(searches, "no distribution model: nothing to look up")
        self.assertFalse(any(moves.invoice_line_ids.mapped("analytic_distribution")))
        # A model made after the orders applies when their invoice lines are created.
        plan = self.env["account.analytic.plan"].create({"name": "Fleet"})
        truck = self.env["account.analytic.account"].create(
            {"name": "Truck HH-TM 1", "plan_id": plan.id}
        )
        self.env["account.analytic.distribution.model"].create(
            {"product_id": self.surcharge.id, "analytic_distribution": {str(truck.id): 100}}
        )
        with spy:
            moves, _plan = with_surcharge._tms_create_invoices()
        self.assertEqual(len(moves), 2)
        lines = moves.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        surcharge_lines = lines.filtered(lambda line: line.product_id == self.surcharge)
        self.assertEqual(len(surcharge_lines), 2)
        for line in surcharge_lines:
            self.assertEqual(line.analytic_distribution, {str(truck.id): 100})
        self.assertFalse(any((lines - surcharge_lines).mapped("analytic_distribution")))
        self.assertTrue(searches, "with a model, Odoo's look-up runs")

    def test_fiscal_position_once_per_recipient(self):
        export = self.env["account.fiscal.position"].create({"name": "Export (TMS)"})
        abroad = self._customer("Abroad Forwarding")
        inland = self._customer("Inland Forwarding")
        orders = self.env["sale.order"]
        for customer in (abroad, inland):
            for day in (3, 10):
                orders |= self._order(customer, delivery_date=date(2026, 10, day))
        # Set after the orders: Odoo looks it up when it prepares each invoice.
        abroad.property_account_position_id = export
        self.assertFalse(orders.fiscal_position_id)
        spy, lookups = self._spy(AccountFiscalPosition, "_get_fiscal_position")
        with spy:
            moves, _plan = orders._tms_create_invoices()
        self.assertEqual(len(moves), 2)
        self.assertEqual(len(lookups), 2, "one look-up per invoice recipient")
        by_partner = {move.partner_id: move.fiscal_position_id for move in moves}
        self.assertEqual(by_partner, {abroad: export, inland: self.env["account.fiscal.position"]})
