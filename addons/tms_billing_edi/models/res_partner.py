from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access

from ..leitweg import CHECK_DIGITS, leitweg_id_error


class ResPartner(models.Model):
    _inherit = "res.partner"

    tms_buyer_reference = fields.Char(
        string="Buyer Reference (Leitweg-ID)",
        help="The Leitweg-ID of a German public buyer, for its e-invoices (EN 16931 BT-10 "
        '"Buyer reference"). Without it, the buyer reference comes from the source set in '
        "the Settings (Transport Billing): the order reference or the customer number.",
    )
    invoice_edi_format = fields.Selection(
        selection_add=[("tms_xrechnung_cii", "XRechnung CIUS (CII)")],
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing`: the buyer reference and the e-invoice format are
        customer data, entered by whoever edits the customer."""
        return merge_access(
            super()._tms_write_access(), {"*": {"tms_buyer_reference", "invoice_edi_format"}}
        )

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

    def _tms_customer_number(self):
        """The customer number an e-invoice states (BT-10 without Leitweg-ID): the
        customer's Reference (``ref``), else its id in Odoo, which never changes."""
        partner = self.commercial_partner_id
        return partner.ref or str(partner.id)

    def _tms_electronic_address(self):
        """``(address, scheme)`` where this invoice contact receives e-invoices (BT-49
        with BT-49-1): the customer's Peppol endpoint (Odoo's fields, the scheme its
        EAS code), else the contact's or the customer's e-mail (scheme ``EM``); None
        without either."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if partner.peppol_endpoint and partner.peppol_eas:
            return partner.peppol_endpoint, partner.peppol_eas
        email = self.email or partner.email
        return (email, "EM") if email else None

    @api.model
    def _get_ubl_cii_formats_info(self):
        """Override of `account_edi_ubl_cii`: XRechnung in CII, for German customers."""
        formats = super()._get_ubl_cii_formats_info()
        formats["tms_xrechnung_cii"] = {"countries": ["DE"], "on_peppol": False, "sequence": 150}
        return formats

    @api.model
    def _get_edi_builder(self, invoice_edi_format):
        """Override of `account_edi_ubl_cii`: the builder of XRechnung in CII."""
        if invoice_edi_format == "tms_xrechnung_cii":
            return self.env["account.edi.xml.cii_xrechnung"]
        return super()._get_edi_builder(invoice_edi_format)

    @api.model
    def _commercial_fields(self):
        """Override of `base`: contacts invoice with their company's buyer reference."""
        return [*super()._commercial_fields(), "tms_buyer_reference"]
