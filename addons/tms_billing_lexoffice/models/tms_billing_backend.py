import re
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.tms_billing.engine.vocabulary import _lt
from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access
from odoo.addons.tms_billing_sync.export_errors import (
    ExportAuthFailed,
    ExportError,
    ExportOutcomeUnknown,
    ExportRejected,
)
from odoo.addons.tms_billing_sync.rate_limit import SharedRateLimiter

from .. import api as lexoffice
from ..api.const import DEFAULT_APP_URL, DEFAULT_BASE_URL, MAX_LINE_ITEMS, RATE_LIMIT

# The default tax type of each situation, for a German haulier's services; sources:
# developers.lexware.io/docs, #invoices-endpoint-tax-conditions-details and Purpose.
DEFAULT_TAX_MAPPINGS = {
    # Taxed in Germany: "net" or "gross", as the invoice's prices.
    "domestic": {"lexoffice_tax_type": "taxable"},
    # A transport for a private customer in the EU is taxed where it begins (§ 3b Abs. 3
    # UStG): for a German haulier, German VAT as at home. The help centre: "Für
    # Privatkunden im Ausland weisen Sie die Steuer genau wie in einer normalen
    # Inlandsrechnung aus."
    "eu_private": {"lexoffice_tax_type": "taxable"},
    # A service to an EU business is taxed where the customer is (§ 3a Abs. 2 UStG), by
    # the customer: "externalService13b (Fremdleistungen innerhalb der EU gem. §13b
    # UStG)"; intraCommunitySupply is the supply of goods.
    "eu_business": {"lexoffice_tax_type": "externalService13b"},
    # A service to a business outside the EU: "thirdPartyCountryService (Dienstleistungen
    # an Drittländer)"; thirdPartyCountryDelivery is the export of goods.
    "third_country": {"lexoffice_tax_type": "thirdPartyCountryService"},
    # "For tax-exempt organizations vat-free (Steuerfrei) invoices can be created
    # exclusively."
    "small_business": {"lexoffice_tax_type": "vatfree"},
    # The situations of the route (engine/vat_route.py). The documentation names the
    # vat-free tax types for "tax-exempt organizations" (vatfree), "recipients within the
    # EU" (the three § 13b types) and "invoices to third countries" (thirdPartyCountry*)
    # (#invoices-endpoint, Purpose); none for a transport tax-free under § 4 Nr. 3 UStG
    # for a German customer, none for the VAT of another member state: refused, saying
    # so (_tms_refusal_message).
    "export_import_exempt": {"refuse": True},
    "eu_private_abroad": {"refuse": True},
    # A private customer abroad taxed in Germany: the help centre, "Für Privatkunden im
    # Ausland weisen Sie die Steuer genau wie in einer normalen Inlandsrechnung aus."
    "third_country_private": {"lexoffice_tax_type": "taxable"},
    # thirdPartyCountryService is documented "for invoices to third countries", not for
    # a German customer's transport within one: refused.
    "third_country_route": {"refuse": True},
}

# Why lexoffice's invoices of a refused situation are not sent, with the documentation's
# words (#invoices-endpoint, Purpose); see DEFAULT_TAX_MAPPINGS.
UNDOCUMENTED_SITUATIONS = {
    "export_import_exempt": _lt(
        "lexoffice documents no tax type for a transport tax-free under § 4 Nr. 3 UStG: "
        'vat-free invoices ("vatfree") for tax-exempt organisations, "third party country '
        'service" for invoices to third countries (developers.lexware.io/docs, invoices '
        "endpoint, Purpose)."
    ),
    "eu_private_abroad": _lt(
        "lexoffice documents no tax type for the VAT of another EU state on a service "
        "(developers.lexware.io/docs, invoices endpoint, Purpose and Tax Conditions "
        "Details)."
    ),
    "third_country_route": _lt(
        'lexoffice documents "third party country service" for invoices to third '
        "countries only, not for a German customer's transport within a third country "
        "(developers.lexware.io/docs, invoices endpoint, Purpose)."
    ),
}


def _limiter_for(env, api_key, rate):
    """The key's limit, shared by every process and worker of this database."""
    return SharedRateLimiter(env.registry.cursor, api_key, rate)


