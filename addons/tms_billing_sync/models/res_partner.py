from odoo import api, fields, models

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access


class ResPartner(models.Model):
    _inherit = "res.partner"

    tms_partner_link_ids = fields.One2many(
        "tms.billing.partner.link", "partner_id", string="Accounting System Links"
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing`: links are made by the contact wizard and the
        pushes, not through the customer."""
        return merge_access(super()._tms_write_access(), {"nobody": {"tms_partner_link_ids"}})

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing`: linking customers to accounting system contacts is
        for Transport Billing users."""
        return merge_access(
            super()._tms_method_access(),
            {"action_tms_link_contact": {"tms_billing.group_tms_billing_user"}},
        )

    def _tms_address_values(self):
        """This postal address as the providers' mappers take it."""
        self.ensure_one()
        return {
            "street": ", ".join(filter(None, [self.street, self.street2])) or None,
            "zip": self.zip or None,
            "city": self.city or None,
            "country_code": self.country_id.code or None,
            "country_name": self.country_id.name or None,
        }

    def action_tms_link_contact(self):
        """Find or create this customer's contact in an accounting system."""
        self.ensure_one()
        self.check_access("read")
        self.env["tms.billing.partner.link"].check_access("create")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "tms_billing_sync.tms_billing_contact_wizard_action"
        )
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
