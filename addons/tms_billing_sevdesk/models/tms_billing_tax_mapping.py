from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.tms_billing.engine.vocabulary import TAXED_SITUATIONS
from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access

from ..api.mapper import TAX_RULE_RATES

# The revenue tax rules of sevDesk invoices (openapi.yaml L4, "Tax Rules"; the rule-rate
# table is TAX_RULE_RATES). The One Stop Shop rules 18-20 are left out: their rates
# depend on the country and the file does not list them.
SEVDESK_TAX_RULES = [
    ("1", "1: Taxable sales (Umsatzsteuerpflichtige Umsätze)"),
    ("2", "2: Exports (Ausfuhren)"),
    ("3", "3: Intra-EU supplies (Innergemeinschaftliche Lieferungen)"),
    ("4", "4: Tax-free sales, § 4 UStG"),
    ("5", "5: Reverse charge, § 13b UStG (field 60)"),
    ("11", "11: Small business, § 19 UStG"),
    ("17", "17: Not taxable in Germany (Nicht im Inland steuerbare Leistung)"),
    ("21", "21: Reverse charge, § 18b UStG (field 21)"),
]


class TmsBillingTaxMapping(models.Model):
    _inherit = "tms.billing.tax.mapping"

    sevdesk_tax_rule = fields.Selection(
        SEVDESK_TAX_RULES,
        string="sevDesk Tax Rule",
        help="The tax rule of the invoice in sevDesk; its tax rates must fit the invoice "
        "lines' (rule 1 and 3: 0, 7 or 19 %, the others 0 %).",
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the provider's code of a situation
        is the managers' choice."""
        return merge_access(
            super()._tms_write_access(),
            {"tms_billing.group_tms_billing_manager": {"sevdesk_tax_rule"}},
        )

    @api.constrains("sevdesk_tax_rule", "tax_note", "backend_id", "refuse")
    def _check_sevdesk_tax_rule(self):
        for mapping in self.filtered(
            lambda mapping: mapping.provider == "sevdesk" and not mapping.refuse
        ):
            if not mapping.sevdesk_tax_rule or not mapping.tax_note:
                # Model_Invoice requires taxRule and taxText (openapi.yaml L12838-12851).
                raise ValidationError(
                    self.env._("sevDesk needs a tax rule and a tax text for every situation.")
                )
            if mapping.situation in TAXED_SITUATIONS and not (
                {7.0, 19.0} <= TAX_RULE_RATES[mapping.sevdesk_tax_rule]
            ):
                raise ValidationError(
                    self.env._(
                        "sevDesk tax rule %(rule)s allows 0 %% only, but invoices of this "
                        "situation carry 7 or 19 %% VAT: choose rule 1.",
                        rule=mapping.sevdesk_tax_rule,
                    )
                )
