from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.tms_billing.engine.vocabulary import TAXED_SITUATIONS
from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access

# taxConditions.taxType of lexoffice invoices (developers.lexware.io/docs,
# #invoices-endpoint-tax-conditions-details); "net" and "gross" are one choice here,
# "taxable", since the invoice's own net/gross mode decides between them.
LEXOFFICE_TAX_TYPES = [
    ("taxable", "Taxable: net or gross, as the invoice"),
    ("vatfree", "vatfree: tax-free (Steuerfrei)"),
    ("intraCommunitySupply", "intraCommunitySupply: intra-EU supply of goods, § 13b UStG"),
    ("constructionService13b", "constructionService13b: construction services, § 13b UStG"),
    ("externalService13b", "externalService13b: services within the EU, § 13b UStG"),
    ("thirdPartyCountryService", "thirdPartyCountryService: services to third countries"),
    ("thirdPartyCountryDelivery", "thirdPartyCountryDelivery: exports to third countries"),
    ("photovoltaicEquipment", "photovoltaicEquipment: 0 % for photovoltaic installations"),
]


class TmsBillingTaxMapping(models.Model):
    _inherit = "tms.billing.tax.mapping"

    lexoffice_tax_type = fields.Selection(
        LEXOFFICE_TAX_TYPES,
        string="lexoffice Tax Type",
        help="The tax type of the invoice in lexoffice. Every type but net/gross allows "
        "0 % lines only, and all of them but vatfree need a linked lexoffice contact.",
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the provider's code of a situation
        is the managers' choice."""
        return merge_access(
            super()._tms_write_access(),
            {"tms_billing.group_tms_billing_manager": {"lexoffice_tax_type"}},
        )

    @api.constrains("lexoffice_tax_type", "situation", "backend_id", "refuse")
    def _check_lexoffice_tax_type(self):
        for mapping in self.filtered(
            lambda mapping: mapping.provider == "lexoffice" and not mapping.refuse
        ):
            if not mapping.lexoffice_tax_type:
                raise ValidationError(
                    self.env._("lexoffice needs a tax type for every tax situation.")
                )
            # unitPrice.taxRatePercentage: "For vat-free sales vouchers the tax rate
            # percentage must be 0" (#invoices-endpoint-line-items-details).
            if mapping.situation in TAXED_SITUATIONS and mapping.lexoffice_tax_type != "taxable":
                raise ValidationError(
                    self.env._(
                        "lexoffice tax type %(tax_type)s allows 0 %% only, but invoices of "
                        "this situation carry 7 or 19 %% VAT: choose net/gross.",
                        tax_type=mapping.lexoffice_tax_type,
                    )
                )
            # "For tax-exempt organizations vat-free (Steuerfrei) invoices can be created
            # exclusively." (#invoices-endpoint, Purpose)
            if mapping.situation == "small_business" and mapping.lexoffice_tax_type != "vatfree":
                raise ValidationError(
                    self.env._(
                        "A small business can only create tax-free (vatfree) invoices in lexoffice."
                    )
                )
