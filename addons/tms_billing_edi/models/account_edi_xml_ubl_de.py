from odoo import models


class AccountEdiXmlUBLDE(models.AbstractModel):
    _inherit = "account.edi.xml.ubl_de"

    def _get_partner_party_vals(self, partner, role):
        """Override of `account_edi_ubl_cii` to give the buyer its electronic address
        (BT-49) from the customer as well as from the invoice contact."""
        vals = super()._get_partner_party_vals(partner, role)
        # PEPPOL-EN16931-R010 (merged into the XRechnung rules): "Buyer electronic
        # address MUST be provided". Odoo states the Peppol endpoint, else the e-mail of
        # the invoice contact only.
        if role == "customer" and not vals.get("endpoint_id"):
            address = partner._tms_electronic_address()
            if address:
                vals["endpoint_id"], scheme = address
                vals["endpoint_id_attrs"] = {"schemeID": scheme}
        return vals

    def _export_invoice_constraints(self, invoice, vals):
        """Override of `account_edi_ubl_cii`: no XRechnung without the buyer's electronic
        address (BT-49)."""
        constraints = super()._export_invoice_constraints(invoice, vals)
        constraints["tms_buyer_electronic_address"] = electronic_address_error(invoice)
        return constraints


def electronic_address_error(invoice):
    """Why ``invoice``'s XRechnung has no buyer electronic address, or None."""
    if invoice.partner_id._tms_electronic_address():
        return None
    return invoice.env._(
        "%(customer)s has no electronic address for XRechnung: enter its Peppol endpoint "
        "or an e-mail address on the customer.",
        customer=invoice.commercial_partner_id.display_name,
    )
