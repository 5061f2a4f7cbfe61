from odoo import fields, models


class TmsBillingContactWizardLine(models.TransientModel):
    """One contact found in the accounting system."""

    _name = "tms.billing.contact.wizard.line"
    _description = "Accounting System Contact Found"

    wizard_id = fields.Many2one("tms.billing.contact.wizard", required=True, ondelete="cascade")
    external_id = fields.Char(string="External ID", required=True)
    name = fields.Char(required=True)
    number = fields.Char(string="Customer Number")
    address = fields.Char()

    def action_link(self):
        self.ensure_one()
        wizard = self.wizard_id
        wizard._check_may_link()
        wizard._check_not_linked()
        self.env["tms.billing.partner.link"]._tms_link(
            wizard.partner_id,
            wizard.backend_id,
            {"id": self.external_id, "number": self.number, "name": self.name},
        )
        return {"type": "ir.actions.act_window_close"}
