import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class TmsBillingPartnerLink(models.Model):
    """An Odoo customer and its contact in one accounting system."""

    _name = "tms.billing.partner.link"
    _description = "Customer Link to an Accounting System"
    _order = "partner_id, backend_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('parent_id', '=', False)]",
    )
    backend_id = fields.Many2one(
        "tms.billing.backend",
        string="Accounting System",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    provider = fields.Selection(related="backend_id.provider")
    external_id = fields.Char(string="External ID", required=True, copy=False)
    external_number = fields.Char(string="Customer Number", copy=False)
    external_name = fields.Char(string="Name There", copy=False)
    external_url = fields.Char(string="Web Link", compute="_compute_external_url")

    _sql_constraints = [
        (
            "partner_backend_unique",
            "UNIQUE(partner_id, backend_id)",
            "A customer can be linked to one contact per accounting system only.",
        ),
        (
            "external_backend_unique",
            "UNIQUE(external_id, backend_id)",
            "This external contact is already linked to another customer.",
        ),
    ]

    @api.depends("backend_id.app_url", "external_id")
    def _compute_external_url(self):
        for link in self:
            link.external_url = link.backend_id._tms_contact_url(link.external_id)

    @api.model
    def _tms_find(self, partner, backend):
        """The link of ``partner``'s company in ``backend``, if any."""
        return self.search(
            [
                ("partner_id", "=", partner.commercial_partner_id.id),
                ("backend_id", "=", backend.id),
            ],
            limit=1,
        )

    @api.model
    def _tms_link(self, partner, backend, contact):
        """Link ``partner``'s company to ``contact`` (a provider hook's dict)."""
        partner = partner.commercial_partner_id
        values = {
            "external_id": contact["id"],
            "external_number": contact.get("number") or False,
            "external_name": contact.get("name") or False,
        }
        taken = self.search(
            [
                ("backend_id", "=", backend.id),
                ("external_id", "=", values["external_id"]),
                ("partner_id", "!=", partner.id),
            ],
            limit=1,
        )
        if taken:
            raise UserError(
                self.env._(
                    "This %(backend)s contact is already linked to %(customer)s.",
                    backend=backend.name,
                    customer=taken.partner_id.display_name,
                )
            )
        link = self._tms_find(partner, backend)
        if link:
            link.write(values)
        else:
            link = self.create({"partner_id": partner.id, "backend_id": backend.id, **values})
        # The link is durable before the chatter is told: a contact created remotely is
        # never lost to a failing message.
        self.env["tms.billing.export"]._tms_commit()
        message = self.env._(
            "Linked to contact %(name)s (%(number)s) in %(backend)s.",
            name=link.external_name or link.external_id,
            number=link.external_number or "-",
            backend=backend.name,
        )
        try:
            with self.env.cr.savepoint():
                partner.sudo().message_post(body=message, author_id=self.env.user.partner_id.id)
        except Exception:
            _logger.exception("Could not log the link on %s", partner.display_name)
        return link

    @api.model
    def _tms_create_contact(self, partner, backend):
        """Create ``partner`` in ``backend``'s system and link it."""
        contact = backend._tms_create_contact(partner.commercial_partner_id)
        return self._tms_link(partner, backend, contact)

    def action_open_external(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_url", "url": self.external_url, "target": "new"}
