from odoo import api, models

from .account_move_draft import DRAFT_LINE_FIELDS


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `account` to add no line to a draft an accounting system holds."""
        moves = self.env["account.move"].browse(
            {vals["move_id"] for vals in vals_list if vals.get("move_id")}
        )
        moves._tms_check_unlocked(DRAFT_LINE_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        """Override of `account` to keep the lines of a draft an accounting system holds."""
        self.move_id._tms_check_unlocked(DRAFT_LINE_FIELDS & vals.keys())
        return super().write(vals)

    def unlink(self):
        """Override of `account` to keep the lines of a draft an accounting system holds."""
        self.move_id._tms_check_unlocked(DRAFT_LINE_FIELDS)
        return super().unlink()

    def _tms_prepare_export_line(self, gross, transport_unit=None):
        """One invoice line of the plain draft (see ``_tms_prepare_export_draft``), a
        transport service counted in ``transport_unit`` (default: its invoice's)."""
        self.ensure_one()
        name, _sep, description = (self.name or self.product_id.display_name or "").partition("\n")
        taxes = self.tax_ids.compute_all(
            self.price_unit,
            currency=self.currency_id,
            quantity=1.0,
            product=self.product_id,
            partner=self.partner_id,
        )
        return {
            "name": name.strip() or self.product_id.display_name,
            "description": description.strip() or None,
            "quantity": self.quantity,
            "unit_name": self._tms_unit_name(transport_unit) or "",
            "unit_code": "transport"
            if transport_unit and self.product_id.tms_transport_service
            else self.product_uom_id.get_external_id().get(self.product_uom_id.id) or None,
            "unit_price": taxes["total_included"] if gross else taxes["total_excluded"],
            "tax_rate": sum(
                self.tax_ids.filtered(lambda t: t.amount_type == "percent").mapped("amount")
            ),
            "discount": self.discount,
        }
