from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.tms_billing.models.tms_billing_client_access import (
    check_client_create,
    grant_access,
    merge_access,
)

# The review's fields and the customer's fields they correct.
CONTACT_FIELDS = {
    "contact_is_company": "is_company",
    "contact_name": "name",
    "contact_street": "street",
    "contact_zip": "zip",
    "contact_city": "city",
    "contact_country_id": "country_id",
    "contact_email": "email",
    "contact_phone": "phone",
    "contact_vat": "vat",
}


class TmsBillingContactWizard(models.TransientModel):
    """Link a customer to an existing contact of an accounting system, or create it."""

    _name = "tms.billing.contact.wizard"
    _inherit = ["tms.billing.client.access"]
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
        "tms.billing.contact.wizard.line", "wizard_id", string="Contacts Found", readonly=True
    )
    searched = fields.Boolean(readonly=True)
    current_link_id = fields.Many2one(
        "tms.billing.partner.link", compute="_compute_current_link_id", string="Linked To"
    )
    step = fields.Selection(
        [("search", "Search"), ("review", "Review")], default="search", readonly=True
    )
    # The preview this wizard was opened from, to go back to once the customer is linked.
    return_wizard_id = fields.Many2one("tms.billing.wizard", ondelete="cascade", readonly=True)
    # The new contact as it will be sent, reviewed and corrected first; corrections are
    # the customer's data and are saved on the customer too.
    contact_is_company = fields.Boolean(string="Is a Company")
    contact_name = fields.Char(string="Name")
    contact_street = fields.Char(string="Street")
    contact_zip = fields.Char(string="ZIP")
    contact_city = fields.Char(string="City")
    contact_country_id = fields.Many2one("res.country", string="Country")
    contact_email = fields.Char(string="Email")
    contact_phone = fields.Char(string="Phone")
    contact_vat = fields.Char(string="Tax ID")

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the user searches on a connection;
        what it finds is the accounting system's answer."""
        return merge_access(
            super()._tms_write_access(),
            {
                "tms_billing.group_tms_billing_user": {
                    "backend_id",
                    "search_term",
                    *CONTACT_FIELDS,
                },
                "nobody": {
                    "partner_id",
                    "company_id",
                    "line_ids",
                    "searched",
                    "current_link_id",
                    "step",
                    "return_wizard_id",
                },
            },
        )

    @api.model
    def _tms_create_access(self):
        """Override of `tms_billing.client.access`: opened on a customer, in one of the
        user's companies (the form sends its default), possibly from a preview to return
        to. Its company is the connection's, checked with it (check_company)."""
        return grant_access(
            self._tms_write_access(),
            "tms_billing.group_tms_billing_user",
            {"partner_id", "company_id", "return_wizard_id"},
        )

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: searching, reviewing and creating
        contacts is for Transport Billing users, in their own searches."""
        transport = {"tms_billing.group_tms_billing_user"}
        return merge_access(
            super()._tms_method_access(),
            dict.fromkeys(
                (
                    "action_search",
                    "action_review_contact",
                    "action_back_to_search",
                    "action_create_contact",
                    "action_back_to_preview",
                ),
                transport,
            ),
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
        # caller cannot see is an access error, not a company mismatch. The values are
        # checked first, so that only records that exist are looked at.
        check_client_create(self, vals_list)
        for vals in vals_list:
            partner_id = vals.get("partner_id") or self.env.context.get("default_partner_id")
            self._check_may_link_to(
                self.env["tms.billing.backend"].browse(vals.get("backend_id")),
                self.env["res.partner"].browse(partner_id),
            )
            # Only a preview of the caller's own (a transient record is its creator's).
            self.env["tms.billing.wizard"].browse(vals.get("return_wizard_id")).check_access("read")
        return super().create(vals_list)

    def action_search(self):
        self.ensure_one()
        self._check_may_link()
        term = (self.search_term or "").strip()
        if len(term) < 3:
            raise UserError(self.env._("Enter at least three characters to search."))
        contacts = self.backend_id._tms_call(self.backend_id._tms_search_contacts, term)
        # The results are the accounting system's answer, written by the search for the
        # caller's own wizard.
        self.sudo().write(
            {
                "line_ids": [fields.Command.clear()]
                + [fields.Command.create(values) for values in self._tms_result_values(contacts)],
                "searched": True,
            }
        )
        return self._reopen()

    @api.model
    def _tms_result_values(self, contacts):
        """The contacts a provider's search returned, as rows: texts of bounded length,
        anything that is not a contact with an id left out."""

        def text(value, limit=256):
            if value is None or value is False or isinstance(value, dict | list):
                return False
            return str(value).replace("\x00", "")[:limit] or False

        rows = []
        for contact in contacts if isinstance(contacts, list) else []:
            if not isinstance(contact, dict) or not text(contact.get("id")):
                continue
            rows.append(
                {
                    "external_id": text(contact["id"]),
                    "name": text(contact.get("name")) or text(contact["id"]),
                    "number": text(contact.get("number")),
                    "address": text(contact.get("address"), limit=512),
                }
            )
        return rows

    def action_review_contact(self):
        """The "+ Create new contact" button: show what will be sent, to review and
        correct it before the contact is created there."""
        self.ensure_one()
        self._check_may_link()
        self._check_not_linked()
        partner = self.partner_id.commercial_partner_id
        self.sudo().write(
            {
                "step": "review",
                "contact_is_company": partner.is_company,
                "contact_name": partner.name,
                "contact_street": partner.street,
                "contact_zip": partner.zip,
                "contact_city": partner.city,
                "contact_country_id": partner.country_id.id,
                "contact_email": partner.email,
                "contact_phone": partner.phone,
                "contact_vat": partner.vat,
            }
        )
        return self._reopen()

    def action_back_to_search(self):
        self.ensure_one()
        self.check_access("write")
        self._check_may_link()
        self.sudo().step = "search"
        return self._reopen()

    def action_create_contact(self):
        """Create the contact there: as reviewed (the corrections saved on the customer
        first, with the caller's rights), or from the customer's data as it is."""
        self.ensure_one()
        self._check_may_link()
        self._check_not_linked()
        if self.step == "review":
            self._tms_save_corrections()
        link_model = self.env["tms.billing.partner.link"].sudo()
        self.backend_id._tms_call(link_model._tms_create_contact, self.partner_id, self.backend_id)
        return self._tms_done()

    def _tms_save_corrections(self):
        """What the user corrected in the review, written on the customer: the contact
        there and the invoices here then carry the same data."""
        if not (self.contact_name or "").strip():
            raise UserError(self.env._("Enter the name the contact is created with."))
        partner = self.partner_id.commercial_partner_id
        changes = {}
        for field, partner_field in CONTACT_FIELDS.items():
            value = self[field]
            current = partner[partner_field]
            if partner._fields[partner_field].type == "many2one":
                value, current = value.id, current.id
            elif partner._fields[partner_field].type == "char":
                value, current = (value or "").strip() or False, current or False
            if value != current:
                changes[partner_field] = value
        if changes:
            partner.write(changes)

    def action_back_to_preview(self):
        """Leave the customer unlinked and go back to the preview."""
        self.ensure_one()
        self.check_access("write")
        self._check_may_link()
        return self._tms_done()

    def _tms_done(self):
        """Where the user goes once the customer is linked: back to the preview it was
        opened from, else the wizard closes."""
        if self.return_wizard_id:
            return self.return_wizard_id._tms_action_open()
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
