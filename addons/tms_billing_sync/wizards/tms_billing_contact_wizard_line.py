from odoo import api, fields, models

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access


class TmsBillingContactWizardLine(models.TransientModel):
    """One contact found in the accounting system."""

    _name = "tms.billing.contact.wizard.line"
    _inherit = ["tms.billing.client.access"]
    _description = "Accounting System Contact Found"

    wizard_id = fields.Many2one("tms.billing.contact.wizard", required=True, ondelete="cascade")
    external_id = fields.Char(string="External ID", required=True)
    name = fields.Char(required=True)
    number = fields.Char(string="Customer Number")
    address = fields.Char()

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: what the accounting system
        answered, as the search found it; no client writes or adds a result."""
        return merge_access(
            super()._tms_write_access(),
            {"nobody": {"wizard_id", "external_id", "name", "number", "address"}},
        )

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: linking a contact found is for
        Transport Billing users, in their own searches."""
        return merge_access(
            super()._tms_method_access(), {"action_link": {"tms_billing.group_tms_billing_user"}}
        )

    def action_link(self):
        self.ensure_one()
        wizard = self.wizard_id
        wizard._check_may_link()
        wizard._check_not_linked()
        self.env["tms.billing.partner.link"].sudo()._tms_link(
            wizard.partner_id,
            wizard.backend_id,
            {"id": self.external_id, "number": self.number, "name": self.name},
        )
        return wizard._tms_done()
