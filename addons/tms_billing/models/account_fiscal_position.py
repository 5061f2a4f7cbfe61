from odoo import api, fields, models

from ..engine.vocabulary import TAX_SITUATIONS
from .tms_billing_client_access import check_client_create, check_client_write, merge_access


class AccountFiscalPosition(models.Model):
    _inherit = "account.fiscal.position"

    tms_tax_situation = fields.Selection(
        TAX_SITUATIONS,
        string="Tax Situation (Accounting Systems)",
        help="How invoices with this fiscal position are taxed, as Lexware Office and "
        "sevDesk are told. Empty: known for the German localisation's positions, else "
        "from the customer's country and VAT ID.",
    )

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
        """Override of `tms_billing.client.access`: whoever configures fiscal positions
        (Odoo's access rights) says how they are taxed."""
        return merge_access(super()._tms_write_access(), {"*": {"tms_tax_situation"}})

    def _get_fpos_ranking_functions(self, partner):
        """Override of `account` to keep positions for other EU countries from customers
        in the company's own country."""
        # Odoo ranks "VAT ID required" above "country matches", so l10n_de's "EU with VAT
        # ID" position (country group Europe, no country) beats "Inland" (country DE) for
        # every German customer with a VAT ID: domestic invoices without VAT. A position
        # for the Europe group that requires a VAT ID, and names no country, is the one for
        # businesses in other member states; a customer at home never gets it.
        home = self.env.company.account_fiscal_country_id
        europe = self.env.ref("base.europe", raise_if_not_found=False)
        domestic = bool(home) and partner.country_id == home

        def not_for_domestic(fpos):
            return not (
                domestic
                and fpos.vat_required
                and fpos.country_group_id == europe
                and not fpos.country_id
            )

        return [
            ("tms_not_intra_eu_at_home", not_for_domestic),
            *super()._get_fpos_ranking_functions(partner),
        ]
