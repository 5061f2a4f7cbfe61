import re
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.tms_billing.engine.vat_route import (
    EXPORT_EXEMPT,
    NOT_TAXABLE_THIRD_COUNTRY_ROUTE,
)
from odoo.addons.tms_billing.engine.vocabulary import EU_PRIVATE_ABROAD
from odoo.addons.tms_billing.models.tms_billing_client_access import merge_access
from odoo.addons.tms_billing_sync.export_errors import (
    ExportAuthFailed,
    ExportError,
    ExportOutcomeUnknown,
    ExportRejected,
)

from .. import api as sevdesk
from ..api.const import (
    DEFAULT_APP_URL,
    DEFAULT_BASE_URL,
    DEFAULT_UNIT_ID,
    INVOICE_WEB_PATH,
    UOM_UNITY_CODES,
)
from ..api.mapper import LEGACY_TAX_TYPES

# The default tax rule and text of each situation, for a German haulier's services.
# Rules and their rates: openapi.yaml L4, "sevdesk-Update 2.0 > Tax Rules"; the texts
# follow Model_Invoice.taxText ("A common tax text would be 'Umsatzsteuer 19%'", L13078).
DEFAULT_TAX_MAPPINGS = {
    # Taxable in Germany: "Umsatzsteuerpflichtige Umsätze", 0/7/19 %.
    "domestic": {"sevdesk_tax_rule": "1", "tax_note": "Umsatzsteuer"},
    # A transport for a private customer in the EU is taxed where it begins (§ 3b Abs. 3
    # UStG): for a German haulier, German VAT as at home.
    "eu_private": {"sevdesk_tax_rule": "1", "tax_note": "Umsatzsteuer"},
    # A service to an EU business is supplied where the customer is (§ 3a Abs. 2 UStG)
    # and reported in field 21 of the VAT return: "Reverse Charge gem. § 18b UStG
    # (field 21 in VAT return)", 0 %.
    "eu_business": {
        "sevdesk_tax_rule": "21",
        "tax_note": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)",
    },
    # A service to a business outside the EU is not taxable in Germany (§ 3a Abs. 2
    # UStG): "Nicht im Inland steuerbare Leistung", 0 %, old taxType "noteu", whose
    # description reads "außerhalb EU, z. B. Schweiz" (L13084-13104).
    "third_country": {
        "sevdesk_tax_rule": "17",
        "tax_note": "Nicht im Inland steuerbare Leistung",
    },
    # "Steuer nicht erhoben nach § 19 UStG", 0 %.
    "small_business": {
        "sevdesk_tax_rule": "11",
        "tax_note": "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.",
    },
    # The situations of the route (engine/vat_route.py). A transport of exported or
    # imported goods is tax-free (§ 4 Nr. 3 Buchst. a UStG): "Steuerfreie Umsätze §4
    # UStG", 0 %, no old tax type (the "Tax Rules" table of L4; Model_Invoice.taxRule
    # L13059-13070); the text is the exemption the invoice must state (§ 14 Abs. 4
    # Satz 1 Nr. 8 UStG).
    "export_import_exempt": {
        "sevdesk_tax_rule": "4",
        "tax_note": EXPORT_EXEMPT.wording_de,
    },
    # A private customer's transport from another member state carries that state's VAT
    # (§ 3b Abs. 3 UStG): rule 20 "One Stop Shop (other service)", whose rates the file
    # gives as "depending on country" without listing them (L4), and which is for
    # companies registered for the One-Stop-Shop only: refused (_tms_refusal_message).
    "eu_private_abroad": {"refuse": True},
    # A private customer outside the EU whose transport runs in Germany is taxed as at
    # home (§ 3b Abs. 1 UStG): "Umsatzsteuerpflichtige Umsätze", 0/7/19 %.
    "third_country_private": {"sevdesk_tax_rule": "1", "tax_note": "Umsatzsteuer"},
    # A transport within a third country is not taxable in Germany (§ 3a Abs. 8, § 3b
    # Abs. 1 UStG): "Nicht im Inland steuerbare Leistung", 0 %, old taxType "noteu".
    "third_country_route": {
        "sevdesk_tax_rule": "17",
        "tax_note": NOT_TAXABLE_THIRD_COUNTRY_ROUTE.wording_de,
    },
}


