from odoo import fields, models

from ..const import TAX_SITUATIONS


class AccountFiscalPosition(models.Model):
    _inherit = "account.fiscal.position"

    tms_tax_situation = fields.Selection(
        TAX_SITUATIONS,
        string="Tax Situation (Accounting Systems)",
        help="How invoices with this fiscal position are taxed, as Lexware Office and "
        "sevDesk are told. Empty: known for the German localisation's positions, else "
        "from the customer's country and VAT ID.",
    )

    def _get_fiscal_position(self, partner, delivery=None):
        """Override of `account` to remember the answer for an invoicing run (speed only)."""
        # Odoo looks the position up once per order; a transport run bills many orders
        # of the same few recipients, so remember the answer for the run.
        memo = self.env["sale.order"]._tms_run_memo("fiscal_position")
        if memo is None:
            return super()._get_fiscal_position(partner, delivery=delivery)
        key = (partner.id, delivery.id if delivery else None, self.env.company.id)
        if key not in memo:
            memo[key] = super()._get_fiscal_position(partner, delivery=delivery).id
        return self.browse(memo[key])
