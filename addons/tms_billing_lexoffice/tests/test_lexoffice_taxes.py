from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.tms_billing_sync.tests.common import TmsSyncGermanCase
from odoo.addons.tms_billing_sync.tests.provider_push import (
    ProviderRouteSituationMixin,
    ProviderTaxSituationMixin,
)

from .common import LexofficeCase


@tagged("post_install", "-at_install")
class TestLexofficeTaxSituations(ProviderTaxSituationMixin, LexofficeCase, TmsSyncGermanCase):
    """A German haulier on Odoo's German chart bills each tax situation to lexoffice."""

    def test_each_situation_gets_its_tax_type_rates_prices_and_country(self):
        expected = {
            # situation: (taxType, rate, price key, unit price, country)
            "domestic_net": ("net", 19.0, "netAmount", 100.0, "DE"),
            "domestic_gross": ("gross", 19.0, "grossAmount", 119.0, "DE"),
            "eu_business": ("externalService13b", 0.0, "netAmount", 100.0, "AT"),
            "eu_private": ("net", 19.0, "netAmount", 100.0, "AT"),
            "third_country": ("thirdPartyCountryService", 0.0, "netAmount", 100.0, "CH"),
        }

        def check(customer, move, invoice, tax_type, rate, price_key, price, country):
            self.assertEqual(invoice["taxConditions"], {"taxType": tax_type})
            [item] = invoice["lineItems"]
            self.assertEqual(item["unitPrice"]["taxRatePercentage"], rate)
            self.assertEqual(item["unitPrice"][price_key], price)
            self.assertEqual(invoice["address"]["countryCode"], country)
            self.assertEqual(invoice["address"]["name"], customer.name)
            self.assertEqual(
                invoice["address"]["contactId"],
                move.tms_export_ids.partner_id.tms_partner_link_ids.external_id,
            )

        self._assert_each_situation(expected, check)
        customers = self.situation_customers
        austrian = self.fake.contacts[customers["eu_business"].tms_partner_link_ids.external_id]
        self.assertEqual(
            austrian["company"],
            {
                "name": "Wiener Transporte GmbH",
                "vatRegistrationId": "ATU13585627",
                "allowTaxFreeInvoices": True,
            },
        )
        domestic = self.fake.contacts[customers["domestic_net"].tms_partner_link_ids.external_id]
        self.assertNotIn("allowTaxFreeInvoices", domestic["company"])

    def test_small_business_sends_vat_free_invoices(self):
        self.fake.small_business = True
        invoice = self._push_small_business_invoice()
        self.assertEqual(invoice["taxConditions"], {"taxType": "vatfree"})
        self.assertEqual(invoice["lineItems"][0]["unitPrice"]["taxRatePercentage"], 0.0)
        # The connection test sees the organisation as a small business too: no warning.
        action = self.backend.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")

    def test_connection_test_warns_of_a_small_business_mismatch(self):
        self.fake.small_business = True
        action = self.backend.action_test_connection()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("small business", action["params"]["message"])
        self.fake.small_business = False
        self.company.tms_small_business = True
        action = self.backend.action_test_connection()
        self.assertIn("does not mark the organisation", action["params"]["message"])

    def test_taxes_that_do_not_fit_the_situation_are_refused_before_any_call(self):
        export, calls = self._push_swiss_taxed_at_home()
        self.assertEqual(export.state, "failed")
        self.assertIn("do not fit lexoffice tax type thirdPartyCountryService", export.last_error)
        self.assertIn("Customer outside the EU", export.last_error)
        self.assertFalse(export.next_attempt_at)
        self.assertEqual(calls, [])

    def test_situation_without_mapping_is_refused_with_what_to_configure(self):
        self.backend.tax_mapping_ids.filtered(lambda m: m.situation == "eu_business").unlink()
        move = self._linked_situation_invoice("eu_business")
        calls = len(self.fake.requests)
        move.action_tms_send_exports()
        export = move.tms_export_ids
        self.assertEqual(export.state, "failed")
        self.assertIn('no tax treatment for "EU business customer with VAT ID"', export.last_error)
        self.assertIn("Taxes tab", export.last_error)
        self.assertEqual(len(self.fake.requests), calls)
        self.backend.action_reset_tax_mappings()
        self.assertEqual(len(self.backend.tax_mapping_ids), 9)

    def test_fiscal_position_decides_the_situation(self):
        """An Austrian with VAT ID whose fiscal position is set to domestic by hand is
        billed as Odoo taxes him: domestic."""
        austrian = self.situation_customers["eu_business"]
        self.assertEqual(austrian._tms_tax_situation(self.company), "eu_business")
        austrian.property_account_position_id = self._chart_ref("fiscal_position_domestic_skr03")
        self.assertEqual(austrian._tms_tax_situation(self.company), "domestic")
        position = self.env["account.fiscal.position"].create(
            {"name": "Drittland Sonderfall", "tms_tax_situation": "third_country"}
        )
        austrian.property_account_position_id = position
        self.assertEqual(austrian._tms_tax_situation(self.company), "third_country")
        # A position that says nothing: the countries and the VAT ID decide.
        position.tms_tax_situation = False
        self.assertEqual(austrian._tms_tax_situation(self.company), "eu_business")

    def test_vat_id_is_checked_and_prefixed_before_the_contact_is_created(self):
        austrian = self.situation_customers["eu_business"]
        austrian.vat = "U13585627"
        contact = self.backend._tms_create_contact(austrian)
        created = self.fake.contacts[contact["id"]]
        self.assertEqual(created["company"]["vatRegistrationId"], "ATU13585627")
        # A VAT ID that got past Odoo's check (imported unchecked) is refused before the call.
        austrian.with_context(no_vat_validation=True).vat = "ATU12345678"
        calls = len(self.fake.requests)
        with self.assertRaisesRegex(
            UserError, "VAT ID ATU12345678 of Wiener Transporte GmbH is not valid"
        ):
            self.backend._tms_create_contact(austrian)
        self.assertEqual(len(self.fake.requests), calls)

    def test_a_vat_id_from_outside_the_eu_stays_out_of_the_contact(self):
        """The VAT ID field is for contacts inside the EU and is checked (help centre,
        "Wie erstelle ich besondere Rechnungen?"): a Swiss UID is left out, and the
        contact is created without it; a Greek VAT ID gets its prefix EL."""
        swiss = self.situation_customers["third_country"]
        swiss.vat = "CHE-116.281.710 MWST"
        contact = self.backend._tms_create_contact(swiss)
        created = self.fake.contacts[contact["id"]]
        self.assertNotIn("vatRegistrationId", created["company"])
        self.assertTrue(created["company"]["allowTaxFreeInvoices"])
        greek = self._customer(
            "Piräus Cargo AE", country_id=self.env.ref("base.gr").id, vat="094259216"
        )
        contact = self.backend._tms_create_contact(greek)
        self.assertEqual(
            self.fake.contacts[contact["id"]]["company"]["vatRegistrationId"], "EL094259216"
        )

    def test_tax_mapping_is_checked_against_the_documented_rates_on_save(self):
        mappings = {m.situation: m for m in self.backend.tax_mapping_ids}
        with self.assertRaisesRegex(ValidationError, "externalService13b allows 0 % only"):
            mappings["domestic"].lexoffice_tax_type = "externalService13b"
        with self.assertRaisesRegex(ValidationError, "only create tax-free"):
            mappings["small_business"].lexoffice_tax_type = "taxable"
        mappings["third_country"].lexoffice_tax_type = "thirdPartyCountryDelivery"
        self.assertEqual(mappings["third_country"].lexoffice_tax_type, "thirdPartyCountryDelivery")


