from odoo import api, fields, models

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access


class TmsBillingWizard(models.TransientModel):
    _inherit = "tms.billing.wizard"

    push_info = fields.Char(
        string="Accounting Systems", compute="_compute_push_info", readonly=True
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing`: what the wizard says of the connections is read."""
        return merge_access(super()._tms_write_access(), {"nobody": {"push_info"}})

    def _compute_push_info(self):
        # Connection names and their timing only, for every user who may invoice.
        backends = (
            self.env["tms.billing.backend"]
            .sudo()
            .search([("company_id", "in", self.env.companies.ids)])
        )
        texts = []
        for timing, names in (
            (timing, backends.filtered(lambda b, t=timing: b.push_timing == t).mapped("name"))
            for timing in ("create", "post", "manual")
        ):
            if not names:
                continue
            systems = ", ".join(names)
            if timing == "create":
                texts.append(self.env._("Drafts are sent to %(systems)s at once.", systems=systems))
            elif timing == "post":
                texts.append(
                    self.env._(
                        "Drafts will be sent to %(systems)s when you confirm them.",
                        systems=systems,
                    )
                )
            else:
                texts.append(
                    self.env._(
                        "Send the invoices to %(systems)s by hand when they are ready.",
                        systems=systems,
                    )
                )
        for wizard in self:
            wizard.push_info = " ".join(texts) or False
