from odoo import models

from .account_edi_common import NOT_SUBJECT_TO_VAT
from .transport_facts import ORDER_NUMBER_SCHEME, invoice_facts, line_facts


class AccountEdiXmlUBL20(models.AbstractModel):
    _inherit = "account.edi.xml.ubl_20"

    def _get_invoice_period_vals_list(self, invoice):
        """Override of `account_edi_ubl_cii` to state a collective invoice's period (BG-14)."""
        vals_list = super()._get_invoice_period_vals_list(invoice)
        facts = invoice_facts(invoice)
        if facts and facts["period"]:
            # cac:InvoicePeriod: cbc:StartDate (BT-73), cbc:EndDate (BT-74).
            start, end = facts["period"]
            return [{"start_date": start, "end_date": end}]
        return vals_list

    def _get_invoice_line_item_vals(self, line, taxes_vals):
        """Override of `account_edi_ubl_cii`: no rate on a line "Not subject to VAT"."""
        vals = super()._get_invoice_line_item_vals(line, taxes_vals)
        for category in vals.get("classified_tax_category_vals") or []:
            # [BR-O-05] An invoice line "where the VAT category code (BT-151) is "Not
            # subject to VAT" shall not contain an Invoiced item VAT rate (BT-152)"; the
            # breakdown keeps its rate 0 (BT-119, which XRechnung's BR-DE-14 requires).
            if category.get("id") == NOT_SUBJECT_TO_VAT:
                category["percent"] = None
        return vals

    def _get_invoice_line_vals(self, line, line_id, taxes_vals):
        """Override of `account_edi_ubl_cii` to give a transport line its dates and orders."""
        vals = super()._get_invoice_line_vals(line, line_id, taxes_vals)
        facts = line_facts(line)
        if not facts:
            return vals
        if facts["period"] and not vals.get("invoice_period_vals_list"):
            # cac:InvoiceLine/cac:InvoicePeriod: cbc:StartDate (BT-134), cbc:EndDate (BT-135).
            start, end = facts["period"]
            vals["invoice_period_vals_list"] = [{"start_date": start, "end_date": end}]
        if facts["order"]:
            # cac:InvoiceLine/cac:DocumentReference, cbc:DocumentTypeCode 130 (UNTDID 1001
            # "Invoicing data sheet", the code EN 16931's UBL binding fixes for BT-128);
            # rendered by data/account_edi_templates.xml.
            vals["tms_object_vals"] = {
                "id": facts["order"],
                "id_attrs": {"schemeID": ORDER_NUMBER_SCHEME},
                "document_type_code": "130",
            }
        if facts["note"] and not vals.get("note"):
            vals["note"] = facts["note"]  # cac:InvoiceLine/cbc:Note (BT-127)
        return vals
