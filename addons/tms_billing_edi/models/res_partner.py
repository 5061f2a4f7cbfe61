from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access

from ..leitweg import CHECK_DIGITS, leitweg_id_error


class ResPartner(models.Model):
    _inherit = "res.partner"

    tms_buyer_reference = fields.Char(
        string="Buyer Reference (Leitweg-ID)",
        help="The reference the customer wants on its e-invoices (EN 16931 BT-10 "
        '"Buyer reference"); for German public authorities their Leitweg-ID. '
        "Without it, Odoo's own buyer reference is used.",
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing`: the buyer reference is customer data, entered by
        whoever edits the customer."""
        return merge_access(super()._tms_write_access(), {"*": {"tms_buyer_reference"}})

    @api.constrains("tms_buyer_reference")
    def _check_tms_buyer_reference(self):
        for partner in self.filtered("tms_buyer_reference"):
            error = leitweg_id_error(partner.tms_buyer_reference)
            if error == CHECK_DIGITS:
                raise ValidationError(
                    self.env._(
                        "%(value)s is not a Leitweg-ID: its check digits do not match. "
                        "Copy it again from the customer's order.",
                        value=partner.tms_buyer_reference,
                    )
                )
            if error:
                raise ValidationError(
                    self.env._(
                        "%(value)s is not a Leitweg-ID: it is written as 2 to 12 digits, "
                        "a hyphen, up to 30 letters or digits, a hyphen and two check "
                        "digits (e.g. 04011000-12345-03).",
                        value=partner.tms_buyer_reference[:60],
                    )
                )

    @api.model
    def _commercial_fields(self):
        """Override of `base`: contacts invoice with their company's buyer reference."""
        return [*super()._commercial_fields(), "tms_buyer_reference"]
