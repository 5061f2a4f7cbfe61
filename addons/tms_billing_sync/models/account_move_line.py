from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _tms_prepare_export_line(self, gross):
        """One invoice line of the plain draft (see ``_tms_prepare_export_draft``)."""
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
            "unit_name": self.move_id.tms_unit_name or self.product_uom_id.name,
            "unit_price": taxes["total_included"] if gross else taxes["total_excluded"],
            "tax_rate": sum(
                self.tax_ids.filtered(lambda t: t.amount_type == "percent").mapped("amount")
            ),
            "discount": self.discount,
        }
