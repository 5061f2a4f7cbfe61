import logging
import uuid

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access

from ..export_errors import ExportError, ExportOutcomeUnknown
from ..settle import ABSENT, after_miss

_logger = logging.getLogger(__name__)


class TmsBillingPartnerLink(models.Model):
    """An Odoo customer and its contact in one accounting system."""

    _name = "tms.billing.partner.link"
    _inherit = ["tms.billing.client.access"]
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
    state = fields.Selection(
        [("creating", "Being created"), ("linked", "Linked")],
        required=True,
        default="linked",
        readonly=True,
        help="'Being created': the contact was requested in the accounting system, but "
        "its answer never arrived. The next attempt looks for it there before it creates "
        "another one.",
    )
    # What recognises the contact a request created when its answer was lost.
    marker = fields.Char(readonly=True, copy=False)
    pending_reference = fields.Char(readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    # The create of a contact whose answer was lost is settled as a push is (settle.py).
    attempt_at = fields.Datetime(
        string="Created There At", readonly=True, copy=False, help="When the contact was asked for."
    )
    lookup_misses = fields.Integer(readonly=True, copy=False)
    lookup_miss_at = fields.Datetime(readonly=True, copy=False)
    external_id = fields.Char(string="External ID", copy=False)
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

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: links are made and kept by the
        contact wizard and the pushes (two-phase); a client removes one at most."""
        return merge_access(
            super()._tms_write_access(),
            {
                "nobody": {
                    "partner_id",
                    "backend_id",
                    "company_id",
                    "provider",
                    "state",
                    "marker",
                    "pending_reference",
                    "last_error",
                    "attempt_at",
                    "lookup_misses",
                    "lookup_miss_at",
                    "external_id",
                    "external_number",
                    "external_name",
                    "external_url",
                }
            },
        )

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: the contact there opens for whoever
        reads customers' links (Invoicing, Transport Billing)."""
        return merge_access(
            super()._tms_method_access(),
            {
                "action_open_external": {
                    "account.group_account_invoice",
                    "tms_billing.group_tms_billing_user",
                }
            },
        )

    @api.constrains("partner_id")
    def _check_partner_id(self):
        # A contact is billed as its company: the link is the company's.
        for link in self:
            if link.partner_id != link.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "%(contact)s is a contact of %(company)s: link the company.",
                        contact=link.partner_id.display_name,
                        company=link.partner_id.commercial_partner_id.display_name,
                    )
                )

    @api.constrains("state", "external_id")
    def _check_external_id(self):
        for link in self:
            if link.state == "linked" and not link.external_id:
                raise UserError(self.env._("A linked contact needs its external ID."))

    @api.depends("backend_id.app_url", "external_id")
    def _compute_external_url(self):
        for link in self:
            link.external_url = (
                link.external_id and link.backend_id._tms_contact_url(link.external_id)
            ) or False

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
        """Link ``partner``'s company to ``contact`` (a provider hook's dict). Called as
        superuser by the actions that checked the caller's right to link."""
        partner = partner.commercial_partner_id
        values = {
            "state": "linked",
            "last_error": False,
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
        if contact.get("warning"):
            message = f"{message} {contact['warning']}"
        try:
            with self.env.cr.savepoint():
                partner.sudo().message_post(body=message, author_id=self.env.user.partner_id.id)
        except Exception:
            _logger.exception("Could not log the link on %s", partner.display_name)
        return link

    @api.model
    def _tms_create_contact(self, partner, backend):
        """Create ``partner`` in ``backend``'s system and link it, in two phases.

        The intent is recorded and committed first (a link "being created", with what
        recognises the contact there), then the provider is called, then its answer is
        recorded. When the answer is lost the intent stays: the next attempt looks the
        contact up before it creates one, so a retry never makes a second contact.
        Called as superuser by the actions that checked the caller's right to link.
        """
        partner = partner.commercial_partner_id
        link = self._tms_find(partner, backend)
        if link.state == "creating":
            contact = backend._tms_find_created_contact(link)
            if contact:
                return self._tms_link(partner, backend, contact)
            link._tms_settle_missing_contact()
        elif link:
            return link
        else:
            link = self.create(
                {
                    "partner_id": partner.id,
                    "backend_id": backend.id,
                    "state": "creating",
                    "marker": f"TMS-{uuid.uuid4().hex[:16]}",
                    "pending_reference": backend._tms_contact_reference(partner) or False,
                    "attempt_at": fields.Datetime.now(),
                }
            )
        self.env["tms.billing.export"]._tms_commit()
        try:
            contact = backend._tms_create_contact(partner, link)
        except psycopg2.Error:
            raise
        except ExportError as error:
            if error.outcome_unknown:
                link.last_error = str(error)
                self.env["tms.billing.export"]._tms_commit()
                raise ExportError(
                    self.env._(
                        "The contact may have been created, but no answer arrived "
                        "(%(error)s). Try again: it is looked up first and never created "
                        "twice.",
                        error=error,
                    )
                ) from None
            self._tms_forget_intent(link)
            raise
        except Exception:
            self._tms_forget_intent(link)
            raise
        return self._tms_link(partner, backend, contact)

    def _tms_settle_missing_contact(self):
        """The contact an earlier request may have created was not found: created again
        only once the evidence rule (settle.py) says nothing was created; until then
        raised as an unknown outcome, to look again later."""
        now = fields.Datetime.now()
        miss = after_miss(
            now,
            self.attempt_at or self.create_date,
            self.backend_id.timeout or 0.0,
            self.lookup_misses,
            self.lookup_miss_at or None,
        )
        if miss.verdict == ABSENT:
            values = {"attempt_at": now, "lookup_misses": 0, "lookup_miss_at": False}
        else:
            values = {"lookup_misses": miss.counted, "lookup_miss_at": miss.counted_at}
        self.write(values)
        self.env["tms.billing.export"]._tms_commit()
        if miss.verdict != ABSENT:
            raise ExportOutcomeUnknown(
                self.env._(
                    "The contact of %(customer)s may have been created in %(backend)s, but it "
                    "is not found there yet. A new contact may show there late: it is looked "
                    "for again from %(time)s and only created again once it stays missing.",
                    customer=self.partner_id.display_name,
                    backend=self.backend_id.name,
                    time=fields.Datetime.context_timestamp(self, miss.next_look).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                ),
                next_at=miss.next_look,
            )

    def _tms_forget_intent(self, link):
        """A request that certainly created nothing leaves no intent behind."""
        link.unlink()
        self.env["tms.billing.export"]._tms_commit()

    def action_open_external(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_url", "url": self.external_url, "target": "new"}
