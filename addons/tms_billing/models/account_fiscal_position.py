from odoo import api, fields, models

from ..engine import fiscal_position_fits, fiscal_position_situation, tax_situation
from ..engine.vocabulary import TAX_SITUATIONS
from .tms_billing_client_access import check_client_create, check_client_write, merge_access


class AccountFiscalPosition(models.Model):
    _inherit = "account.fiscal.position"

    tms_tax_situation = fields.Selection(
        TAX_SITUATIONS,
        string="Tax Situation (Accounting Systems)",
        help="How invoices with this fiscal position are taxed, as Lexware Office and "
        "sevDesk are told, and which transports get this position (VAT by route). Empty: "
        "known for the German localisation's positions, else from the customer's country "
        "and VAT ID. A position for the VAT of another member state (a private "
        "customer's transport beginning there) names that country.",
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

    # -- the tax situation of a position (VAT by route) ------------------------------

    def _tms_known_situations(self):
        """``{position id: situation}`` of these positions that say theirs: set on the
        position, or known for the German localisation's positions (None otherwise)."""
        if not self:
            return {}
        xml_ids = self.get_external_id()
        return {
            position.id: position.tms_tax_situation
            or fiscal_position_situation(xml_ids.get(position.id))
            or None
            for position in self
        }

    def _tms_situation_for(self, partner, company, known=None):
        """The tax situation this position (or none) gives ``partner``'s invoices of
        ``company``: its own (``_tms_known_situations``, or ``known`` read for many),
        else as the countries and the customer's VAT ID say."""
        if self:
            self.ensure_one()
            situation = (known if known is not None else self._tms_known_situations()).get(self.id)
            if situation:
                return situation
        partner = partner.commercial_partner_id
        europe = self.env.ref("base.europe", raise_if_not_found=False)
        return tax_situation(
            company.account_fiscal_country_id.code or company.country_id.code,
            partner.country_id.code,
            bool(partner.vat),
            set(europe.country_ids.mapped("code")) if europe else set(),
        )

    @api.model
    def _tms_positions_by_situation(self, company):
        """The company's fiscal positions that say their situation, in their sequence:
        ``[(position, situation)]``, where a transport of a situation finds its own."""
        positions = self.with_company(company).search(self._check_company_domain(company))
        known = positions._tms_known_situations()
        return [(position, known[position.id]) for position in positions if known[position.id]]

    @api.model
    def _tms_position_of(self, candidates, situation, loading=None):
        """The first of ``candidates`` (``_tms_positions_by_situation``) that fits
        ``situation``, the one of that very situation first; else an empty recordset.
        ``loading``: the ISO code of the country where the transport begins."""
        fitting = [
            (known == situation, position)
            for position, known in candidates
            if fiscal_position_fits(situation, known, position.country_id.code, loading)
        ]
        exact = [position for same, position in fitting if same]
        return (exact or [position for _same, position in fitting] or [self.browse()])[0]
