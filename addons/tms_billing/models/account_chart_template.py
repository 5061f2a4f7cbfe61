from odoo import models
from odoo.fields import Command
from odoo.tools import plaintext2html

from ..engine.vat_route import EXPORT_EXEMPT, NOT_TAXABLE_THIRD_COUNTRY_ROUTE
from ..engine.vocabulary import EXPORT_IMPORT_EXEMPT, THIRD_COUNTRY_PRIVATE, THIRD_COUNTRY_ROUTE

# The German charts of Odoo's localisation (l10n_de, data/template/*-de_skr0*.csv): their
# template ids of the sales taxes at 19 and 7 %, of the 0 % taxes of a tax-free
# transport ("Steuerfreier Umsatz mit Vorsteuerabzug (§ 4 Nr. 2-7)", field 43 of the VAT
# return) and of one not taxable in Germany ("Nicht steuerbare Umsätze", field 45), and
# of the revenue accounts they book to.
GERMAN_CHARTS = {
    "de_skr03": {
        "tax_19": "tax_ust_19_skr03",
        "tax_7": "tax_ust_7_skr03",
        "tax_exempt": "tax_free_skr03_mit_vst",
        "tax_not_taxable": "tax_not_taxable_skr03",
        "revenue_19": "account_8400",
        "revenue_7": "account_8300",
        # "Sonstige steuerfreie Umsätze (z. B. § 4 Nr. 2 bis 7 UStG)"
        "revenue_exempt": "account_8150",
        # "Erlöse aus im Drittland steuerbaren Leistungen, im Inland nicht steuerbare Umsätze"
        "revenue_not_taxable": "account_8338",
    },
    "de_skr04": {
        "tax_19": "tax_ust_19_skr04",
        "tax_7": "tax_ust_7_skr04",
        "tax_exempt": "tax_free_skr04_mit_vst",
        "tax_not_taxable": "tax_not_taxable_skr04",
        "revenue_19": "chart_skr04_4400",
        "revenue_7": "chart_skr04_4300",
        "revenue_exempt": "chart_skr04_4150",
        "revenue_not_taxable": "chart_skr04_4338",
    },
}

# The fiscal positions a German haulier needs beyond the localisation's, one for each
# situation of the route whose taxes differ from the customer's own position (the VAT of
# another member state depends on that state: the company adds its positions, e.g. with
# Odoo's EU One-Stop-Shop module, and gives them the situation). ``map``: the taxes and
# accounts (keys of GERMAN_CHARTS) mapped, ``note``: the statement the invoice prints.
ROUTE_FISCAL_POSITIONS = {
    "tms_fiscal_position_export_import": {
        "situation": EXPORT_IMPORT_EXEMPT,
        "name": (
            "Cross-border transport of goods, tax-free (§ 4 Nr. 3 UStG)",
            "Grenzüberschreitende Güterbeförderung, steuerfrei (§ 4 Nr. 3 UStG)",
        ),
        "taxes": "tax_exempt",
        "revenue": "revenue_exempt",
        "note": (EXPORT_EXEMPT.wording_en, EXPORT_EXEMPT.wording_de),
    },
    "tms_fiscal_position_third_country_route": {
        "situation": THIRD_COUNTRY_ROUTE,
        "name": (
            "Transport within a third country, not taxable in Germany",
            "Beförderung im Drittlandsgebiet, nicht im Inland steuerbar",
        ),
        "taxes": "tax_not_taxable",
        "revenue": "revenue_not_taxable",
        "note": (
            NOT_TAXABLE_THIRD_COUNTRY_ROUTE.wording_en,
            NOT_TAXABLE_THIRD_COUNTRY_ROUTE.wording_de,
        ),
    },
    # Taxed as at home (§ 3b Abs. 1 UStG): the customer's own position, for customers
    # outside the EU, would take the VAT off.
    "tms_fiscal_position_third_country_private": {
        "situation": THIRD_COUNTRY_PRIVATE,
        "name": (
            "Private customer outside the EU, taxed in Germany",
            "Privatkunde Drittland, Leistungsort Inland",
        ),
    },
}


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _post_load_data(self, template_code, company, template_data):
        """Override of `account` to give a German chart the fiscal positions of the
        route's tax situations."""
        result = super()._post_load_data(template_code, company, template_data)
        if template_code in GERMAN_CHARTS:
            self._tms_add_route_fiscal_positions(company or self.env.company, template_code)
        return result

    def _tms_add_route_fiscal_positions(self, company, template_code):
        """Create the positions of ROUTE_FISCAL_POSITIONS that ``company`` lacks (known
        by their external ids ``tms_billing.<company id>_<key>``)."""
        chart = GERMAN_CHARTS[template_code]
        template = self.with_company(company)
        langs = {code for code, _name in self.env["res.lang"].get_installed()}
        for key, spec in ROUTE_FISCAL_POSITIONS.items():
            xml_id = f"tms_billing.{company.id}_{key}"
            if self.env.ref(xml_id, raise_if_not_found=False):
                continue
            values = {
                "name": spec["name"][0],
                "company_id": company.id,
                "sequence": 20,
                "tms_tax_situation": spec["situation"],
            }
            if spec.get("taxes"):
                exempt = template.ref(chart[spec["taxes"]], raise_if_not_found=False)
                revenue = template.ref(chart[spec["revenue"]], raise_if_not_found=False)
                values["tax_ids"] = [
                    Command.create({"tax_src_id": source.id, "tax_dest_id": exempt.id})
                    for source in (
                        template.ref(chart["tax_19"], raise_if_not_found=False),
                        template.ref(chart["tax_7"], raise_if_not_found=False),
                    )
                    if source and exempt
                ]
                values["account_ids"] = [
                    Command.create({"account_src_id": source.id, "account_dest_id": revenue.id})
                    for source in (
                        template.ref(chart["revenue_19"], raise_if_not_found=False),
                        template.ref(chart["revenue_7"], raise_if_not_found=False),
                    )
                    if source and revenue
                ]
            if spec.get("note"):
                values["note"] = plaintext2html(spec["note"][0])
            position = self.env["account.fiscal.position"].sudo().create(values)
            if "de_DE" in langs:
                position.update_field_translations("name", {"de_DE": spec["name"][1]})
                if spec.get("note"):
                    # A translated HTML field is translated term by term: the paragraph.
                    position.update_field_translations(
                        "note", {"de_DE": {spec["note"][0]: spec["note"][1]}}
                    )
            self.env["ir.model.data"]._update_xmlids(
                [{"xml_id": xml_id, "record": position, "noupdate": True}]
            )
