from odoo import api, fields, models

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access


class TmsBillingWizardInvoice(models.TransientModel):
    """An invoice of the preview, told whether its customer has a contact in each
    accounting system the invoice will be sent to."""

    _inherit = "tms.billing.wizard.invoice"

    tms_contact_notice = fields.Char(
        string="Contact There",
        compute="_compute_tms_contact_notice",
        help="The accounting systems this invoice is sent to in which its customer has no "
        "contact yet: link or create it now, or the invoice waits for it there.",
    )
    tms_contact_backend_id = fields.Many2one(
        "tms.billing.backend",
        compute="_compute_tms_contact_notice",
        help="The first accounting system the customer still has to be linked in.",
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: what the preview tells is computed."""
        return merge_access(
            super()._tms_write_access(),
            {"nobody": {"tms_contact_notice", "tms_contact_backend_id"}},
        )

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing`: linking the customer from the preview is for
        Transport Billing users, in their own previews."""
        return merge_access(
            super()._tms_method_access(),
            {"action_tms_link_contact": {"tms_billing.group_tms_billing_user"}},
        )

    @api.depends("partner_id", "company_id")
    def _compute_tms_contact_notice(self):
        # Connection names and links only, for every user who may invoice.
        backends = (
            self.env["tms.billing.backend"]
            .sudo()
            .search(
                [
                    ("company_id", "in", self.company_id.ids),
                    ("push_timing", "in", ("create", "post")),
                ]
            )
        )
        links = (
            self.env["tms.billing.partner.link"]
            .sudo()
            .search(
                [
                    ("backend_id", "in", backends.ids),
                    ("partner_id", "in", self.partner_id.commercial_partner_id.ids),
                    ("state", "=", "linked"),
                ]
            )
        )
        linked = {(link.partner_id.id, link.backend_id.id) for link in links}
        for preview in self:
            customer = preview.partner_id.commercial_partner_id
            missing = backends.filtered(
                lambda backend, customer=customer, company=preview.company_id: (
                    backend.company_id == company and (customer.id, backend.id) not in linked
                )
            )
            preview.tms_contact_backend_id = missing.filtered(
                lambda backend: not backend.auto_create_contacts
            )[:1]
            notices = [
                self.env._("created in %(backend)s when sent", backend=backend.name)
                if backend.auto_create_contacts
                else self.env._("no contact in %(backend)s", backend=backend.name)
                for backend in missing
            ]
            preview.tms_contact_notice = "; ".join(notices) or False

    def action_tms_link_contact(self):
        """Link or create the customer's contact in the accounting system, then come back
        to the preview."""
        self._tms_check_adjust_access()
        self.ensure_one()
        backend = self.tms_contact_backend_id
        customer = self.partner_id.commercial_partner_id
        wizard = self.env["tms.billing.contact.wizard"].create(
            {
                "partner_id": customer.id,
                # Searched by the customer's name, as when opened on the customer.
                "search_term": customer.name,
                "backend_id": backend.id,
                "company_id": backend.company_id.id,
                "return_wizard_id": self.wizard_id.id,
            }
        )
        return wizard._reopen()
