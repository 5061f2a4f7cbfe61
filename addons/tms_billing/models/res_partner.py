from odoo import api, fields, models

from ..engine import BillingPolicy
from ..engine.vocabulary import BILLING_INTERVALS, INVOICING_MODES, LINE_MODES, TAX_MODES
from .tms_billing_client_access import check_client_create, check_client_write, merge_access

# Policy fields: the company holds the defaults, a customer may override each one.
POLICY_FIELDS = (
    "tms_invoicing_mode",
    "tms_billing_interval",
    "tms_line_mode",
    "tms_tax_mode",
    "tms_unit_name",
    "tms_invoice_note",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Empty means "as the company's default"; contacts take their company's values. Each
    # company bills a shared customer its own way, as with Odoo's payment terms.
    tms_invoicing_mode = fields.Selection(
        INVOICING_MODES, string="Invoicing Mode", company_dependent=True
    )
    tms_billing_interval = fields.Selection(
        BILLING_INTERVALS, string="Billing Interval", company_dependent=True
    )
    tms_line_mode = fields.Selection(LINE_MODES, string="Invoice Lines", company_dependent=True)
    tms_tax_mode = fields.Selection(TAX_MODES, string="Net/Gross Mode", company_dependent=True)
    tms_unit_name = fields.Char(string="Transport Unit Name", company_dependent=True)
    tms_invoice_note = fields.Html(string="Transport Invoice Note", company_dependent=True)

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base` to refuse what the caller may not create with (the
        project's fields: ``_tms_write_access``)."""
        check_client_create(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        """Override of `base` to refuse what the caller may not write (the project's
        fields: ``_tms_write_access``)."""
        check_client_write(self, vals)
        return super().write(vals)

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: how a customer is billed is for
        Transport Billing users, not for everyone who may edit the customer."""
        return merge_access(
            super()._tms_write_access(), {"tms_billing.group_tms_billing_user": POLICY_FIELDS}
        )

    def _tms_also_writable(self, vals):
        """Override of `tms_billing.client.access`: contacts receive their company's
        billing settings by Odoo's sync, whoever edits the company or adds a contact."""
        if self and all(partner != partner.commercial_partner_id for partner in self):
            return set(POLICY_FIELDS)
        return super()._tms_also_writable(vals)

    def _commercial_fields(self):
        """Override of `base`: contacts share their company's billing settings."""
        return super()._commercial_fields() + list(POLICY_FIELDS)

    def _tms_billing_settings(self, company):
        """The effective billing settings of this customer in ``company``, as a dict."""
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(company)
        return {name: partner[name] or company[name] for name in POLICY_FIELDS}

    def _tms_billing_policy(self, company):
        settings = self._tms_billing_settings(company)
        return BillingPolicy(
            invoicing_mode=settings["tms_invoicing_mode"],
            interval=settings["tms_billing_interval"],
            line_mode=settings["tms_line_mode"],
            tax_mode=settings["tms_tax_mode"],
        )

    def _tms_tax_situation(self, company, fiscal_position=None):
        """How this customer is taxed by ``company``, as the accounting systems are told
        it: from the fiscal position (the invoice's, else the one Odoo finds for the
        customer) where that says it, set on the position or known for the German
        localisation's positions, else from the countries and the VAT ID."""
        self.ensure_one()
        if company.tms_small_business:
            return "small_business"
        partner = self.commercial_partner_id
        if fiscal_position is None:
            fiscal_position = (
                self.env["account.fiscal.position"]
                .with_company(company)
                ._get_fiscal_position(partner)
            )
        return fiscal_position._tms_situation_for(partner, company)
