from odoo import api, fields, models
from odoo.exceptions import UserError


class TmsBillingContactWizard(models.TransientModel):
    """Link a customer to an existing contact of an accounting system, or create it."""

    _name = "tms.billing.contact.wizard"
    _description = "Link a Customer to an Accounting System Contact"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    backend_id = fields.Many2one(
        "tms.billing.backend",
        string="Accounting System",
        required=True,
        check_company=True,
        default=lambda self: self.env["tms.billing.backend"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        ),
    )
    search_term = fields.Char(string="Search")
    line_ids = fields.One2many(
        "tms.billing.contact.wizard.line", "wizard_id", string="Contacts Found"
    )
    searched = fields.Boolean(readonly=True)
    current_link_id = fields.Many2one(
        "tms.billing.partner.link", compute="_compute_current_link_id", string="Linked To"
    )

    @api.model
    def default_get(self, fields_list):
        """Override of `base` to start from the customer and connection in the context."""
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(values.get("partner_id"))
        if partner and "search_term" in fields_list and not values.get("search_term"):
            values["search_term"] = partner.commercial_partner_id.name
        return values

    @api.depends("partner_id", "backend_id")
    def _compute_current_link_id(self):
        for wizard in self:
            wizard.current_link_id = self.env["tms.billing.partner.link"]._tms_find(
                wizard.partner_id, wizard.backend_id
            )

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Link to Accounting System"),
        }

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base` to check the caller may see the connection and customer."""
        # Checked before the record exists: a connection or customer of a company the
        # caller cannot see is an access error, not a company mismatch.
        for vals in vals_list:
            partner_id = vals.get("partner_id") or self.env.context.get("default_partner_id")
            self._check_may_link_to(
                self.env["tms.billing.backend"].browse(vals.get("backend_id")),
                self.env["res.partner"].browse(partner_id),
            )
        return super().create(vals_list)

    def action_search(self):
        self.ensure_one()
        self._check_may_link()
        term = (self.search_term or "").strip()
        if len(term) < 3:
            raise UserError(self.env._("Enter at least three characters to search."))
        contacts = self.backend_id._tms_call(self.backend_id._tms_search_contacts, term)
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(
                {
                    "external_id": contact["id"],
                    "name": contact.get("name") or contact["id"],
                    "number": contact.get("number") or False,
                    "address": contact.get("address") or False,
                }
            )
            for contact in contacts
        ]
        self.searched = True
        return self._reopen()

    def action_create_contact(self):
        """The "+ Create new contact" button: create it there from the Odoo data."""
        self.ensure_one()
        self._check_may_link()
        self._check_not_linked()
        link_model = self.env["tms.billing.partner.link"]
        self.backend_id._tms_call(link_model._tms_create_contact, self.partner_id, self.backend_id)
        return {"type": "ir.actions.act_window_close"}

    def _check_may_link(self):
        self._check_may_link_to(self.backend_id, self.partner_id)

    @api.model
    def _check_may_link_to(self, backend, partner):
        """Linking and creating contacts is for users who may create links, on
        connections and customers they can see."""
        self.env["tms.billing.partner.link"].check_access("create")
        backend.check_access("read")
        partner.check_access("read")

    def _check_not_linked(self):
        # A contact "being created" may be created again: it is looked up first.
        if self.current_link_id.state == "linked":
            raise UserError(
                self.env._(
                    "%(customer)s is already linked to %(contact)s in %(backend)s; remove "
                    "that link first.",
                    customer=self.partner_id.display_name,
                    contact=self.current_link_id.external_name or self.current_link_id.external_id,
                    backend=self.backend_id.name,
                )
            )
