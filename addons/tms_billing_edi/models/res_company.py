from odoo import api, fields, models

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access

# Where the buyer reference (EN 16931 BT-10) of a customer without Leitweg-ID comes from.
ORDER_REFERENCE = "order_reference"
CUSTOMER_NUMBER = "customer_number"
BUYER_REFERENCE_SOURCES = [
    (ORDER_REFERENCE, "The customer's order reference, else the customer number"),
    (CUSTOMER_NUMBER, "The customer number"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    tms_buyer_reference_source = fields.Selection(
        BUYER_REFERENCE_SOURCES,
        string="E-Invoice Buyer Reference",
        default=ORDER_REFERENCE,
        required=True,
        help="The buyer reference (BT-10) of e-invoices to customers without a Leitweg-ID. "
        "The order reference is the one the customer gave on its orders (one for all "
        "orders of the invoice); the customer number is the customer's Reference field, "
        "else its number in Odoo.",
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing`: the buyer reference source is company
        configuration, set in the Settings."""
        return merge_access(
            super()._tms_write_access(), {"base.group_system": {"tms_buyer_reference_source"}}
        )
