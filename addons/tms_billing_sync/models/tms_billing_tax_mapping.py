from odoo import fields, models

from odoo.addons.tms_billing.engine.vocabulary import TAX_SITUATIONS


class TmsBillingTaxMapping(models.Model):
    """How a connection tells its accounting system one tax situation.

    Provider addons add the field that holds their own code (lexoffice's tax type,
    sevDesk's tax rule), its documented defaults and the checks against the provider's
    rule-to-rate table.
    """

    _name = "tms.billing.tax.mapping"
    _description = "Tax Treatment in an Accounting System"
    _order = "backend_id, id"

    backend_id = fields.Many2one(
        "tms.billing.backend",
        string="Accounting System",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    provider = fields.Selection(related="backend_id.provider")
    situation = fields.Selection(TAX_SITUATIONS, string="Tax Situation", required=True)
    tax_note = fields.Char(
        help="The note on the tax treatment printed on the invoice: sevDesk's tax text, "
        "lexoffice's note on tax-free invoices (empty: the organisation's default).",
    )

    _sql_constraints = [
        (
            "backend_situation_unique",
            "UNIQUE(backend_id, situation)",
            "Each tax situation is mapped once per accounting system.",
        ),
    ]
