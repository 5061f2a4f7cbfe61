from odoo import models

from .account_edi_common import TRANSPORT_EXPORT, transport_export, without_vat_ids
from .account_edi_xml_ubl_bis3 import seller_tax_number
from .account_edi_xml_ubl_de import electronic_address_error
from .transport_facts import ORDER_NUMBER_SCHEME, invoice_facts, line_facts

# ram:GuidelineSpecifiedDocumentContextParameter (BT-24): Factur-X's EN 16931 profile,
# which Odoo's Factur-X files state for transport invoices instead of EXTENDED (their
# content is EN 16931's, so the recipient can read them with EN 16931's rules).
FACTURX_EN16931 = "urn:cen.eu:en16931:2017"
# XRechnung 3.0 (the KoSIT validator configuration's "XRechnung CII" scenario), with the
# business process (BT-23) of Peppol BIS Billing 3.0 that XRechnung's examples state.
XRECHNUNG_3 = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


class AccountEdiXmlCII(models.AbstractModel):
    _inherit = "account.edi.xml.cii"

    def _export_invoice_vals(self, invoice):
        """Override of `account_edi_ubl_cii` to state the buyer reference and the
        electronic addresses of every customer, and a transport invoice's profile,
        dates, orders and taxes."""
        with TRANSPORT_EXPORT.enter(self.env, transport_export(invoice)):
            vals = super()._export_invoice_vals(invoice)
            vals["tms_without_vat_ids"] = bool(transport_export(invoice)) and without_vat_ids(
                invoice
            )
        # ram:BuyerReference (BT-10): the Leitweg-ID, else the company's chosen source.
        vals["buyer_reference"] = invoice._tms_einvoice_buyer_reference()
        # ram:URIUniversalCommunication (BT-34, BT-49), rendered by
        # data/account_edi_templates.xml.
        vals["tms_seller_address"] = invoice.company_id.partner_id._tms_electronic_address()
        vals["tms_buyer_address"] = invoice.partner_id._tms_electronic_address()
        # ram:SpecifiedTaxRegistration with scheme FC (BT-32): the tax number.
        vals["tms_seller_tax_number"] = seller_tax_number(invoice.company_id)
        # Odoo states the seller's and buyer's registration (BT-30, BT-47) with the
        # scheme of the French SIRENE (0002); a German register entry has none.
        vals["tms_registration_without_scheme"] = invoice.company_id.country_id.code == "DE"
        facts = invoice_facts(invoice)
        if not facts:
            return vals
        vals["document_context_id"] = FACTURX_EN16931
        # Odoo puts the invoice and due dates in ram:BillingSpecifiedPeriod (BG-14): a
        # collective invoice has its billing period there, a single invoice none.
        vals["billing_start"], vals["billing_end"] = facts["period"] or (None, None)
        # ram:ActualDeliverySupplyChainEvent (BT-72): Odoo's delivery date, or the invoice
        # date; a collective invoice covers a period instead.
        vals["scheduled_delivery_time"] = facts["delivery_date"]
        for line_vals in vals["invoice_line_vals_list"]:
            facts = line_facts(line_vals["line"])
            if not facts:
                continue
            # Rendered by data/account_edi_templates.xml.
            line_vals["tms_period"] = facts["period"]  # BG-26
            line_vals["tms_note"] = facts["note"]  # BT-127
            line_vals["tms_object_id"] = facts["order"]  # BT-128
            line_vals["tms_object_scheme"] = ORDER_NUMBER_SCHEME  # BT-128-1
        return vals


class AccountEdiXmlCIIXRechnung(models.AbstractModel):
    """XRechnung in the CII syntax: the Factur-X file of Odoo, with XRechnung's
    specification identifier and business process, for customers who choose it."""

    _name = "account.edi.xml.cii_xrechnung"
    _inherit = "account.edi.xml.cii"
    _description = "XRechnung CIUS (CII)"

    def _export_invoice_filename(self, invoice):
        return f"{invoice.name.replace('/', '_')}_xrechnung_cii.xml"

    def _export_invoice_vals(self, invoice):
        vals = super()._export_invoice_vals(invoice)
        vals["document_context_id"] = XRECHNUNG_3  # BT-24
        vals["tms_business_process"] = PEPPOL_BILLING  # BT-23
        return vals

    def _export_invoice_constraints(self, invoice, vals):
        constraints = super()._export_invoice_constraints(invoice, vals)
        constraints["tms_buyer_electronic_address"] = electronic_address_error(invoice)
        return constraints
