from odoo import models


class AccountAnalyticDistributionModel(models.Model):
    _inherit = "account.analytic.distribution.model"

    def _get_distribution(self, vals):
        """Override of `account` to remember the answer for an invoicing run (speed only)."""
        # Computed once per invoice line by Odoo; the lines of a transport run repeat a
        # few products and partners, so remember the answer for the run, and skip the
        # look-ups entirely when no distribution model exists.
        memo = self.env["sale.order"]._tms_run_memo("analytic_distribution")
        if memo is None:
            return super()._get_distribution(vals)
        models_exist = self.env["sale.order"]._tms_run_memo("analytic_models_exist")
        companies = tuple(self.env.companies.ids)
        if companies not in models_exist:
            models_exist[companies] = bool(self.search_count([], limit=1))
        if not models_exist[companies]:
            return {}
        key = (
            self.env.company.id,
            companies,
            *sorted(
                (name, tuple(value) if isinstance(value, list) else value)
                for name, value in vals.items()
            ),
        )
        if key not in memo:
            memo[key] = super()._get_distribution(vals)
        return dict(memo[key])
