from odoo.tests import tagged

from odoo.addons.tms_billing_sync.tests.common import TmsSyncGermanCase
from odoo.addons.tms_billing_sync.tests.provider_push import (
    ProviderRouteSituationMixin,
    ProviderTaxSituationMixin,
)

from .common import SevdeskCase
from .fake_sevdesk import FakeSevdesk


@tagged("post_install", "-at_install")
class TestSevdeskTaxSituations(ProviderTaxSituationMixin, SevdeskCase, TmsSyncGermanCase):
    """A German haulier on Odoo's German chart bills each tax situation to sevDesk."""

    def test_each_situation_gets_its_tax_rule_text_rates_prices_and_country(self):
        reverse_charge = "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)"
        expected = {
            # situation: (taxRule, taxText, rate, showNet, price, sumGross, country)
            "domestic_net": ("1", "Umsatzsteuer", 19.0, True, 100.0, 119.0, "DE"),
            "domestic_gross": ("1", "Umsatzsteuer", 19.0, False, 119.0, 119.0, "DE"),
            "eu_business": ("21", reverse_charge, 0.0, True, 100.0, 100.0, "AT"),
            "eu_private": ("1", "Umsatzsteuer", 19.0, True, 100.0, 119.0, "AT"),
            "third_country": (
                "17",
                "Nicht im Inland steuerbare Leistung",
                0.0,
                True,
                100.0,
                100.0,
                "CH",
            ),
        }

        def check(customer, _move, invoice, rule, text, rate, show_net, price, gross, country):
            self.assertEqual(invoice["taxRule"], {"id": rule, "objectName": "TaxRule"})
            self.assertEqual(invoice["taxText"], text)
            self.assertIs(invoice["showNet"], show_net)
            [position] = invoice["positions"]
            self.assertEqual((position["taxRate"], position["price"]), (rate, price))
            self.assertEqual(invoice["sumGross"], gross)
            self.assertEqual(FakeSevdesk.country_code(invoice["addressCountry"]["id"]), country)
            self.assertTrue(invoice["address"].startswith(customer.name))

        self._assert_each_situation(expected, check)
        # The contacts' addresses carry their own countries too.
        austrian = self.situation_customers["eu_business"].tms_partner_link_ids.external_id
        [address] = [a for a in self.fake.addresses if str(a["contact"]["id"]) == austrian]
        self.assertEqual(FakeSevdesk.country_code(address["country"]["id"]), "AT")

    def test_small_business_uses_rule_eleven(self):
        invoice = self._push_small_business_invoice()
        self.assertEqual(invoice["taxRule"]["id"], "11")
        self.assertEqual(invoice["taxText"], "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.")
        self.assertEqual(invoice["positions"][0]["taxRate"], 0.0)

    def test_taxes_that_do_not_fit_the_rule_are_refused_before_any_call(self):
        export, calls = self._push_swiss_taxed_at_home()
        self.assertEqual(export.state, "failed")
        self.assertIn("taxes (19 %) do not fit sevDesk tax rule 17", export.last_error)
        self.assertFalse([call for call in calls if "saveInvoice" in call[1]])

    def test_rule_without_a_legacy_tax_type_is_refused_on_bookkeeping_one(self):
        self.fake.bookkeeping_version = "1.0"
        move = self._linked_situation_invoice("eu_business")
        move.action_tms_send_exports()
        export = move.tms_export_ids
        self.assertEqual(export.state, "failed")
        self.assertIn("bookkeeping system 1.0, where tax rule 21", export.last_error)
        self.assertIn("EU business customer with VAT ID", export.last_error)
        self.assertFalse(self.fake.invoices)


@tagged("post_install", "-at_install")
class TestSevdeskRouteSituations(ProviderRouteSituationMixin, SevdeskCase, TmsSyncGermanCase):
    """The tax situations of the route (VAT by route) billed to sevDesk."""

    def test_each_situation_of_the_route_gets_its_rule_or_is_refused(self):
        invoices = self._route_invoices()
        exempt_text = "Steuerfreie grenzüberschreitende Güterbeförderung (§ 4 Nr. 3 Buchst. a UStG)"
        expected = {
            # situation: (taxRule, taxText, rate, sumGross)
            "export_import_exempt": ("4", exempt_text, 0.0, 100.0),
            "third_country_route": (
                "17",
                "Nicht im Inland steuerbare Leistung (Beförderung im Drittlandsgebiet)",
                0.0,
                100.0,
            ),
            "third_country_private": ("1", "Umsatzsteuer", 19.0, 119.0),
        }
        for situation, (rule, text, rate, gross) in expected.items():
            with self.subTest(situation=situation):
                move = invoices[situation]
                export, _calls = self._send(move)
                self.assertEqual(export.state, "sent", export.last_error)
                [invoice] = self.fake.invoices_with_marker(export.marker)
                self.assertEqual(invoice["taxRule"], {"id": rule, "objectName": "TaxRule"})
                self.assertEqual(invoice["taxText"], text)
                [position] = invoice["positions"]
                self.assertEqual(position["taxRate"], rate)
                self.assertEqual(invoice["sumGross"], gross)
        # Austrian VAT: rule 20 (One-Stop-Shop) has no documented rates.
        self._assert_refused_before_any_call(
            invoices["eu_private_abroad"], "One Stop Shop (other service)", "§ 3b Abs. 3 UStG"
        )

    def test_bookkeeping_one_says_what_it_cannot_bill_and_refuses_it_before_any_call(self):
        invoices = self._route_invoices()
        self.fake.bookkeeping_version = "1.0"
        action = self.backend.action_test_connection()
        self.assertEqual(action["params"]["type"], "warning")
        message = action["params"]["message"]
        self.assertIn("bookkeeping system 1.0, where tax rules 4, 21 have no tax type", message)
        self.assertIn('"EU business customer with VAT ID"', message)
        self.assertIn('"Transport of exported or imported goods, tax-free', message)
        self.assertNotIn("Domestic customer", message)
        # Known since the test: not a single call.
        self._assert_refused_before_any_call(
            invoices["export_import_exempt"], "bookkeeping system 1.0", "tax rule 4"
        )
        # Rule 17 has its old tax type (noteu): sent.
        export, _calls = self._send(invoices["third_country_route"])
        self.assertEqual(export.state, "sent", export.last_error)
        [invoice] = self.fake.invoices_with_marker(export.marker)
        self.assertEqual(invoice["taxType"], "noteu")

    def test_the_refusal_is_worded_in_german(self):
        self._load_german()
        self.company.partner_id.lang = "de_DE"
        invoices = self._route_invoices()
        export = self._assert_refused_before_any_call(invoices["eu_private_abroad"])
        self.assertIn("Umsatzsteuer jenes Staates", export.last_error)
