from odoo import api, fields, models

from odoo.addons.tms_billing.engine.vocabulary import TAX_SITUATIONS
from odoo.addons.tms_billing.models.tms_billing_client_access import grant_access, merge_access


class TmsBillingTaxMapping(models.Model):
    """How a connection tells its accounting system one tax situation.

    Provider addons add the field that holds their own code (lexoffice's tax type,
    sevDesk's tax rule), its documented defaults and the checks against the provider's
    rule-to-rate table.
    """

    _name = "tms.billing.tax.mapping"
    _inherit = ["tms.billing.client.access"]
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
    refuse = fields.Boolean(
        help="The provider documents no code for this situation: its invoices are "
        "refused before any call, saying why, and are written there by hand. Choose a "
        "code instead once the provider and your tax adviser confirm one.",
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: managers say how their connection
        tells each situation; which situation of which connection a row is stays."""
        return merge_access(
            super()._tms_write_access(),
            {
                "tms_billing.group_tms_billing_manager": {"tax_note", "refuse"},
                "nobody": {"backend_id", "company_id", "provider", "situation"},
            },
        )

    @api.model
    def _tms_create_access(self):
        """Override of `tms_billing.client.access`: a row is added for a situation of
        a connection."""
        return grant_access(
            self._tms_write_access(),
            "tms_billing.group_tms_billing_manager",
            {"backend_id", "situation"},
        )

    _sql_constraints = [
        (
            "backend_situation_unique",
            "UNIQUE(backend_id, situation)",
            "Each tax situation is mapped once per accounting system.",
        ),
    ]
