from odoo import models

from .account_edi_common import TRANSPORT_EXPORT, transport_export


class AccountEdiXmlUBL21(models.AbstractModel):
    _inherit = "account.edi.xml.ubl_21"

    def _export_invoice_vals(self, invoice):
        """Override of `account_edi_ubl_cii` to state the buyer reference of every
        customer (BT-10), and a transport invoice's taxes as its tax situation says."""
        # The tax codes of a transport invoice's lines (account_edi_common.py).
        with TRANSPORT_EXPORT.enter(self.env, transport_export(invoice)):
            vals = super()._export_invoice_vals(invoice)
        # Odoo fills cbc:BuyerReference (BT-10) with the customer's internal reference
        # (``ref``), often empty, which XRechnung refuses (BR-DE-15): the Leitweg-ID,
        # else the company's chosen source (account_move.py).
        vals["vals"]["buyer_reference"] = invoice._tms_einvoice_buyer_reference()
        return vals
