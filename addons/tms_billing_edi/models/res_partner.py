from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    tms_buyer_reference = fields.Char(
        string="Buyer Reference (Leitweg-ID)",
        help="The reference the customer wants on its e-invoices (EN 16931 BT-10 "
        '"Buyer reference"); for German public authorities their Leitweg-ID. '
        "Without it, Odoo's own buyer reference is used.",
    )

    @api.model
    def _commercial_fields(self):
        """Override of `base`: contacts invoice with their company's buyer reference."""
        return [*super()._commercial_fields(), "tms_buyer_reference"]