@tagged("post_install", "-at_install")
class TestLexofficeRouteSituations(ProviderRouteSituationMixin, LexofficeCase, TmsSyncGermanCase):
    """The tax situations of the route (VAT by route) billed to lexoffice: what its
    documentation names is sent, the rest refused before any call, saying why."""

    def test_each_situation_of_the_route_is_sent_or_refused_with_the_documentation(self):
        invoices = self._route_invoices()
        export, _calls = self._send(invoices["third_country_private"])
        self.assertEqual(export.state, "sent", export.last_error)
        [invoice] = self.fake.invoices_with_marker(export.marker)
        self.assertEqual(invoice["taxConditions"], {"taxType": "net"})
        self.assertEqual(invoice["lineItems"][0]["unitPrice"]["taxRatePercentage"], 19.0)
        self.assertEqual(invoice["address"]["countryCode"], "CH")
        refusals = {
            "export_import_exempt": "no tax type for a transport tax-free under § 4 Nr. 3 UStG",
            "third_country_route": "for invoices to third countries only",
            "eu_private_abroad": "no tax type for the VAT of another EU state",
        }
        for situation, text in refusals.items():
            with self.subTest(situation=situation):
                export = self._assert_refused_before_any_call(
                    invoices[situation], text, "developers.lexware.io/docs", "Taxes tab"
                )
                self.assertIn("does not send this invoice", export.last_error)

    def test_a_tax_type_chosen_for_a_refused_situation_is_sent(self):
        """Once lexoffice confirms a tax type for a situation, the manager chooses it."""
        invoices = self._route_invoices()
        mapping = self.backend.tax_mapping_ids.filtered(
            lambda mapping: mapping.situation == "third_country_route"
        )
        self.assertTrue(mapping.refuse)
        with self.assertRaisesRegex(ValidationError, "needs a tax type"):
            mapping.refuse = False
        mapping.write({"refuse": False, "lexoffice_tax_type": "thirdPartyCountryService"})
        export, _calls = self._send(invoices["third_country_route"])
        self.assertEqual(export.state, "sent", export.last_error)

    def test_the_refusal_is_worded_in_german(self):
        self._load_german()
        self.company.partner_id.lang = "de_DE"
        invoices = self._route_invoices()
        export = self._assert_refused_before_any_call(invoices["export_import_exempt"])
        self.assertIn("Steuerart", export.last_error)