class TmsBillingBackend(models.Model):
    _inherit = "tms.billing.backend"

    provider = fields.Selection(
        selection_add=[("sevdesk", "sevDesk")], ondelete={"sevdesk": "set default"}
    )
    # The choices, from the lists Test connection reads from the account.
    sevdesk_user_ids = fields.One2many(
        "tms.billing.sevdesk.user", "backend_id", string="sevDesk Users", readonly=True
    )
    sevdesk_unit_ids = fields.One2many(
        "tms.billing.sevdesk.unit", "backend_id", string="sevDesk Units", readonly=True
    )
    sevdesk_contact_user_id = fields.Many2one(
        "tms.billing.sevdesk.user",
        string="Contact Person",
        domain="[('backend_id', '=', id)]",
        ondelete="set null",
        copy=False,
        help="The sevDesk user named as contact person on every invoice. Test connection "
        "fills this list.",
    )
    sevdesk_position_unit_id = fields.Many2one(
        "tms.billing.sevdesk.unit",
        string="Unit",
        domain="[('backend_id', '=', id)]",
        ondelete="set null",
        copy=False,
        help="The sevDesk unit of every invoice position (e.g. Stk, Std, km, Pauschal). Test "
        "connection fills this list; without a choice sevDesk's unit 1 is sent.",
    )
    # The ids sent to sevDesk: the chosen entries', or the ones typed in before the lists
    # existed, which are kept as long as nothing is chosen.
    sevdesk_contact_person_id = fields.Char(
        string="sevDesk User ID",
        compute="_compute_sevdesk_contact_person_id",
        store=True,
        readonly=True,
        help="The id of the sevDesk user shown as contact person on invoices.",
    )
    sevdesk_unit_id = fields.Integer(
        string="sevDesk Unit ID",
        compute="_compute_sevdesk_unit_id",
        store=True,
        readonly=True,
        help="The id of the sevDesk unit used for invoice positions.",
    )
    sevdesk_bookkeeping_version = fields.Char(
        string="sevDesk Bookkeeping Version",
        readonly=True,
        help="Read from sevDesk: 2.0 takes tax rules, 1.0 the older tax types.",
    )
    sevdesk_country_ids = fields.Json(
        string="sevDesk Countries",
        readonly=True,
        copy=False,
        help="sevDesk's country ids by ISO code, read once from sevDesk.",
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: managers choose the contact person
        and the unit among what *Test connection* read from the account; the ids sent
        and the account's settings follow from it."""
        return merge_access(
            super()._tms_write_access(),
            {
                "tms_billing.group_tms_billing_manager": {
                    "sevdesk_contact_user_id",
                    "sevdesk_position_unit_id",
                },
                "nobody": {
                    "sevdesk_user_ids",
                    "sevdesk_unit_ids",
                    "sevdesk_contact_person_id",
                    "sevdesk_unit_id",
                    "sevdesk_bookkeeping_version",
                    "sevdesk_country_ids",
                },
            },
        )

    @api.constrains("sevdesk_contact_user_id", "sevdesk_position_unit_id")
    def _check_sevdesk_choices(self):
        for backend in self:
            for choice in (backend.sevdesk_contact_user_id, backend.sevdesk_position_unit_id):
                if choice and choice.backend_id != backend:
                    raise ValidationError(
                        self.env._(
                            "%(choice)s is a choice of another connection: choose among "
                            "what Test connection read for %(backend)s.",
                            choice=choice.display_name,
                            backend=backend.name,
                        )
                    )

    @api.depends("sevdesk_contact_user_id")
    def _compute_sevdesk_contact_person_id(self):
        for backend in self.filtered("sevdesk_contact_user_id"):
            backend.sevdesk_contact_person_id = backend.sevdesk_contact_user_id.external_id

    @api.depends("sevdesk_position_unit_id")
    def _compute_sevdesk_unit_id(self):
        for backend in self:
            if backend.sevdesk_position_unit_id:
                backend.sevdesk_unit_id = backend.sevdesk_position_unit_id.external_id
            elif not backend.sevdesk_unit_id:
                backend.sevdesk_unit_id = DEFAULT_UNIT_ID

    def _sevdesk_client(self):
        self.ensure_one()
        return sevdesk.SevdeskClient(
            self._tms_get_api_key(),
            base_url=self._tms_api_url(DEFAULT_BASE_URL),
            timeout=(5, self.timeout or 35.0),
            # Every call ends by the deadline of the run or request making it.
            deadline=self._tms_call_deadline(),
        )

    def _sevdesk_text(self, error):
        """The sevDesk client's ``error`` in the language of this environment."""
        return self._tms_error_text(error, "tms_billing_sevdesk")

    @contextmanager
    def _sevdesk_errors(self):
        """The client's exceptions as the export ledger's, in the user's language."""
        try:
            yield
        except sevdesk.UnknownOutcomeError as error:
            raise ExportOutcomeUnknown(self._sevdesk_text(error)) from None
        except sevdesk.AuthenticationError as error:
            raise ExportAuthFailed(
                self.env._(
                    "sevDesk refused the API token (%(status)s): enter a valid one as API key "
                    "on the Credentials tab of the connection (Transport Billing > "
                    "Configuration > Accounting Systems).",
                    status=error.status,
                )
            ) from None
        except (sevdesk.ValidationError, sevdesk.NotFoundError, sevdesk.MappingError) as error:
            raise ExportRejected(self._sevdesk_text(error)) from None
        except sevdesk.RateLimitError as error:
            raise ExportError(self._sevdesk_text(error)) from None
        except sevdesk.ServerError as error:
            # A bare 500 may hide a completed create; unreachable hosts do not.
            if error.status == 500:
                raise ExportOutcomeUnknown(self._sevdesk_text(error)) from None
            raise ExportError(self._sevdesk_text(error)) from None
        except sevdesk.SevdeskError as error:
            # Other 4xx answers: retrying them could get the token blocked.
            raise ExportRejected(self._sevdesk_text(error)) from None

    def write(self, vals):
        """Override of `tms_billing` to forget what was read from another account."""
        other_account = bool({"api_url", "api_key"} & set(vals))
        result = super().write(vals)
        if other_account:
            # What was read from one sevDesk account does not hold for another, nor do its
            # users and units; the ids sent stay until something else is chosen from the
            # lists read again.
            self.sudo().write({"sevdesk_country_ids": False, "sevdesk_bookkeeping_version": False})
            self.sudo().sevdesk_user_ids.unlink()
            self.sudo().sevdesk_unit_ids.unlink()
        return result

    def _sevdesk_unit_ids(self):
        """The sevDesk unit of each kind of position: transport positions and units
        without a match take the connection's unit; hours, pieces and kilometres the
        account's unit of that kind (by its translationCode, see UOM_UNITY_CODES)."""
        default = self.sevdesk_unit_id or DEFAULT_UNIT_ID
        by_code = {
            unit.code: unit.external_id for unit in self.sudo().sevdesk_unit_ids if unit.code
        }
        units = {"default": default, "transport": default}
        for uom, code in UOM_UNITY_CODES.items():
            if code in by_code:
                units[uom] = by_code[code]
        return units

    def _sevdesk_store_lists(self, users, units):
        """Keep the account's users and units as the choices of this connection: entries
        are updated by their sevDesk id, new ones added, vanished ones removed (a choice
        among them is emptied). A connection whose ids were typed in gets the matching
        entries chosen. Written as superuser: nobody edits these lists by hand."""
        self.ensure_one()
        backend = self.sudo()
        _sync(backend.sevdesk_user_ids, users, backend.id, ("name", "username"))
        _sync(backend.sevdesk_unit_ids, units, backend.id, ("name", "code"))
        if not backend.sevdesk_contact_user_id and backend.sevdesk_contact_person_id:
            backend.sevdesk_contact_user_id = backend.sevdesk_user_ids.filtered(
                lambda user: user.external_id == backend.sevdesk_contact_person_id.strip()
            )[:1]
        # An account with one user has one possible contact person.
        if not backend.sevdesk_contact_user_id and len(backend.sevdesk_user_ids) == 1:
            backend.sevdesk_contact_user_id = backend.sevdesk_user_ids
        if not backend.sevdesk_position_unit_id and backend.sevdesk_unit_id:
            backend.sevdesk_position_unit_id = backend.sevdesk_unit_ids.filtered(
                lambda unit: unit.external_id == backend.sevdesk_unit_id
            )[:1]

    # What is read from sevDesk is kept on the connection for whoever pushes: written as
    # superuser, the caller's right to push having been checked at the entry.
    def _sevdesk_country_ids(self, client):
        if not self.sevdesk_country_ids:
            with self._sevdesk_errors():
                self.sudo().sevdesk_country_ids = client.get_country_ids()
        return self.sevdesk_country_ids

    def _sevdesk_bookkeeping_version(self, client):
        if not self.sevdesk_bookkeeping_version:
            with self._sevdesk_errors():
                self.sudo().sevdesk_bookkeeping_version = client.get_bookkeeping_version()
        return self.sevdesk_bookkeeping_version

    # -- hooks --------------------------------------------------------------------

    def _tms_default_urls(self):
        if self.provider != "sevdesk":
            return super()._tms_default_urls()
        return {"api_url": DEFAULT_BASE_URL, "app_url": DEFAULT_APP_URL}

    def _tms_default_tax_mappings(self):
        if self.provider != "sevdesk":
            return super()._tms_default_tax_mappings()
        return DEFAULT_TAX_MAPPINGS

    def _tms_test_connection(self):
        if self.provider != "sevdesk":
            return super()._tms_test_connection()
        client = self._sevdesk_client()
        with self._sevdesk_errors():
            version = client.get_bookkeeping_version()
            countries = client.get_country_ids()
            users = client.list_users()
            units = client.list_units()
        # What the account says about itself, for whoever pushes later (the caller's
        # right to test was checked at the entry).
        self.sudo().write(
            {"sevdesk_bookkeeping_version": version, "sevdesk_country_ids": countries}
        )
        self._sevdesk_store_lists(users, units)
        warnings = []
        if not self.sevdesk_contact_user_id:
            warnings.append(
                self.env._(
                    "Choose the contact person in the sevDesk section of the connection: "
                    "sevDesk does not take invoices without one."
                )
                if not self.sevdesk_contact_person_id
                else self.env._(
                    "The contact person %(user)s is not a user of this sevDesk account: "
                    "choose one in the sevDesk section of the connection.",
                    user=self.sevdesk_contact_person_id,
                )
            )
        unbillable = self._sevdesk_unbillable_mappings(version)
        if unbillable:
            warnings.append(
                self.env._(
                    "This account keeps its books on bookkeeping system %(version)s, where "
                    "tax rules %(rules)s have no tax type: it cannot bill %(situations)s. "
                    "Such invoices are refused before they are sent; switch the account "
                    "to bookkeeping system 2.0 to send them.",
                    version=version,
                    rules=", ".join(sorted(set(unbillable.mapped("sevdesk_tax_rule")), key=int)),
                    situations=", ".join(
                        f'"{self._tms_situation_label(situation)}"'
                        for situation in unbillable.mapped("situation")
                    ),
                )
            )
        if self.sevdesk_unit_id and not self.sevdesk_position_unit_id:
            warnings.append(
                self.env._(
                    "The unit %(unit)s is not a unit of this sevDesk account: choose one in "
                    "the sevDesk section of the connection.",
                    unit=self.sevdesk_unit_id,
                )
            )
        return {
            "account": self.env._(
                "bookkeeping system %(version)s, %(users)s users, %(units)s units",
                version=version,
                users=len(users),
                units=len(units),
            ),
            "warnings": warnings,
        }

    def _tms_search_contacts(self, term):
        if self.provider != "sevdesk":
            return super()._tms_search_contacts(term)
        # A number is a customer number, anything else a name.
        criteria = {"customer_number": term} if term.isdigit() else {"name": term}
        with self._sevdesk_errors():
            contacts = self._sevdesk_client().search_contacts(**criteria)
        return [_contact_summary(contact) for contact in contacts]

    def _tms_contact_reference(self, partner):
        if self.provider != "sevdesk":
            return super()._tms_contact_reference(partner)
        # The customer number is ours to choose (GET /Contact/Factory/getNextCustomerNumber,
        # then "customerNumber" in Model_Contact); it finds the contact again through
        # GET /Contact?customerNumber= when the answer to its creation is lost.
        with self._sevdesk_errors():
            return self._sevdesk_client().get_next_customer_number()

    def _tms_create_contact(self, partner, link=None):
        if self.provider != "sevdesk":
            return super()._tms_create_contact(partner, link)
        # The contact carries the Leitweg-ID (``buyer_reference``): the only place sevDesk
        # takes a buyer reference (Model_Contact.buyerReference, L9339; invoices have
        # none). A contact linked by hand keeps what it has there: it is not written here.
        values = self._tms_contact_values(partner)
        client = self._sevdesk_client()
        countries = self._sevdesk_country_ids(client)
        with self._sevdesk_errors():
            values["customer_number"] = (
                link and link.pending_reference
            ) or client.get_next_customer_number()
            contact, problems = client.create_customer(values, countries)
        summary = _contact_summary(contact)
        if problems:
            summary["warning"] = self.env._(
                "Complete the contact in sevDesk by hand: %(problems)s",
                problems="; ".join(self._sevdesk_text(problem) for problem in problems),
            )
        return summary

    def _tms_find_created_contact(self, link):
        if self.provider != "sevdesk":
            return super()._tms_find_created_contact(link)
        if not link.pending_reference:
            return super()._tms_find_created_contact(link)
        with self._sevdesk_errors():
            contacts = self._sevdesk_client().search_contacts(
                customer_number=link.pending_reference
            )
        return _contact_summary(contacts[0]) if contacts else None

    def _tms_send_invoice(self, draft):
        if self.provider != "sevdesk":
            return super()._tms_send_invoice(draft)
        if draft.get("kind") == "credit_note":
            return self._sevdesk_send_credit_note(draft)
        client, settings = self._sevdesk_payload_settings(draft)
        # propertyIsEInvoice is not set: an e-invoice needs, besides the contact's
        # buyerReference, the invoice's paymentMethod and the account's bank and tax
        # data (Model_Invoice.propertyIsEInvoice, L13314-13331), which are not sent from
        # here; the invoice is made an e-invoice in sevDesk.
        with self._sevdesk_errors():
            payload = sevdesk.build_save_invoice_payload(draft, **settings)
            invoice = client.save_invoice(payload)
        return self._sevdesk_result(invoice)

    def _sevdesk_payload_settings(self, draft):
        """The client, and what this connection puts in an invoice or credit note of
        ``draft``: contact person, tax rule and text, countries, bookkeeping version and
        unit. The rules a user can fix are checked first."""
        mapping = self._tms_tax_mapping(draft["tax_situation"])
        self._sevdesk_check_draft(draft, mapping)
        # Known since Test connection: refused before any call.
        self._sevdesk_check_bookkeeping(mapping, self.sevdesk_bookkeeping_version)
        client = self._sevdesk_client()
        version = self._sevdesk_bookkeeping_version(client)
        self._sevdesk_check_bookkeeping(mapping, version)
        return client, {
            "contact_person_id": self.sevdesk_contact_person_id,
            "tax_rule": mapping.sevdesk_tax_rule,
            "tax_text": mapping.tax_note,
            "bookkeeping_version": version,
            "country_ids": self._sevdesk_country_ids(client),
            "unit_ids": self._sevdesk_unit_ids(),
        }

    def _sevdesk_send_credit_note(self, draft):
        """The refund as a draft credit note referring to its invoice (see
        ``build_save_credit_note_payload`` for why saveCreditNote). The invoice is read
        first: whether sevDesk takes a credit note of a draft invoice is not documented
        (no status precondition on saveCreditNote or createFromInvoice), so a draft is
        waited for, as lexoffice requires; a cancelled or deleted one is refused."""
        client, settings = self._sevdesk_payload_settings(draft)
        with self._sevdesk_errors():
            try:
                invoice = client.get_invoice(draft["preceding_id"])
            except sevdesk.NotFoundError:
                raise ExportRejected(
                    self.env._(
                        "Invoice %(invoice)s no longer exists in sevDesk (deleted there): the "
                        "credit note cannot refer to it.",
                        invoice=draft["preceding_number"],
                    )
                ) from None
        status = str(invoice.get("status") or "")
        number = invoice.get("invoiceNumber") or draft["preceding_number"]
        # A draft becomes open (200) when sent: "Use the matching endpoints (e.g.
        # sendViaEmail) to automatically change the status" (L4, "Saving an invoice").
        if status == "100":
            raise ExportError(
                self.env._(
                    "Send invoice %(invoice)s in sevDesk (or mark it as sent) first; the "
                    "credit note is sent then.",
                    invoice=number,
                )
            )
        if status not in ("200", "750", "1000"):
            raise ExportRejected(
                self.env._(
                    "Invoice %(invoice)s has the status %(status)s in sevDesk (not open or "
                    "paid): no credit note is sent for it. Settle it in sevDesk.",
                    invoice=number,
                    status=status or "-",
                )
            )
        with self._sevdesk_errors():
            payload = sevdesk.build_save_credit_note_payload(
                draft,
                preceding_id=draft["preceding_id"],
                preceding_number=number,
                # Model_creditNote requires creditNoteNumber: the next one of the
                # account's sequence (openapi.yaml L119, L10811).
                credit_note_number=client.get_next_credit_note_number(),
                **settings,
            )
            credit_note = client.save_credit_note(payload)
        return self._sevdesk_result(credit_note, sevdesk.parse_credit_note_status)

    def _sevdesk_unbillable_mappings(self, version):
        """This connection's tax mappings whose rule an account on bookkeeping system
        ``version`` does not take: 1.0 names a rule by its old tax type, and rules 4
        and 21 have none (openapi.yaml L4, "Tax Rules", column "Old property")."""
        if not version or version == "2.0":
            return self.tax_mapping_ids.browse()
        return self.tax_mapping_ids.filtered(
            lambda mapping: not mapping.refuse and mapping.sevdesk_tax_rule not in LEGACY_TAX_TYPES
        )

    def _sevdesk_check_bookkeeping(self, mapping, version):
        """Refuse, in words, an invoice whose tax rule the account's bookkeeping system
        does not take (``_sevdesk_unbillable_mappings``)."""
        if mapping in self._sevdesk_unbillable_mappings(version):
            raise ExportRejected(
                self.env._(
                    "The sevDesk account of %(backend)s keeps its books on bookkeeping "
                    'system %(version)s, where tax rule %(rule)s ("%(situation)s") has no '
                    "tax type: sevDesk cannot take this invoice through its API. Switch the "
                    "account to bookkeeping system 2.0, or write the invoice in sevDesk by "
                    "hand.",
                    backend=self.name,
                    version=version,
                    rule=mapping.sevdesk_tax_rule,
                    situation=self._tms_situation_label(mapping.situation),
                )
            )

    def _tms_refusal_message(self, situation):
        if self.provider != "sevdesk":
            return super()._tms_refusal_message(situation)
        if situation == EU_PRIVATE_ABROAD:
            return self.env._(
                "A private customer's transport from another EU state carries that "
                "state's VAT (§ 3b Abs. 3 UStG). sevDesk's rule for it, 20 \"One Stop Shop "
                '(other service)", is for companies registered for the One-Stop-Shop, and '
                'its tax rates are documented as "depending on country" only (openapi.yaml, '
                '"Tax Rules"): %(backend)s does not send this invoice. Write it in sevDesk '
                "by hand.",
                backend=self.name,
            )
        return super()._tms_refusal_message(situation)

    def _sevdesk_check_draft(self, draft, mapping):
        """The rules a user can fix, in their language, before the mapper's own checks."""
        if not self.sevdesk_contact_person_id:
            raise ExportRejected(
                self.env._(
                    "Choose the contact person on the sevDesk tab of the connection "
                    "%(backend)s (Transport Billing > Configuration > Accounting Systems).",
                    backend=self.name,
                )
            )
        last_delivery = draft["period_end"] or draft["delivery_date"]
        if last_delivery and last_delivery > draft["invoice_date"]:
            raise ExportRejected(
                self.env._(
                    "sevDesk refuses invoices delivered after their invoice date: set the "
                    "invoice date to %(date)s or later.",
                    date=last_delivery.strftime("%d.%m.%Y"),
                )
            )
        try:
            sevdesk.check_tax_rule(
                mapping.sevdesk_tax_rule, [line["tax_rate"] for line in draft["lines"]]
            )
        except sevdesk.MappingError:
            code = self.env._("sevDesk tax rule %(rule)s", rule=mapping.sevdesk_tax_rule)
            raise self._tms_tax_mismatch(draft, mapping, code) from None

    def _tms_find_invoice(self, ref):
        if self.provider != "sevdesk":
            return super()._tms_find_invoice(ref)
        contact_id = ref["contact_id"]
        if ref["kind"] == "credit_note":
            with self._sevdesk_errors():
                credit_note = self._sevdesk_client().find_credit_note_by_marker(
                    ref["marker"], contact_id
                )
            return credit_note and self._sevdesk_result(
                credit_note, sevdesk.parse_credit_note_status
            )
        with self._sevdesk_errors():
            invoice = self._sevdesk_client().find_invoice_by_marker(ref["marker"], contact_id)
        return invoice and self._sevdesk_result(invoice)

    def _tms_fetch_invoice_status(self, ref):
        if self.provider != "sevdesk":
            return super()._tms_fetch_invoice_status(ref)
        if ref["kind"] == "credit_note":
            with self._sevdesk_errors():
                try:
                    credit_note = self._sevdesk_client().get_credit_note(ref["external_id"])
                except sevdesk.NotFoundError:
                    # "Bad request. creditNote was not found" (openapi.yaml L2551).
                    return self._tms_status_deleted()
            return sevdesk.parse_credit_note_status(credit_note)
        with self._sevdesk_errors():
            try:
                invoice = self._sevdesk_client().get_invoice(ref["external_id"])
            except sevdesk.NotFoundError:
                # "Bad request. Invoice was not found" (openapi.yaml L4730): deleted there.
                return self._tms_status_deleted()
        return sevdesk.parse_invoice_status(invoice)

    def _tms_read_found_document(self, ref, text):
        if self.provider != "sevdesk":
            return super()._tms_read_found_document(ref, text)
        # sevDesk's ids are numbers (Model_Invoice.id), also the last number of its web
        # addresses (INVOICE_WEB_PATH).
        numbers = re.findall(r"\d+", text or "")
        if not numbers or len(numbers[-1]) > 12:
            raise ExportRejected(
                self.env._(
                    "%(text)s names no sevDesk document: paste its web address from "
                    "sevDesk, or its id.",
                    text=(text or "")[:200],
                )
            )
        client = self._sevdesk_client()
        with self._sevdesk_errors():
            if ref["kind"] == "credit_note":
                voucher = client.get_credit_note(numbers[-1])
                parse = sevdesk.parse_credit_note_status
            else:
                voucher = client.get_invoice(numbers[-1])
                parse = sevdesk.parse_invoice_status
        # Our marker ends customerInternalNote (mapper.marker_note).
        carries = sevdesk.has_marker(voucher.get("customerInternalNote"), ref["marker"])
        return self._sevdesk_result(voucher, parse), carries

    def _tms_fetch_document(self, ref):
        if self.provider != "sevdesk":
            return super()._tms_fetch_document(ref)
        # Called once the status there is no longer a draft (100): the file does not
        # say whether getPdf renders a draft, and a draft's document is not final.
        client = self._sevdesk_client()
        with self._sevdesk_errors():
            if ref["kind"] == "credit_note":
                return client.get_credit_note_document(ref["external_id"])
            return client.get_invoice_document(ref["external_id"])

    def _tms_invoice_url(self, external_id):
        if self.provider != "sevdesk":
            return super()._tms_invoice_url(external_id)
        app = self.app_url or DEFAULT_APP_URL
        return app.rstrip("/") + INVOICE_WEB_PATH.format(invoice_id=external_id)

    def _tms_credit_note_url(self, external_id):
        if self.provider != "sevdesk":
            return super()._tms_credit_note_url(external_id)
        # The OpenAPI file documents no web app addresses at all; the invoice's page above
        # is the one public clients use. No address of a credit note's page is known.
        return False

    def _tms_can_cancel_invoice(self, ref):
        if self.provider != "sevdesk":
            return super()._tms_can_cancel_invoice(ref)
        # POST /Invoice/{invoiceId}/cancelInvoice (openapi.yaml L4912-4940); credit notes
        # have no cancellation, only a delete of drafts (L2592-2625).
        return ref["kind"] == "invoice"

    def _tms_cancel_invoice(self, ref, lookup_first):
        """Cancel the invoice there when that is safe, else say what to do there.

        cancelInvoice "will cancel the specified invoice therefor creating a cancellation
        invoice. The cancellation invoice will be automatically paid and the source
        invoices status will change to 'cancelled'" (L4912-4940); its preconditions are
        not documented. So it is asked for an open invoice (200) only: a draft (100)
        "can still be changed" (L168) and is deleted there by the user; a partially paid
        or paid one (750, 1000) has payments booked that a cancellation would leave to
        be sorted out there. The status is read first, always; after a call whose outcome
        is unknown, anything but "open" means the call may have been performed, and it
        is never asked twice."""
        if self.provider != "sevdesk":
            return super()._tms_cancel_invoice(ref, lookup_first)
        client = self._sevdesk_client()
        reference = ref["external_number"] or ref["external_id"]
        with self._sevdesk_errors():
            try:
                invoice = client.get_invoice(ref["external_id"])
            except sevdesk.NotFoundError:
                return {
                    "state": "kept",
                    "message": self.env._(
                        "%(reference)s no longer exists in sevDesk: nothing to cancel there.",
                        reference=reference,
                    ),
                }
        status = str(invoice.get("status") or "")
        if status == "cancelled":
            # The word of cancelInvoice's description; the status enum has no value for it.
            return {
                "state": "cancelled",
                "message": self.env._(
                    "%(reference)s is cancelled in sevDesk.", reference=reference
                ),
            }
        if lookup_first and status != "200":
            return {
                "state": "failed",
                "lookup": True,
                "message": self.env._(
                    "The cancellation of %(reference)s in sevDesk may have been performed: "
                    "sevDesk now shows the status %(status)s for it. Check it in sevDesk; "
                    "it is not asked again.",
                    reference=reference,
                    status=status or "-",
                ),
            }
        if status == "100":
            return {"state": "kept", "draft": True}
        if status in ("750", "1000"):
            return {
                "state": "kept",
                "message": self.env._(
                    "%(reference)s is paid or partly paid in sevDesk and was not cancelled "
                    "there: cancel it in sevDesk, where its payments are.",
                    reference=reference,
                ),
            }
        if status != "200":
            return {
                "state": "kept",
                "message": self.env._(
                    "%(reference)s has the status %(status)s in sevDesk and was not "
                    "cancelled there: check it in sevDesk.",
                    reference=reference,
                    status=status or "-",
                ),
            }
        with self._sevdesk_errors():
            cancellation = client.cancel_invoice(ref["external_id"])
        number = cancellation.get("invoiceNumber") or str(cancellation["id"])
        return {
            "state": "cancelled",
            "reference": number,
            "message": self.env._(
                "%(reference)s is cancelled in sevDesk by the cancellation invoice "
                "%(cancellation)s.",
                reference=reference,
                cancellation=number,
            ),
        }

    def _sevdesk_result(self, voucher, parse_status=sevdesk.parse_invoice_status):
        """The result values of an invoice there, or of a credit note with
        ``parse_status=sevdesk.parse_credit_note_status``."""
        status = parse_status(voucher)
        return self._tms_invoice_result(
            str(voucher["id"]), number=status["number"], status=status["status"]
        )


def _sync(records, entries, backend_id, names):
    """Make ``records`` (one list of a connection) hold ``entries``, matched by their
    sevDesk id (a string for users, a number for units, as the client reads them)."""
    by_id = {record.external_id: record for record in records}
    new = {}
    for entry in entries:
        values = {name: entry.get(name) or False for name in names}
        record = by_id.pop(entry["id"], None)
        if record is not None:
            if any(record[name] != value for name, value in values.items()):
                record.write(values)
        elif entry["id"] not in new:
            new[entry["id"]] = {"backend_id": backend_id, "external_id": entry["id"], **values}
    records.browse([record.id for record in by_id.values()]).unlink()
    records.create(list(new.values()))


def _contact_summary(contact):
    name = contact.get("name") or " ".join(
        filter(None, [contact.get("surename"), contact.get("familyname")])
    )
    return {
        "id": str(contact["id"]),
        "name": name or str(contact["id"]),
        "number": contact.get("customerNumber") or None,
        "address": None,
    }
