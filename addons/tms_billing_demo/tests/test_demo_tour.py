from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDemoTour(HttpCase):
    """The README's walk through the German demo, in the browser. Runs on a database
    with the demo data and l10n_de (tools/test's demo step), skips elsewhere."""

    def test_demo_walk_through(self):
        company = self.env.ref("tms_billing_demo.demo_company_nordlicht", raise_if_not_found=False)
        if not company:
            self.skipTest("the German demo data is not loaded")
        if company.chart_template != "de_skr03":
            self.skipTest("the demo company has no SKR03 chart (l10n_de was not installed)")
        admin = self.env.ref("base.user_admin")
        self.assertEqual(admin.company_id, company)
        self.assertEqual(company.currency_id, self.env.ref("base.EUR"))

        def partner(key):
            return self.env.ref(f"tms_billing_demo.demo_partner_{key}")

        orders = self.env["sale.order"].search([("company_id", "=", company.id)])
        to_invoice = orders.filtered(lambda order: order.tms_billing_state == "to_invoice")
        undelivered = orders - to_invoice
        self.assertEqual(len(undelivered), 1)
        self.assertEqual(undelivered.tms_billing_state, "not_delivered")

        self.start_tour(
            "/odoo/action-tms_billing.sale_order_action_tms_billing",
            "tms_billing_demo_tour",
            login="admin",
        )

        self.assertTrue(all(order.invoice_ids for order in to_invoice))
        self.assertFalse(undelivered.invoice_ids)

        def invoices(key):
            return to_invoice.filtered(lambda order: order.partner_id == partner(key)).invoice_ids

        # Collective, monthly: last month's orders on one invoice, the order with other
        # payment terms, the tax-free export to Zürich and this month's order on one each.
        nordfracht = invoices("nordfracht")
        self.assertEqual(len(nordfracht), 4)
        self.assertEqual(
            sorted(len(invoice.invoice_line_ids.sale_line_ids.order_id) for invoice in nordfracht),
            [1, 1, 1, 4],
        )
        export = nordfracht.filtered(lambda invoice: invoice.tms_tax_situation != "domestic")
        self.assertEqual(export.tms_tax_situation, "export_import_exempt")
        self.assertEqual(
            export.fiscal_position_id,
            self.env.ref(f"tms_billing.{company.id}_tms_fiscal_position_export_import"),
        )
        self.assertIn("(CH)", export.invoice_line_ids[0].name)
        self.assertTrue(export.amount_untaxed)
        self.assertEqual(export.amount_tax, 0.0)
        nordfracht -= export
        # Single: one invoice per order.
        sued = invoices("sued")
        self.assertEqual(len(sued), 3)
        self.assertTrue(all(len(inv.invoice_line_ids.sale_line_ids.order_id) == 1 for inv in sued))
        # Aggregated: weekly and semi-monthly customers get one invoice per period whose
        # positions merge the orders' equal lines.
        for key, product_key in (("rheinmain", "ftl"), ("west", "ltl")):
            customer_invoices = invoices(key)
            self.assertEqual(len(customer_invoices), 2, key)
            product = self.env.ref(f"tms_billing_demo.demo_product_{product_key}")
            for invoice in customer_invoices:
                merged = invoice.invoice_line_ids.filtered_domain([("product_id", "=", product.id)])
                self.assertEqual(len(merged), 1, key)
                self.assertEqual(merged.quantity, 2.0, key)
                self.assertEqual(len(merged.sale_line_ids), 2, key)

        # The taxes of SKR03: 19 % at home, none for the Austrian business customer
        # (fiscal position EU with VAT ID) and the Swiss one (non-EU).
        for invoice in nordfracht | sued:
            self.assertEqual(invoice.currency_id, company.currency_id)
            self.assertAlmostEqual(invoice.amount_tax, invoice.amount_untaxed * 0.19, delta=0.01)
        for key, position in (
            ("donau", "fiscal_position_eu_vat_id_partner_skr03"),
            ("basel", "fiscal_position_non_eu_partner_skr03"),
        ):
            invoice = invoices(key)
            self.assertEqual(len(invoice), 1, key)
            self.assertEqual(
                invoice.fiscal_position_id, self.env.ref(f"account.{company.id}_{position}")
            )
            self.assertTrue(invoice.amount_untaxed)
            self.assertEqual(invoice.amount_tax, 0.0, key)

        # Private customers abroad, taxed by where their transports run: the Austrian's
        # from Munich to Vienna at 19 %, the Swiss customer's within Germany at 19 %
        # and from Zürich to Stuttgart tax-free, on two invoices.
        gruber = invoices("gruber")
        self.assertEqual(gruber.tms_tax_situation, "eu_private")
        self.assertAlmostEqual(gruber.amount_tax, gruber.amount_untaxed * 0.19, delta=0.01)
        meier = invoices("meier")
        self.assertEqual(
            sorted(meier.mapped("tms_tax_situation")),
            ["export_import_exempt", "third_country_private"],
        )
        for invoice in meier:
            taxed = invoice.tms_tax_situation == "third_country_private"
            self.assertAlmostEqual(
                invoice.amount_tax, invoice.amount_untaxed * (0.19 if taxed else 0), delta=0.01
            )
