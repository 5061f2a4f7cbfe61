from datetime import date

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import TmsGermanCase


@tagged("post_install", "-at_install")
class TestVatByRoute(TmsGermanCase):
    """A German haulier's transports on Odoo's German chart (SKR03): the route decides
    the tax situation, the fiscal position and the taxes of each order and invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.de, cls.at, cls.ch = (cls.env.ref(f"base.{code}") for code in ("de", "at", "ch"))
        cls.swiss_private = cls._customer(
            "Lukas Meier",
            is_company=False,
            country_id=cls.ch.id,
            street="Seefeldstrasse 45",
            zip="8008",
            city="Zürich",
        )

    def _route_order(self, customer, loading, unloading, day=5, **values):
        countries = {"DE": self.de, "AT": self.at, "CH": self.ch}
        places = {"DE": ("Hamburg", "München"), "AT": ("Wien", "Wien"), "CH": ("Basel", "Zürich")}
        return self._order(
            customer,
            delivery_date=date(2026, 10, day),
            tms_loading_place=places[loading][0],
            tms_loading_country_id=countries[loading].id,
            tms_unloading_place=places[unloading][1],
            tms_unloading_country_id=countries[unloading].id,
            **values,
        )

    def _route_position(self, key):
        return self.env.ref(f"tms_billing.{self.company.id}_tms_fiscal_position_{key}")

    def _invoice(self, orders):
        moves, plan = orders._tms_create_invoices(invoice_date=date(2026, 11, 2))
        return moves, plan

    def _assert_invoice(self, move, situation, position, taxes, amount_tax):
        self.assertEqual(move.tms_tax_situation, situation)
        self.assertEqual(move._tms_tax_situation(), situation)
        self.assertEqual(move.fiscal_position_id, position)
        self.assertEqual(move.invoice_line_ids.tax_ids, taxes)
        self.assertEqual(move.amount_untaxed, 100.0)
        self.assertAlmostEqual(move.amount_tax, amount_tax)

    def test_the_german_chart_gets_the_positions_of_the_route(self):
        export = self._route_position("export_import")
        self.assertEqual(export.tms_tax_situation, "export_import_exempt")
        self.assertEqual(
            export.map_tax(self.tax), self._chart_ref("tax_free_skr03_mit_vst"), "§ 4 Nr. 2-7"
        )
        self.assertIn("§ 4 Nr. 3 Buchst. a UStG", export.note)
        third_country_route = self._route_position("third_country_route")
        self.assertEqual(
            third_country_route.map_tax(self.tax), self._chart_ref("tax_not_taxable_skr03")
        )
        private = self._route_position("third_country_private")
        self.assertEqual(private.map_tax(self.tax), self.tax)
        # Loading the chart again adds none twice.
        positions = self.env["account.fiscal.position"].search_count([])
        self.env["account.chart.template"]._tms_add_route_fiscal_positions(self.company, "de_skr03")
        self.assertEqual(self.env["account.fiscal.position"].search_count([]), positions)

    def test_hamburg_to_zurich_for_the_german_shipper_is_tax_free(self):
        customer = self.situation_customers["domestic_net"]
        order = self._route_order(customer, "DE", "CH", tms_customer_goods_role="consignor")
        self.assertEqual(order.tms_route, "Hamburg (DE) → Zürich (CH)")
        self.assertEqual(order.tms_tax_situation, "export_import_exempt")
        self.assertIn("R14", order.tms_vat_note)
        self.assertIn("§ 4 Nr. 3", order.tms_vat_note)
        exempt = self._chart_ref("tax_free_skr03_mit_vst")
        self.assertEqual(order.order_line.tax_id, exempt)
        [move], _plan = self._invoice(order)
        self._assert_invoice(
            move, "export_import_exempt", self._route_position("export_import"), exempt, 0.0
        )
        self.assertIn("Hamburg (DE) → Zürich (CH)", move.invoice_line_ids.name)

    def test_a_forwarder_subcontracting_the_export_is_taxed_and_unknown_is_refused(self):
        customer = self.situation_customers["domestic_net"]
        forwarder = self._route_order(customer, "DE", "CH", tms_customer_goods_role="carrier")
        self.assertEqual(forwarder.tms_tax_situation, "domestic")
        self.assertEqual(forwarder.order_line.tax_id, self.tax)
        unknown = self._route_order(customer, "DE", "CH")
        self.assertFalse(unknown.tms_tax_situation)
        self.assertIn("consignor or consignee", unknown.tms_vat_note)
        wizard = self._wizard(forwarder | unknown, invoice_date=date(2026, 11, 2))
        self.assertEqual(wizard.preview_invoice_ids.order_ids, forwarder)
        [exclusion] = wizard.exclusion_ids
        self.assertEqual(exclusion.order_id, unknown)
        self.assertIn("EuGH C-288/16", exclusion.reason)

    def test_orders_of_different_situations_are_split_and_the_preview_says_why(self):
        customer = self.situation_customers["domestic_net"]
        domestic = self._route_order(customer, "DE", "DE") | self._route_order(
            customer, "DE", "DE", day=12
        )
        export = self._route_order(customer, "DE", "CH", day=8, tms_customer_goods_role="consignor")
        wizard = self._wizard(domestic | export, invoice_date=date(2026, 11, 2))
        previews = wizard.preview_invoice_ids
        self.assertEqual(len(previews), 2)
        self.assertEqual(
            {preview.tax_situation: preview.order_ids for preview in previews},
            {"domestic": domestic, "export_import_exempt": export},
        )
        self.assertEqual(
            set(previews.mapped("split_reason")), {"different tax situation (VAT by route)"}
        )
        wizard.action_create_invoices()
        moves = (domestic | export).invoice_ids
        self.assertEqual(len(moves), 2)
        self.assertEqual(
            sorted(moves.mapped("amount_tax")), [0.0, 38.0], "19 % on the domestic ones only"
        )

    def test_swiss_private_customer(self):
        # Within Germany: German VAT (§ 3b Abs. 1 UStG), not Odoo's non-EU position.
        within = self._route_order(self.swiss_private, "DE", "DE")
        self.assertEqual(within.tms_tax_situation, "third_country_private")
        # Zürich to Hamburg: the imported goods' transport is tax-free.
        imported = self._route_order(self.swiss_private, "CH", "DE", day=9)
        self.assertEqual(imported.tms_tax_situation, "export_import_exempt")
        # Without the route: refused rather than billed without VAT.
        unknown = self._order(self.swiss_private, delivery_date=date(2026, 10, 7))
        self.assertFalse(unknown.tms_tax_situation)
        moves, plan = self._invoice(within | imported | unknown)
        self.assertEqual(plan.excluded, {unknown.id: "route_unknown"})
        by_situation = {move.tms_tax_situation: move for move in moves}
        self._assert_invoice(
            by_situation["third_country_private"],
            "third_country_private",
            self._route_position("third_country_private"),
            self.tax,
            19.0,
        )
        self._assert_invoice(
            by_situation["export_import_exempt"],
            "export_import_exempt",
            self._route_position("export_import"),
            self._chart_ref("tax_free_skr03_mit_vst"),
            0.0,
        )

    def test_austrian_private_customer(self):
        customer = self.situation_customers["eu_private"]
        # Munich to Vienna begins in Germany: German VAT, as Odoo taxes her (its German
        # chart applies no position of its own to her).
        outward = self._route_order(customer, "DE", "AT")
        self.assertEqual(outward.tms_tax_situation, "eu_private")
        [move], _plan = self._invoice(outward)
        self.assertFalse(move.fiscal_position_id)
        self.assertEqual(move._tms_tax_situation(), "eu_private")
        self.assertAlmostEqual(move.amount_tax, 19.0)
        # Vienna to Munich: Austrian VAT (§ 3b Abs. 3 UStG). Without a position for it the
        # order is left out, saying why.
        homeward = self._route_order(customer, "AT", "DE", day=12)
        self.assertEqual(homeward.tms_tax_situation, "eu_private_abroad")
        self.assertIn("does not fit its tax situation", homeward.tms_vat_note)
        _moves, plan = self._invoice(homeward)
        self.assertEqual(plan.excluded, {homeward.id: "fiscal_position_mismatch"})
        # With the company's position for Austria (as Odoo's One-Stop-Shop module makes
        # them), the route applies it.
        austrian_vat = self.tax.copy({"name": "20% AT", "amount": 20.0})
        austria = self.env["account.fiscal.position"].create(
            {
                "name": "OSS B2C Austria",
                "country_id": self.at.id,
                "tms_tax_situation": "eu_private_abroad",
                "tax_ids": [
                    Command.create({"tax_src_id": self.tax.id, "tax_dest_id": austrian_vat.id})
                ],
            }
        )
        homeward.action_tms_apply_vat_route()
        self.assertEqual(homeward.fiscal_position_id, austria)
        self.assertEqual(homeward.order_line.tax_id, austrian_vat)
        [move], _plan = self._invoice(homeward)
        self.assertEqual(move._tms_tax_situation(), "eu_private_abroad")
        self.assertAlmostEqual(move.amount_tax, 20.0)

    def test_transport_within_a_third_country_is_not_taxable_in_germany(self):
        order = self._route_order(self.situation_customers["domestic_net"], "CH", "CH")
        self.assertEqual(order.tms_tax_situation, "third_country_route")
        [move], _plan = self._invoice(order)
        self._assert_invoice(
            move,
            "third_country_route",
            self._route_position("third_country_route"),
            self._chart_ref("tax_not_taxable_skr03"),
            0.0,
        )

    def test_businesses_abroad_keep_their_positions_whatever_the_route(self):
        austrian = self.situation_customers["eu_business"]
        swiss = self.situation_customers["third_country"]
        orders = self._route_order(austrian, "DE", "CH") | self._route_order(swiss, "DE", "DE")
        self.assertEqual(orders.mapped("tms_tax_situation"), ["eu_business", "third_country"])
        moves, _plan = self._invoice(orders)
        self.assertEqual(
            {move.partner_id: move.fiscal_position_id for move in moves},
            {
                austrian: self._chart_ref("fiscal_position_eu_vat_id_partner_skr03"),
                swiss: self._chart_ref("fiscal_position_non_eu_partner_skr03"),
            },
        )
        self.assertFalse(any(moves.mapped("amount_tax")))

    def test_a_new_route_brings_its_position_and_taxes_whoever_writes_it(self):
        customer = self.situation_customers["domestic_net"]
        order = self._order(customer)
        self.assertEqual(order.tms_tax_situation, "domestic")
        self.assertEqual(order.order_line.tax_id, self.tax)
        salesman = new_test_user(
            self.env,
            "tms_route_sales",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        order.with_user(salesman).write(
            {
                "tms_unloading_place": False,
                "tms_loading_country_id": self.de.id,
                "tms_loading_zip": "20457",
                "tms_loading_city": "Hamburg",
                "tms_unloading_country_id": self.ch.id,
                "tms_unloading_zip": "8005",
                "tms_unloading_city": "Zürich",
                "tms_customer_goods_role": "consignor",
            }
        )
        self.assertEqual(order.fiscal_position_id, self._route_position("export_import"))
        self.assertEqual(order.order_line.tax_id, self._chart_ref("tax_free_skr03_mit_vst"))
        self.assertEqual(order.tms_route, "Hamburg (DE) → Zürich (CH)")
        # What the table decides is read, not written.
        with self.assertRaises(AccessError):
            order.with_user(salesman).write({"tms_tax_situation": "domestic"})
        with self.assertRaisesRegex(ValidationError, "not a postcode"):
            order.with_user(salesman).write({"tms_loading_zip": "20457; DROP"})
        with self.assertRaisesRegex(ValidationError, "longer than 12"):
            order.with_user(salesman).write({"tms_loading_zip": "1" * 13})

    def test_an_import_brings_the_route(self):
        customer = self.situation_customers["domestic_net"]
        result = self.env["sale.order"].load(
            [
                "partner_id/.id",
                "tms_loading_city",
                "tms_loading_country_id",
                "tms_unloading_city",
                "tms_unloading_country_id",
                "tms_customer_goods_role",
                "order_line/product_id/.id",
            ],
            [
                [
                    str(customer.id),
                    "Hamburg",
                    "DE",
                    "Zürich",
                    "CH",
                    "consignor",
                    str(self.product.id),
                ]
            ],
        )
        self.assertFalse(result["messages"], result["messages"])
        order = self.env["sale.order"].browse(result["ids"])
        self.assertEqual(order.tms_route, "Hamburg (DE) → Zürich (CH)")
        self.assertEqual(order.tms_tax_situation, "export_import_exempt")
        self.assertEqual(order.order_line.tax_id, self._chart_ref("tax_free_skr03_mit_vst"))

    def test_a_changed_customer_leaves_the_order_out_until_its_position_is_applied(self):
        customer = self._customer("Umzug Privat", is_company=False)
        order = self._route_order(customer, "DE", "DE")
        self.assertEqual(order.tms_tax_situation, "domestic")
        # The customer moves to Switzerland: still German VAT for a transport in Germany,
        # but no longer through the domestic position.
        customer.write({"country_id": self.ch.id, "zip": "8008", "city": "Zürich"})
        order.invalidate_recordset()
        self.assertEqual(order.tms_tax_situation, "third_country_private")
        _moves, plan = self._invoice(order)
        self.assertEqual(plan.excluded, {order.id: "fiscal_position_mismatch"})
        order.action_tms_apply_vat_route()
        self.assertEqual(order.fiscal_position_id, self._route_position("third_country_private"))
        [move], _plan = self._invoice(order)
        self.assertEqual(move._tms_tax_situation(), "third_country_private")

    def test_an_invoice_follows_a_position_changed_by_hand(self):
        order = self._route_order(self.situation_customers["domestic_net"], "CH", "CH")
        [move], _plan = self._invoice(order)
        self.assertEqual(move._tms_tax_situation(), "third_country_route")
        move.fiscal_position_id = self._chart_ref("fiscal_position_domestic_skr03")
        self.assertEqual(move._tms_tax_situation(), "domestic")
