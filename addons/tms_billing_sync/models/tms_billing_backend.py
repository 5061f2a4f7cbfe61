from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import get_translation

from odoo.addons.tms_billing.engine.vocabulary import TAX_SITUATIONS
from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access
from odoo.addons.tms_billing.web_address import is_web_address

from ..export_errors import ExportError, ExportRejected

# Longer than any gateway waits (lexoffice: 30 s), and short enough that a call made
# within a web request ("Send now") ends well inside Odoo's request limit (120 s).
MAX_TIMEOUT = 60


class TmsBillingBackend(models.Model):
    """A connection to an external accounting system (one provider, one company).

    Provider addons add their value to ``provider`` and implement the ``_tms_*`` hooks
    below for it, returning early for other providers (as Odoo's payment providers do).
    """

    _name = "tms.billing.backend"
    _inherit = ["tms.billing.client.access"]
    _description = "Accounting System Connection"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=False)
    sequence = fields.Integer(default=10)
    provider = fields.Selection([("none", "No provider")], required=True, default="none")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)
    # Where the API key is sent: as secret as the key itself.
    api_url = fields.Char(
        string="API URL",
        groups="base.group_system",
        copy=False,
        help="The provider's API base URL; point it at a sandbox to test.",
    )
    app_url = fields.Char(
        string="Web App URL",
        help="Where the provider's web application opens invoices and contacts.",
    )
    timeout = fields.Float(
        string="Timeout (s)",
        default=35.0,
        help="How long to wait for an answer before the outcome of a call counts as unknown.",
    )
    api_key = fields.Char(string="API Key", groups="base.group_system", copy=False)
    push_timing = fields.Selection(
        [
            ("create", "As soon as the invoice is created"),
            ("post", "When the invoice is confirmed here"),
            ("manual", "Only when sent by hand"),
        ],
        string="Send Invoices",
        required=True,
        default="create",
        help="When transport invoices are sent as drafts. As soon as they are created "
        "(the default): the invoice is finalised and sent there, and the invoice here "
        "follows it (confirmed once finalised there, cancelled once cancelled there); "
        "it is locked here while it is a draft there. When confirmed here: the draft "
        "there is the invoice as reviewed and confirmed here.",
    )
    auto_create_contacts = fields.Boolean(
        string="Create Missing Contacts",
        help="When an invoice's customer is not linked yet, create the contact in the "
        "external system instead of failing the push.",
    )
    tax_mapping_ids = fields.One2many(
        "tms.billing.tax.mapping", "backend_id", string="Tax Treatment", copy=True
    )
    link_ids = fields.One2many("tms.billing.partner.link", "backend_id", string="Customer Links")
    export_ids = fields.One2many("tms.billing.export", "backend_id", string="Exports")
    link_count = fields.Integer(compute="_compute_counts")
    export_failed_count = fields.Integer(compute="_compute_counts")
    has_api_key = fields.Boolean(
        string="Key Entered", compute="_compute_has_api_key", compute_sudo=True
    )
    duplicate_warning = fields.Char(compute="_compute_duplicate_warning")

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: managers configure connections;
        where the key goes and the key itself are the administrator's; what the
        connection learns from the provider and its ledger are its own."""
        return merge_access(
            super()._tms_write_access(),
            {
                "tms_billing.group_tms_billing_manager": {
                    "name",
                    "sequence",
                    "provider",
                    "company_id",
                    "active",
                    "app_url",
                    "timeout",
                    "push_timing",
                    "auto_create_contacts",
                    "tax_mapping_ids",
                },
                "base.group_system": {"api_url", "api_key"},
                "nobody": {
                    "link_ids",
                    "export_ids",
                    "link_count",
                    "export_failed_count",
                    "has_api_key",
                    "duplicate_warning",
                },
            },
        )

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: managers test connections and put
        their taxes back; whoever sends invoices opens their ledger and links."""
        ledger = {"account.group_account_invoice", "tms_billing.group_tms_billing_user"}
        return merge_access(
            super()._tms_method_access(),
            {
                "action_test_connection": {"tms_billing.group_tms_billing_manager"},
                "action_reset_tax_mappings": {"tms_billing.group_tms_billing_manager"},
                "action_view_exports": ledger,
                "action_view_links": ledger,
            },
        )

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base` to give a new connection its provider's documented
        addresses and taxes."""
        backends = super().create(vals_list)
        for backend, vals in zip(backends, vals_list, strict=True):
            defaults = backend._tms_default_urls()
            missing = {name: url for name, url in defaults.items() if not vals.get(name)}
            if missing:
                backend.sudo().write(missing)
        backends._tms_add_default_tax_mappings()
        return backends

    def write(self, vals):
        """Override of `base` to keep a connection that sent anything with its company
        and provider, and to start another provider from its documented defaults."""
        moved = [
            name
            for name, current in (
                ("company_id", lambda backend: backend.company_id.id),
                ("provider", lambda backend: backend.provider),
            )
            if name in vals and any(current(backend) != vals[name] for backend in self)
        ]
        if moved:
            self._tms_check_may_move(moved)
        if "provider" not in vals:
            return super().write(vals)
        # Another provider speaks other codes and has other addresses: its documented
        # defaults replace them.
        changed = self.filtered(lambda backend: backend.provider != vals["provider"])
        changed.tax_mapping_ids.unlink()
        result = super().write(vals)
        for backend in changed:
            backend.sudo().write(backend._tms_default_urls())
        changed._tms_add_default_tax_mappings()
        return result

    def _tms_check_may_move(self, names):
        """A connection that has sent anything, or linked a customer, keeps its company
        and provider: its ledger and links are of that account there."""
        used = self.sudo().filtered(lambda backend: backend.export_ids or backend.link_ids)
        if used:
            raise UserError(
                self.env._(
                    "%(backend)s has sent invoices or linked customers: its %(fields)s stay "
                    "as they are. Add a new connection for another company or provider.",
                    backend=used[0].name,
                    fields=", ".join(
                        self._fields[name]._description_string(self.env) for name in names
                    ),
                )
            )

    @api.constrains("api_url", "app_url", "timeout")
    def _check_connection_fields(self):
        for backend in self.sudo():
            for url in (backend.api_url, backend.app_url):
                if url and (not is_web_address(url) or any(char.isspace() for char in url)):
                    raise ValidationError(
                        self.env._(
                            "%(url)s is not a web address; it starts with https://.", url=url
                        )
                    )
            if not 1 <= backend.timeout <= MAX_TIMEOUT:
                raise ValidationError(
                    self.env._(
                        "The timeout is a number of seconds between 1 and %(max)s.",
                        max=MAX_TIMEOUT,
                    )
                )

    @api.constrains("api_key")
    def _check_api_key(self):
        # A key goes into an HTTP header: pasted with a line break or a space, or with
        # characters no header carries, it could never work.
        for backend in self.sudo():
            key = backend.api_key or ""
            if any(char.isspace() or not 32 < ord(char) < 127 for char in key):
                raise ValidationError(
                    self.env._(
                        "The API key of %(backend)s contains spaces, line breaks or "
                        "characters other than letters, digits and punctuation: paste it "
                        "again as the accounting system shows it.",
                        backend=backend.name,
                    )
                )

    @api.depends("api_key")
    def _compute_has_api_key(self):
        for backend in self:
            backend.has_api_key = bool(backend.api_key)

    @api.depends("provider", "company_id")
    def _compute_duplicate_warning(self):
        for backend in self:
            others = (
                self.search(
                    [
                        ("provider", "=", backend.provider),
                        ("company_id", "=", backend.company_id.id),
                        ("id", "!=", backend._origin.id or 0),
                    ]
                )
                if backend.provider != "none" and backend.company_id
                else self.browse()
            )
            backend.duplicate_warning = bool(others) and self.env._(
                "%(company)s already has a %(provider)s connection (%(names)s). Each "
                "connection sends the company's transport invoices: two connections to the "
                "same account send each invoice twice. Add a second one only for another "
                "%(provider)s account.",
                company=backend.company_id.name,
                provider=dict(self._fields["provider"]._description_selection(self.env))[
                    backend.provider
                ],
                names=", ".join(others.mapped("name")),
            )

    def _compute_counts(self):
        links = dict(
            self.env["tms.billing.partner.link"]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
            )
        )
        failed = dict(
            self.env["tms.billing.export"]._read_group(
                [("backend_id", "in", self.ids), ("state", "=", "failed")],
                ["backend_id"],
                ["__count"],
            )
        )
        for backend in self:
            backend.link_count = links.get(backend, 0)
            backend.export_failed_count = failed.get(backend, 0)

    # -- actions ----------------------------------------------------------------

    def action_test_connection(self):
        self.ensure_one()
        self.check_access("write")
        answer = self._tms_call(self._tms_test_connection)
        if not isinstance(answer, dict):
            answer = {"account": answer}
        message = self.env._(
            "%(backend)s answers: %(account)s", backend=self.name, account=answer["account"]
        )
        warnings = answer.get("warnings") or []
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if warnings else "success",
                "title": self.env._("Connection works"),
                "message": "\n".join([message, *warnings]),
                "sticky": bool(warnings),
                # What the test read from the account (lists to choose from) shows at once.
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_reset_tax_mappings(self):
        """Put back the provider's documented defaults for every tax situation."""
        self.check_access("write")
        self.tax_mapping_ids.unlink()
        self._tms_add_default_tax_mappings()

    def action_view_exports(self):
        self.ensure_one()
        self.check_access("read")
        self.env["tms.billing.export"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "tms_billing_sync.tms_billing_export_action"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"search_default_filter_failed": 1}
        return action

    def action_view_links(self):
        self.ensure_one()
        self.check_access("read")
        self.env["tms.billing.partner.link"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "tms_billing_sync.tms_billing_partner_link_action"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        return action

    # -- helpers for the hooks --------------------------------------------------

    def _tms_call(self, method, *args):
        """Run a hook for the UI: provider errors become a translated UserError."""
        try:
            return method(*args)
        except ExportError as error:
            raise UserError(
                self.env._("%(backend)s: %(error)s", backend=self.name, error=error)
            ) from None

    def _tms_error_text(self, error, module):
        """The text of a provider client's ``error`` (``export_errors.TranslatableError``)
        in the language of this environment. Its templates are translations of ``module``,
        the provider's addon, or of this addon (those of the shared ``export_http``)."""
        lang = self.env.lang or "en_US"

        def translate(template):
            for name in (module, "tms_billing_sync"):
                text = get_translation(name, lang, template, ())
                if text != template:
                    return text
            return template

        return error.text(translate)

    def _tms_api_url(self, default):
        """The API URL, read for a caller whose access was checked at its entry."""
        self.ensure_one()
        return self.sudo().api_url or default

    def _tms_get_api_key(self):
        self.ensure_one()
        key = self.sudo().api_key
        if not key:
            raise UserError(
                self.env._(
                    "%(backend)s has no API key: enter it on the connection's Credentials tab "
                    "(Transport Billing > Configuration > Accounting Systems).",
                    backend=self.name,
                )
            )
        return key

    def _tms_external_ref(self, partner):
        """The external contact id of ``partner``'s company, or False."""
        self.ensure_one()
        return self.env["tms.billing.partner.link"]._tms_find(partner, self).external_id or False

    def _tms_add_default_tax_mappings(self):
        """Map each tax situation that has no mapping yet to the provider's default."""
        values = []
        for backend in self:
            defaults = backend._tms_default_tax_mappings()
            mapped = set(backend.tax_mapping_ids.mapped("situation"))
            values += [
                {"backend_id": backend.id, "situation": situation, **defaults[situation]}
                for situation, _label in TAX_SITUATIONS
                if situation in defaults and situation not in mapped
            ]
        self.env["tms.billing.tax.mapping"].create(values)

    def _tms_tax_mapping(self, situation):
        """The mapping of ``situation``; refused, before any call, when there is none."""
        self.ensure_one()
        mapping = self.tax_mapping_ids.filtered(lambda mapping: mapping.situation == situation)
        if not mapping:
            raise ExportRejected(
                self.env._(
                    '%(backend)s has no tax treatment for "%(situation)s": add it on the '
                    "connection's Taxes tab (Transport Billing > Configuration > Accounting "
                    "Systems).",
                    backend=self.name,
                    situation=self._tms_situation_label(situation),
                )
            )
        if mapping.refuse:
            raise ExportRejected(self._tms_refusal_message(situation))
        return mapping

    def _tms_refusal_message(self, situation):
        """Why this connection refuses the invoices of ``situation`` (its mapping says
        *Refuse*): the provider's own words where it has them."""
        return self.env._(
            '%(backend)s documents no tax code for "%(situation)s": the invoice is not '
            "sent. Write it there by hand, or choose a code on the connection's Taxes tab "
            "once the provider confirms one.",
            backend=self.name,
            situation=self._tms_situation_label(situation),
        )

    def _tms_situation_label(self, situation):
        """A tax situation as the user reads it, in the user's language."""
        field = self.env["tms.billing.tax.mapping"]._fields["situation"]
        return dict(field._description_selection(self.env)).get(situation, situation)

    def _tms_tax_mismatch(self, draft, mapping, code):
        """The refusal of a draft whose taxes do not fit ``code``, the provider's code
        (worded by the provider) that ``mapping`` gives its tax situation."""
        rates = sorted({line["tax_rate"] for line in draft["lines"]})
        return ExportRejected(
            self.env._(
                "The invoice's taxes (%(rates)s %%) do not fit %(code)s, which %(backend)s "
                'uses for "%(situation)s" (fiscal position: %(position)s). Check the '
                "customer's fiscal position and the invoice's taxes, or the connection's "
                "Taxes tab.",
                rates=", ".join(f"{rate:g}" for rate in rates),
                code=code,
                backend=self.name,
                situation=self._tms_situation_label(mapping.situation),
                position=draft["fiscal_position"] or "-",
            )
        )

    def _tms_contact_values(self, partner):
        """A customer as the providers' mappers take it (``export_contract.ContactDraft``)."""
        partner = partner.commercial_partner_id
        return {
            "is_company": partner.is_company,
            "name": partner.name,
            **partner._tms_address_values(),
            "email": partner.email or None,
            "vat": partner.vat or None,
            "phone": partner.phone or None,
            "buyer_reference": self._tms_buyer_reference(partner),
        }

    def _tms_buyer_reference(self, partner):
        """The customer's buyer reference (Leitweg-ID, BT-10), or None. The field comes
        with tms_billing_edi: without it installed, no customer has one."""
        partner = partner.commercial_partner_id
        if "tms_buyer_reference" not in partner._fields:
            return None
        return (partner.tms_buyer_reference or "").strip() or None

    # -- provider hooks -----------------------------------------------------------

    def _tms_default_urls(self):
        """``{"api_url": ..., "app_url": ...}`` of the provider."""
        return {}

    def _tms_default_tax_mappings(self):
        """``{situation: values}``: the provider's documented code for each situation."""
        return {}

    def _tms_test_connection(self):
        """Call the provider once; return the account's name as text, or a dict with
        ``account`` and a list of ``warnings`` about its settings."""
        raise UserError(self.env._("Choose a provider for %(backend)s.", backend=self.name))

    def _tms_search_contacts(self, term):
        """External customers matching ``term``: a list of dicts with ``id``, ``name``,
        ``number`` and ``address``."""
        raise UserError(self.env._("Choose a provider for %(backend)s.", backend=self.name))

    def _tms_contact_reference(self, partner):
        """What the provider will know the new contact by, decided before it is created
        (e.g. a customer number), to look it up when the answer is lost; or None."""
        return None

    def _tms_create_contact(self, partner, link=None):
        """Create ``partner`` as a customer, recognisable by ``link.marker`` or
        ``link.pending_reference``; return a dict with ``id``, ``number``, ``name``."""
        raise UserError(self.env._("Choose a provider for %(backend)s.", backend=self.name))

    def _tms_find_created_contact(self, link):
        """The contact an earlier request for ``link`` created, as ``_tms_create_contact``
        returns it, or None when there is none."""
        raise ExportError(
            self.env._(
                "%(backend)s cannot tell whether the contact of %(customer)s was created. "
                "Look for it there and link it by hand.",
                backend=self.name,
                customer=link.partner_id.display_name,
            )
        )

    def _tms_send_invoice(self, draft):
        """Create ``draft`` (``InvoiceDraft``) as a draft invoice or credit note there;
        return an ``InvoiceResult``."""
        raise UserError(self.env._("Choose a provider for %(backend)s.", backend=self.name))

    def _tms_find_invoice(self, ref):
        """The document an earlier attempt created of ``ref`` (``DocumentRef``), as an
        ``InvoiceResult``, or None."""
        raise UserError(self.env._("Choose a provider for %(backend)s.", backend=self.name))

    def _tms_fetch_invoice_status(self, ref):
        """The current state there of the document ``ref``, as an ``InvoiceResult``
        without ``external_id``."""
        raise UserError(self.env._("Choose a provider for %(backend)s.", backend=self.name))

    def _tms_read_found_document(self, ref, text):
        """The document there that ``text`` names (its id, or its web address), read by
        id: ``(InvoiceResult, carries_marker)``, where ``carries_marker`` says whether it
        carries ``ref``'s marker. Raises an ExportError when it cannot be read."""
        raise UserError(self.env._("Choose a provider for %(backend)s.", backend=self.name))

    def _tms_fetch_document(self, ref):
        """The document the accounting system rendered of ``ref``, as
        ``{"content": bytes, "filename": str | None}``, or None while there is none
        (e.g. a draft). The status result of ``_tms_fetch_invoice_status`` may name the
        document's revision as ``document_version``. Raises an ExportError on failure."""
        return None

    def _tms_status_deleted(self):
        """The status result of an invoice or credit note deleted there."""
        return {"status": "deleted", "raw_status": None, "number": None}

    def _tms_invoice_result(self, external_id, number=None, status=None):
        return {"external_id": external_id, "number": number, "status": status}

    def _tms_contact_url(self, external_id):
        """The web app's page of a contact, or False."""
        return False

    def _tms_invoice_url(self, external_id):
        """The web app's page of an invoice, or False."""
        return False

    def _tms_credit_note_url(self, external_id):
        """The web app's page of a credit note, or False when none is documented."""
        return False

    def _tms_document_url(self, export):
        """The web app's page of what ``export`` sent: an invoice or a credit note."""
        if export.document_type == "credit_note":
            return self._tms_credit_note_url(export.external_id)
        return self._tms_invoice_url(export.external_id)

    def _tms_can_cancel_invoice(self, ref):
        """Whether the provider documents a way to cancel the document ``ref`` once it
        is cancelled here; without one, the user is told what to do there."""
        return False

    def _tms_cancel_invoice(self, ref, lookup_first):
        """Cancel the invoice ``ref`` there. ``lookup_first``: an earlier call may have
        been performed, read its state before asking again. Returns ``{"state":
        "cancelled" | "kept" | "failed", "message": str, "reference": str, "lookup":
        bool}``, where a draft left there is ``{"state": "kept", "draft": True}`` and the
        ledger words it; raises an ExportError when the call fails."""
        raise UserError(self.env._("Choose a provider for %(backend)s.", backend=self.name))