# Rows a lexoffice connection's job works on at once. Every call waits for the key's
# slot (2 requests/s, SharedRateLimiter), so lanes never exceed the limit; they keep the
# key busy while answers come late: with 3 % of answers as late as the read timeout
# (35 s), about two calls wait at any time, and six lanes leave the key idle about 2 %
# of the time (one lane: two thirds).
LANES = 6

# An id of lexoffice, as it names its documents (#invoices-endpoint: "id" is a UUID).
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


class TmsBillingBackend(models.Model):
    _inherit = "tms.billing.backend"

    provider = fields.Selection(
        selection_add=[("lexoffice", "Lexware Office (lexoffice)")],
        ondelete={"lexoffice": "set default"},
    )

    lexoffice_webhook_public_key = fields.Text(
        string="lexoffice Public Key",
        groups="base.group_system",
        copy=False,
        help="lexoffice's public key (PEM, from its API documentation) that signs its "
        "event callbacks. With it, status changes arrive at once instead of hourly.",
    )
    lexoffice_webhook_url = fields.Char(
        string="lexoffice Callback URL", compute="_compute_lexoffice_webhook_url"
    )
    # Events name their organisation; only the API key's own are acted on.
    lexoffice_organization_id = fields.Char(
        string="lexoffice Organisation ID",
        groups="base.group_system",
        readonly=True,
        copy=False,
        help="The lexoffice organisation of the API key, read by Test connection and when "
        "subscribing to events. Events of other organisations are refused, and all events "
        "until it is known.",
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: lexoffice's public key decides which
        callbacks are trusted, as secret as the API key; the organisation and the
        callback address are read, not written."""
        return merge_access(
            super()._tms_write_access(),
            {
                "base.group_system": {"lexoffice_webhook_public_key"},
                "nobody": {"lexoffice_webhook_url", "lexoffice_organization_id"},
            },
        )

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: subscribing to lexoffice's events
        uses the API key and names our address: administrators only."""
        return merge_access(
            super()._tms_method_access(),
            {"action_lexoffice_subscribe_events": {"base.group_system"}},
        )

    def write(self, vals):
        """Override of `tms_billing` to forget the organisation when the key or the API
        URL changes: another key may belong to another organisation."""
        result = super().write(vals)
        if "api_key" in vals or "api_url" in vals:
            # Learnt from the account, not written by the caller.
            self.sudo().lexoffice_organization_id = False
        return result

    @api.constrains("lexoffice_webhook_public_key")
    def _check_lexoffice_webhook_public_key(self):
        for backend in self.filtered("lexoffice_webhook_public_key"):
            try:
                lexoffice.verify_webhook_signature(b"", "", backend.lexoffice_webhook_public_key)
            except lexoffice.WebhookKeyError:
                raise ValidationError(
                    self.env._(
                        "The lexoffice public key is not a PEM public key; paste it whole, "
                        "from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY-----."
                    )
                ) from None

    def _compute_lexoffice_webhook_url(self):
        # The base URL is a record's own (its company's web address): read per record,
        # as a list of connections reads them together.
        for backend in self:
            backend.lexoffice_webhook_url = (
                f"{backend.get_base_url()}/tms_billing_lexoffice/{backend.id}/events"
                if backend.id
                else False
            )

    def action_lexoffice_subscribe_events(self):
        """Ask lexoffice to call us when an invoice's status changes."""
        self.ensure_one()
        # It uses the API key and names a URL of ours to lexoffice: administrators only.
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(
                self.env._("Only administrators can subscribe to lexoffice's events.")
            )
        self.check_access("write")
        client = self._lexoffice_client()
        with self._lexoffice_errors():
            profile = client.get_profile()
        if not self._lexoffice_learn_organization(profile):
            raise UserError(
                self.env._(
                    "lexoffice's profile of this API key names no organisation: its events "
                    "could not be checked, so %(backend)s does not subscribe to them.",
                    backend=self.name,
                )
            )
        with self._lexoffice_errors():
            known = {
                (subscription.get("eventType"), subscription.get("callbackUrl"))
                for subscription in client.list_event_subscriptions()
            }
            if ("invoice.status.changed", self.lexoffice_webhook_url) not in known:
                client.create_event_subscription(
                    "invoice.status.changed", self.lexoffice_webhook_url
                )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "lexoffice reports status changes to %(url)s.", url=self.lexoffice_webhook_url
                ),
            },
        }

    def _lexoffice_learn_organization(self, profile):
        """Keep the organisation that ``GET /v1/profile`` names ("organizationId",
        #profile-endpoint), which every event of this key carries; False when the
        profile names none."""
        self.ensure_one()
        organization = lexoffice.read_token(profile.get("organizationId"))
        if organization and organization != self.sudo().lexoffice_organization_id:
            # Administrators only see it; whoever may test the connection may learn it.
            self.sudo().lexoffice_organization_id = organization
        return bool(organization)

    def _tms_call_lanes(self):
        """Override of `tms_billing_sync`: lexoffice's calls are spaced by the key's
        shared limit, so its rows are sent in ``LANES`` lanes."""
        if self.provider == "lexoffice":
            return LANES
        return super()._tms_call_lanes()

    def _lexoffice_client(self):
        self.ensure_one()
        key = self._tms_get_api_key()
        return lexoffice.LexofficeClient(
            key,
            base_url=self._tms_api_url(DEFAULT_BASE_URL),
            timeout=(5, self.timeout or 35.0),
            limiter=_limiter_for(self.env, key, RATE_LIMIT),
            # Every call ends by the deadline of the run or request making it.
            deadline=self._tms_call_deadline(),
        )

    def _lexoffice_text(self, error):
        """The lexoffice client's ``error`` in the language of this environment."""
        return self._tms_error_text(error, "tms_billing_lexoffice")

    @contextmanager
    def _lexoffice_errors(self):
        """The client's exceptions as the export ledger's, in the user's language."""
        try:
            yield
        except lexoffice.UnknownOutcomeError as error:
            raise ExportOutcomeUnknown(self._lexoffice_text(error)) from None
        except lexoffice.AuthenticationError as error:
            raise ExportAuthFailed(
                self.env._(
                    "lexoffice refused the API key (%(status)s): enter a valid one on the "
                    "Credentials tab of the connection (Transport Billing > Configuration > "
                    "Accounting Systems).",
                    status=error.status,
                )
            ) from None
        except (lexoffice.ValidationError, lexoffice.ConflictError) as error:
            raise ExportRejected(self._lexoffice_text(error)) from None
        except lexoffice.MappingError as error:
            raise ExportRejected(self._lexoffice_text(error)) from None
        except lexoffice.ServerError as error:
            # A 500 may hide a completed create; 503 and unreachable hosts do not.
            if error.status == 500:
                raise ExportOutcomeUnknown(self._lexoffice_text(error)) from None
            raise ExportError(self._lexoffice_text(error)) from None
        except lexoffice.LexofficeError as error:
            raise ExportError(self._lexoffice_text(error)) from None

    # -- hooks --------------------------------------------------------------------

    def _tms_default_urls(self):
        if self.provider != "lexoffice":
            return super()._tms_default_urls()
        return {"api_url": DEFAULT_BASE_URL, "app_url": DEFAULT_APP_URL}

    def _tms_default_tax_mappings(self):
        if self.provider != "lexoffice":
            return super()._tms_default_tax_mappings()
        return DEFAULT_TAX_MAPPINGS

    def _tms_test_connection(self):
        if self.provider != "lexoffice":
            return super()._tms_test_connection()
        with self._lexoffice_errors():
            profile = self._lexoffice_client().get_profile()
        warnings = []
        if not self._lexoffice_learn_organization(profile):
            warnings.append(
                self.env._(
                    "lexoffice's profile names no organisation: lexoffice's events cannot "
                    "be checked and are refused."
                )
            )
        # GET /v1/profile: smallBusiness "Reflects whether the organization is marked as a
        # "small business" (Kleinunternehmer according to §19 UStG.)" (#profile-endpoint)
        small_business = profile.get("smallBusiness")
        if (
            small_business is not None
            and bool(small_business) != self.company_id.tms_small_business
        ):
            if small_business:
                warnings.append(
                    self.env._(
                        "lexoffice marks this organisation as a small business (§ 19 UStG), "
                        "but %(company)s is not one in Odoo's settings: lexoffice will only "
                        "take tax-free invoices.",
                        company=self.company_id.name,
                    )
                )
            else:
                warnings.append(
                    self.env._(
                        "%(company)s is a small business (§ 19 UStG) in Odoo's settings, but "
                        "lexoffice does not mark the organisation as one.",
                        company=self.company_id.name,
                    )
                )
        account = profile.get("companyName") or profile.get("organizationId") or "lexoffice"
        return {"account": account, "warnings": warnings}

    def _tms_refusal_message(self, situation):
        if self.provider != "lexoffice" or situation not in UNDOCUMENTED_SITUATIONS:
            return super()._tms_refusal_message(situation)
        return self.env._(
            "%(reason)s %(backend)s does not send this invoice: write it in lexoffice by "
            "hand, or choose a tax type on the connection's Taxes tab once lexoffice "
            "confirms one.",
            reason=self.env._(UNDOCUMENTED_SITUATIONS[situation]),  # pylint: disable=translation-required
            backend=self.name,
        )

    def _tms_search_contacts(self, term):
        if self.provider != "lexoffice":
            return super()._tms_search_contacts(term)
        with self._lexoffice_errors():
            page = self._lexoffice_client().search_contacts(name=term, size=50)
        return [
            _contact_summary(contact)
            for contact in page.get("content", [])
            if isinstance(contact, dict) and contact.get("id")
        ]

    def _tms_create_contact(self, partner, link=None):
        if self.provider != "lexoffice":
            return super()._tms_create_contact(partner, link)
        values = self._tms_contact_values(partner)
        values["marker"] = link and link.marker
        values["vat"] = self._lexoffice_checked_vat(partner)
        # Tax-free invoices need "Steuerfreie Rechnungen erlauben" on the contact (help
        # centre, "Wie erstelle ich besondere Rechnungen?").
        values["allow_tax_free"] = partner._tms_tax_situation(self.company_id) in (
            "eu_business",
            "third_country",
        )
        client = self._lexoffice_client()
        with self._lexoffice_errors():
            payload = lexoffice.build_contact_payload(values)
            created = client.create_contact(payload)
        # The contact exists from here on: a failed read-back must not lose its id.
        try:
            with self._lexoffice_errors():
                contact = client.get_contact(created["id"])
            return _contact_summary(contact)
        except ExportError:
            return {"id": created["id"], "name": partner.name, "number": None, "address": None}

    def _tms_find_created_contact(self, link):
        if self.provider != "lexoffice":
            return super()._tms_find_created_contact(link)
        # Contacts are filtered by name, which needs "at least 3 characters"
        # (#contacts-endpoint, filtering parameters); the note holds our reference.
        name = (link.partner_id.name or "").strip()
        if len(name) < 3 or not link.marker:
            return super()._tms_find_created_contact(link)
        with self._lexoffice_errors():
            for contact in self._lexoffice_client().iter_contacts(name=name):
                if lexoffice.contact_has_marker(contact, link.marker):
                    return _contact_summary(contact)
        return None

    def _lexoffice_checked_vat(self, partner):
        """The customer's VAT ID with its country prefix, checked by Odoo's VAT check
        before lexoffice sees it: vatRegistrationId "has to follow the german rules for
        the vat registration ids" (#contacts-endpoint). One from outside the EU is left
        out of the contact by the mapper (``lexoffice.is_eu_vat_id``)."""
        partner = partner.commercial_partner_id
        vat = (partner.vat or "").replace(" ", "").upper()
        if not vat:
            return None
        country = partner._run_vat_test(vat, partner.country_id, partner.is_company)
        if not country or country is True:
            raise UserError(
                self.env._(
                    "The VAT ID %(vat)s of %(customer)s is not valid; correct it before the "
                    "contact is created in %(backend)s.",
                    vat=vat,
                    customer=partner.display_name,
                    backend=self.name,
                )
            )
        prefix = country.upper()
        vat = vat if vat.startswith(prefix) else f"{prefix}{vat}"
        # A Greek VAT ID starts with EL, not with the country code GR (VIES); the mapper
        # sends EU VAT IDs only, known by their prefix (lexoffice.is_eu_vat_id).
        return f"EL{vat[2:]}" if vat.startswith("GR") else vat

    def _tms_send_invoice(self, draft):
        if self.provider != "lexoffice":
            return super()._tms_send_invoice(draft)
        if draft.get("kind") == "credit_note":
            return self._lexoffice_send_credit_note(draft)
        mapping = self._tms_tax_mapping(draft["tax_situation"])
        self._lexoffice_check_draft(draft, mapping)
        if draft["buyer_reference"]:
            draft = self._lexoffice_xrechnung_net(draft, mapping)
        client = self._lexoffice_client()
        with self._lexoffice_errors():
            payload = lexoffice.build_invoice_payload(
                draft, tax_type=mapping.lexoffice_tax_type, tax_note=mapping.tax_note
            )
        buyer_reference = draft["buyer_reference"]
        if buyer_reference:
            payload = self._lexoffice_xrechnung_payload(client, draft, payload, buyer_reference)
        with self._lexoffice_errors():
            created = client.create_invoice(payload)
        return self._tms_invoice_result(created["id"], status="draft")

    def _lexoffice_xrechnung_net(self, draft, mapping):
        """The draft of an XRechnung with net prices. lexoffice's FAQ "XRechnung": an
        invoice with ``xRechnung`` must have the tax type ``net``. A gross invoice goes
        there with its net prices when they make the same totals to the cent
        (``lexoffice.xrechnung_net_draft``); otherwise it is refused before any call,
        saying what to do."""
        if lexoffice.invoice_tax_type(mapping.lexoffice_tax_type, draft["tax_mode"]) != "gross":
            return draft
        net = lexoffice.xrechnung_net_draft(draft)
        if net is None:
            raise ExportRejected(
                self.env._(
                    "%(customer)s receives XRechnung (Leitweg-ID %(reference)s), which "
                    "lexoffice sends only with net prices, and this gross invoice's net "
                    "prices do not add up to its totals to the cent. Bill the customer with "
                    "net prices (Transport Billing tab: Net/Gross Mode), cancel this invoice "
                    "and invoice its orders again.",
                    customer=draft["customer_name"],
                    reference=draft["buyer_reference"],
                )
            )
        return net

    def _lexoffice_xrechnung_payload(self, client, draft, payload, buyer_reference):
        """The invoice of a customer with a Leitweg-ID, as an XRechnung there.

        lexoffice takes the Leitweg-ID on the invoice only for a contact set up for
        XRechnung: "If a buyer reference is specified, but the linked contact has no
        buyer reference and vendor number at the customer, request attempts are rejected
        with 406" (#invoices-endpoint-xrechnung-details). The contact is read first; one
        without them is refused here, in words, rather than sent as an ordinary invoice
        that a public authority would not accept. Contacts created from here carry no
        xRechnung: lexoffice needs the vendor number at the customer with the Leitweg-ID
        ("If a customer's buyerReference is set, its vendorNumberAtCustomer needs to be
        set as well", #contacts-endpoint, XRechnung Details), which Odoo does not hold.
        """
        contact_id = (payload.get("address") or {}).get("contactId")
        contact = None
        if contact_id:
            with self._lexoffice_errors():
                contact = client.get_contact(contact_id)
        if not contact or not lexoffice.contact_buyer_reference(contact):
            raise ExportRejected(
                self.env._(
                    "%(customer)s has the Leitweg-ID %(reference)s, but its contact in "
                    "lexoffice is not set up for XRechnung, and lexoffice refuses a Leitweg-ID "
                    "for such a contact. Enter the Leitweg-ID and your vendor number at the "
                    "customer on the contact in lexoffice (%(contact)s), then send again.",
                    customer=draft["customer_name"],
                    reference=buyer_reference,
                    contact=(contact_id and self._tms_contact_url(contact_id)) or "-",
                )
            )
        with self._lexoffice_errors():
            return lexoffice.with_buyer_reference(payload, buyer_reference)

    def _lexoffice_send_credit_note(self, draft):
        """The refund as a draft credit note of its invoice there. The invoice is read
        first: "If an invoice with the status draft is referenced by the
        precedingSalesVoucherId, the request will be rejected with 406 response"
        (#credit-notes-endpoint-pursue-to-a-credit-note), so a draft invoice is waited
        for instead of refused, and "There can only be one credit note related to an
        invoice" (#credit-notes-endpoint-purpose) is told in words."""
        mapping = self._tms_tax_mapping(draft["tax_situation"])
        self._lexoffice_check_draft(draft, mapping, credit_note=True)
        client = self._lexoffice_client()
        with self._lexoffice_errors():
            try:
                invoice = client.get_invoice(draft["preceding_id"])
            except lexoffice.NotFoundError:
                raise ExportRejected(
                    self.env._(
                        "Invoice %(invoice)s no longer exists in lexoffice (deleted there): "
                        "the credit note cannot refer to it.",
                        invoice=draft["preceding_number"],
                    )
                ) from None
        status = invoice.get("voucherStatus")
        if status == "draft":
            # Retried with backoff by the send cron: sent once the invoice is final.
            raise ExportError(
                self.env._(
                    "Finalise invoice %(invoice)s in lexoffice first; the credit note is "
                    "sent then.",
                    invoice=draft["preceding_number"],
                )
            )
        if status == "voided":
            raise ExportRejected(
                self.env._(
                    "Invoice %(invoice)s is cancelled (voided) in lexoffice: no credit note "
                    "can refer to it there.",
                    invoice=invoice.get("voucherNumber") or draft["preceding_number"],
                )
            )
        existing = [
            voucher
            for voucher in invoice.get("relatedVouchers") or []
            if isinstance(voucher, dict) and voucher.get("voucherType") == "creditnote"
        ]
        if existing:
            raise ExportRejected(
                self.env._(
                    "Invoice %(invoice)s already has credit note %(credit_note)s in "
                    "lexoffice, which allows one credit note per invoice: correct that "
                    "credit note there.",
                    invoice=invoice.get("voucherNumber") or draft["preceding_number"],
                    credit_note=existing[0].get("voucherNumber") or existing[0].get("id"),
                )
            )
        with self._lexoffice_errors():
            payload = lexoffice.build_credit_note_payload(
                draft,
                tax_type=mapping.lexoffice_tax_type,
                tax_note=mapping.tax_note,
                preceding_number=invoice.get("voucherNumber") or draft["preceding_number"],
            )
            created = client.create_credit_note(payload, draft["preceding_id"])
        return self._tms_invoice_result(created["id"], status="draft")

    def _lexoffice_check_draft(self, draft, mapping, credit_note=False):
        """The limits a user can fix, in their language, before the mapper's own checks."""
        if draft["currency"] != "EUR":
            raise ExportRejected(
                self.env._(
                    "lexoffice takes invoices in EUR only; this one is in %(currency)s.",
                    currency=draft["currency"],
                )
            )
        if len(draft["lines"]) > MAX_LINE_ITEMS:
            raise ExportRejected(
                self.env._(
                    "lexoffice takes at most %(limit)s lines per invoice; this one has "
                    "%(count)s. Use aggregated positions for this customer.",
                    limit=MAX_LINE_ITEMS,
                    count=len(draft["lines"]),
                )
            )
        tax_type = lexoffice.invoice_tax_type(mapping.lexoffice_tax_type, draft["tax_mode"])
        # A credit note's rates are those of its voucherDate (FAQ "Valid tax rates"). An
        # invoice's are those of its delivery, whose dates may be refused (MappingError).
        with self._lexoffice_errors():
            rate_date = draft["invoice_date"] if credit_note else lexoffice.tax_rate_date(draft)
        try:
            lexoffice.check_tax_rates(
                tax_type, [line["tax_rate"] for line in draft["lines"]], rate_date
            )
        except lexoffice.MappingError:
            code = self.env._("lexoffice tax type %(tax_type)s", tax_type=tax_type)
            raise self._tms_tax_mismatch(draft, mapping, code) from None

    def _tms_find_invoice(self, ref):
        if self.provider != "lexoffice":
            return super()._tms_find_invoice(ref)
        client = self._lexoffice_client()
        if ref["kind"] == "credit_note":
            if not ref["preceding_id"]:
                return None
            with self._lexoffice_errors():
                voucher = client.find_credit_note_by_marker(
                    ref["marker"],
                    ref["preceding_id"],
                    contact_id=ref["contact_id"],
                    created_since=ref["created_since"],
                    known_ids=ref["known_ids"],
                )
        else:
            with self._lexoffice_errors():
                voucher = client.find_invoice_by_marker(
                    ref["marker"],
                    contact_id=ref["contact_id"],
                    created_since=ref["created_since"],
                    expected_total=ref["expected_total"],
                    known_ids=ref["known_ids"],
                )
        return voucher and self._lexoffice_result(voucher)

    def _lexoffice_result(self, voucher):
        """A found invoice or credit note as the ledger records it."""
        status = lexoffice.parse_invoice_status(voucher)
        return self._tms_invoice_result(
            voucher["id"], number=status["number"], status=status["status"]
        )

    def _tms_fetch_invoice_status(self, ref):
        if self.provider != "lexoffice":
            return super()._tms_fetch_invoice_status(ref)
        if ref["kind"] == "credit_note":
            with self._lexoffice_errors():
                try:
                    credit_note = self._lexoffice_client().get_credit_note(ref["external_id"])
                except lexoffice.NotFoundError:
                    # "credit-note.deleted: A credit note was deleted in Lexware."
                    # (#event-subscriptions-endpoint-event-types): then 404.
                    return self._tms_status_deleted()
            return lexoffice.parse_invoice_status(credit_note)
        with self._lexoffice_errors():
            try:
                invoice = self._lexoffice_client().get_invoice(ref["external_id"])
            except lexoffice.NotFoundError:
                # Drafts can be deleted in the web app; lexoffice then answers 404.
                return self._tms_status_deleted()
        return lexoffice.parse_invoice_status(invoice)

    def _tms_read_found_document(self, ref, text):
        if self.provider != "lexoffice":
            return super()._tms_read_found_document(ref, text)
        # lexoffice's ids are UUIDs, also in its web addresses (…/permalink/invoices/view/{id}).
        match = UUID.search(text or "")
        if not match:
            raise ExportRejected(
                self.env._(
                    "%(text)s names no lexoffice document: paste its web address from "
                    "lexoffice, or its id.",
                    text=(text or "")[:200],
                )
            )
        client = self._lexoffice_client()
        with self._lexoffice_errors():
            if ref["kind"] == "credit_note":
                voucher = client.get_credit_note(match[0])
            else:
                voucher = client.get_invoice(match[0])
        # Our marker is the remark's last line (mapper.marker_line).
        carries = lexoffice.has_marker(voucher.get("remark") or "", ref["marker"])
        return self._lexoffice_result(dict(voucher, id=match[0])), carries

    def _tms_fetch_document(self, ref):
        if self.provider != "lexoffice":
            return super()._tms_fetch_document(ref)
        # GET /v1/invoices/{id}/file and /v1/credit-notes/{id}/file: a draft has no
        # document file and answers 409 (#invoices-endpoint-download-an-invoice-file,
        # #credit-notes-endpoint-download-a-credit-note-file): there is nothing yet.
        client = self._lexoffice_client()
        with self._lexoffice_errors():
            try:
                if ref["kind"] == "credit_note":
                    content = client.get_credit_note_file(ref["external_id"])
                else:
                    content = client.get_invoice_file(ref["external_id"])
            except lexoffice.ConflictError:
                return None
        return {"content": content, "filename": None}

    def _tms_invoice_url(self, external_id):
        if self.provider != "lexoffice":
            return super()._tms_invoice_url(external_id)
        # A draft opens to be edited, a final invoice in its view.
        return lexoffice.deeplink(self.app_url, "invoices", external_id, edit=True)

    def _tms_credit_note_url(self, external_id):
        if self.provider != "lexoffice":
            return super()._tms_credit_note_url(external_id)
        return lexoffice.deeplink(self.app_url, "credit-notes", external_id, edit=True)

    def _tms_contact_url(self, external_id):
        if self.provider != "lexoffice":
            return super()._tms_contact_url(external_id)
        return lexoffice.deeplink(self.app_url, "contacts", external_id)


def _contact_summary(contact):
    company = contact.get("company") or {}
    person = contact.get("person") or {}
    name = company.get("name") or " ".join(
        filter(None, [person.get("firstName"), person.get("lastName")])
    )
    billing = ((contact.get("addresses") or {}).get("billing") or [{}])[0]
    address = ", ".join(
        filter(
            None,
            [
                billing.get("street"),
                " ".join(filter(None, [billing.get("zip"), billing.get("city")])),
            ],
        )
    )
    number = ((contact.get("roles") or {}).get("customer") or {}).get("number")
    return {
        "id": contact["id"],
        "name": name or contact["id"],
        "number": str(number) if number is not None else None,
        "address": address or None,
    }
