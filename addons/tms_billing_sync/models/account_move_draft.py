from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

# What a draft there is built from, on the invoice and on its lines: once the draft is
# there, these are changed there, not here (account_move.py locks them). The draft's
# test records every field the builder reads and holds it to these sets, so the lock
# cannot fall behind the builder.
DRAFT_MOVE_FIELDS = frozenset(
    {
        "move_type",
        "partner_id",
        "commercial_partner_id",
        "company_id",
        "currency_id",
        "fiscal_position_id",
        "invoice_date",
        "delivery_date",
        "invoice_payment_term_id",
        "invoice_origin",
        "ref",
        "narration",
        "reversed_entry_id",
        "invoice_line_ids",
        "line_ids",
        "tms_tax_mode",
        "tms_unit_name",
        "tms_period_start",
        "tms_period_end",
        "tms_invoicing_mode",
    }
)
DRAFT_LINE_FIELDS = frozenset(
    {
        "move_id",
        "display_type",
        "name",
        "product_id",
        "product_uom_id",
        "quantity",
        "price_unit",
        "discount",
        "tax_ids",
        "currency_id",
        "partner_id",
        "sequence",
    }
)


class AccountMove(models.Model):
    """The plain draft of an invoice or a credit note, as every provider's mapper takes
    it (``export_contract.InvoiceDraft``)."""

    _inherit = "account.move"

    def _tms_check_exportable(self, export):
        """Refuse, before anything is called or created, what cannot go to ``export``'s
        connection: anything but an open customer invoice, or a confirmed refund of an
        invoice sent there; an invoice whose orders' earlier draft is still there."""
        self.ensure_one()
        if self.move_type == "out_refund":
            if self.state != "posted":
                raise UserError(
                    self.env._(
                        "%(refund)s is not a confirmed refund: only confirmed refunds are "
                        "sent as credit notes.",
                        refund=self.display_name,
                    )
                )
            if not self._tms_refund_preceding_export(export):
                raise UserError(
                    self.env._(
                        "%(refund)s refunds %(invoice)s, which was not sent to %(backend)s: "
                        "the credit note can only follow its invoice there.",
                        refund=self.display_name,
                        invoice=self.reversed_entry_id.display_name or "-",
                        backend=export.backend_id.name,
                    )
                )
            return
        if self.state == "cancel" or self.move_type != "out_invoice":
            raise UserError(
                self.env._(
                    "%(invoice)s is not an open customer invoice.", invoice=self.display_name
                )
            )
        self._tms_check_no_earlier_draft(export.backend_id)

    def _tms_refund_preceding_export(self, export):
        """The row by which the invoice this refund reverses reached ``export``'s
        connection, or an empty recordset."""
        return self._tms_refund_origin_exports().filtered(
            lambda row: row.backend_id == export.backend_id
        )[:1]

    def _tms_prepare_export_draft(self, export, contact_id):
        """This invoice, or this refund as a credit note, for ``export``'s connection,
        addressed to the customer's contact ``contact_id`` there: ``kind`` is "invoice"
        or "credit_note"; a credit note names the invoice it refunds by its id there
        (``preceding_id``). ``_tms_check_exportable`` says whether it may be sent."""
        self.ensure_one()
        if self.move_type != "out_refund":
            return self._tms_export_draft_values(export, contact_id, kind="invoice")
        origin = self.reversed_entry_id
        preceding = self._tms_refund_preceding_export(export)
        draft = self._tms_export_draft_values(export, contact_id, kind="credit_note", origin=origin)
        draft.update(
            {
                "preceding_id": preceding.external_id,
                "preceding_number": preceding.external_number or origin.name,
            }
        )
        return draft

    @api.model
    def _tms_draft_period_end(self, invoice):
        """The end of ``invoice``'s billing period, the invoice date at the latest."""
        end = invoice.tms_period_end or None
        if end and invoice.invoice_date and end > invoice.invoice_date:
            end = max(invoice.invoice_date, invoice.tms_period_start or invoice.invoice_date)
        return end

    def _tms_export_draft_values(self, export, contact_id, kind, origin=None):
        """The draft of this move; a refund takes the delivery dates and billing period
        of the invoice it reverses, and its net/gross mode and unit name when it has none
        of its own."""
        origin = origin or self.browse()
        partner = self.commercial_partner_id
        address = self.partner_id
        # A credit note is of the invoice's deliveries: their dates are the invoice's
        # (sevDesk refuses other ones), not the refund's own date.
        dates = origin or self
        tax_mode = self.tms_tax_mode or origin.tms_tax_mode or "net"
        gross = tax_mode == "gross"
        term = self.invoice_payment_term_id
        # A refund without a unit name of its own counts as its invoice did.
        transport_unit = self.tms_unit_name or origin.tms_unit_name or None
        lines = [
            line._tms_prepare_export_line(gross, transport_unit)
            for line in self.invoice_line_ids
            if line.display_type == "product"
        ]
        return {
            "kind": kind,
            "marker": export.marker,
            "language": (partner.lang or self.env.lang or "de_DE")[:2],
            "tax_situation": self._tms_tax_situation(),
            "fiscal_position": self.fiscal_position_id.name or None,
            "reference": self.ref or self.invoice_origin or None,
            "customer_reference": self.ref or None,
            "invoice_date": self.invoice_date or fields.Date.context_today(self),
            "currency": self.currency_id.name,
            "tax_mode": tax_mode,
            "period_start": dates.tms_period_start or None,
            # Never past the invoice date, as on the PDF and in the e-invoice.
            "period_end": self._tms_draft_period_end(dates),
            "delivery_date": dates.delivery_date or None,
            "title": None,
            "introduction": self.invoice_origin or None,
            "remark": html2plaintext(self.narration).strip() if self.narration else None,
            "payment_term": term
            and {"label": term.name, "days": max(term.line_ids.mapped("nb_days") or [0])},
            "timezone": self.env.user.tz or "Europe/Berlin",
            "contact_id": contact_id or None,
            "customer_name": partner.display_name,
            "buyer_reference": export.backend_id._tms_buyer_reference(partner),
            "address": {
                "name": address.commercial_company_name or address.name,
                "supplement": address.name
                if address.parent_id and address.commercial_company_name
                else None,
                **address._tms_address_values(),
            },
            "lines": lines,
            "totals": {
                "net": self.amount_untaxed,
                "tax": self.amount_tax,
                "gross": self.amount_total,
            },
        }
