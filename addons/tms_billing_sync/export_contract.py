"""What every accounting-system provider is given: plain shapes, never ledger records.

``account.move._tms_prepare_export_draft`` builds an ``InvoiceDraft`` (an invoice or a
credit note), ``tms.billing.backend._tms_contact_values`` a ``ContactDraft``, and
``tms.billing.export._tms_document_ref`` a ``DocumentRef`` (a document of ours there, to
read, look for or cancel); each provider's mapper (``api/mapper.py`` of
``tms_billing_lexoffice`` and ``tms_billing_sevdesk``) turns them into its own payloads,
and its backend returns plain results (``InvoiceResult``). They are plain dicts typed
with ``TypedDict``, so that the mappers stay free of Odoo and are tested on their own.

Like ``export_errors``, this module imports nothing from Odoo.
"""

from datetime import date, datetime
from typing import Literal, NamedTuple, TypedDict

from ..tms_billing.engine.vocabulary import SITUATIONS

TaxSituation = Literal[SITUATIONS]
DocumentKind = Literal["invoice", "credit_note"]


class PostalAddress(TypedDict):
    """A postal address; any part may be missing (None)."""

    street: str | None  # street and street2, joined by ", "
    zip: str | None
    city: str | None
    country_code: str | None  # ISO 3166-1 alpha-2, e.g. "DE"
    country_name: str | None  # in the user's language, for messages and one-off addresses


class DraftAddress(PostalAddress):
    """The invoice address, always given (used when ``contact_id`` is not)."""

    name: str  # the company (or person) invoiced
    supplement: str | None  # the contact person of an address of a company


class DraftLine(TypedDict):
    """One position."""

    name: str  # the first line of the invoice line's text
    description: str | None  # its further lines
    quantity: float
    unit_name: str  # the customer's unit name ("Transport"), else the product's unit
    # What the unit is, for providers that take units from a list: "transport" for a
    # transport service, else the external id of Odoo's unit of measure
    # ("uom.product_uom_hour"), None for a unit without one.
    unit_code: str | None
    unit_price: float  # net or gross, as the draft's ``tax_mode`` says
    tax_rate: float  # percent, e.g. 19.0; 0.0 for tax-free positions
    discount: float  # percent


class PaymentTerm(TypedDict):
    label: str  # the term's name, printed as is
    days: int | None  # the longest due delay of the term, in days


class DraftTotals(TypedDict):
    """The invoice's totals in its currency, as Odoo computed them."""

    net: float
    tax: float
    gross: float


class InvoiceDraft(TypedDict):
    """An invoice (``kind`` "invoice") or credit note ("credit_note") to create as a
    draft in an accounting system."""

    kind: DocumentKind
    marker: str  # our reference, unique per invoice and connection, e.g. "TMS-1f2e…"
    language: str  # the customer's language (ISO 639-1, "de"), for our own wording
    tax_situation: TaxSituation  # mapped per connection to the provider's tax code
    fiscal_position: str | None  # its name, for messages
    reference: str | None  # the customer's reference, else our origin (order numbers)
    customer_reference: str | None  # the customer's reference only
    invoice_date: date
    currency: str  # ISO 4217, e.g. "EUR"
    tax_mode: Literal["net", "gross"]  # whether the lines' unit prices are net or gross
    period_start: date | None  # the billing period of a collective invoice
    period_end: date | None
    delivery_date: date | None  # the last delivery
    title: str | None
    introduction: str | None  # printed above the positions (the orders)
    remark: str | None  # printed below the positions (the invoice's note)
    payment_term: PaymentTerm | None
    timezone: str  # IANA name, to date the draft there, e.g. "Europe/Berlin"
    contact_id: str | None  # the customer's contact there; else ``address`` is used
    customer_name: str  # the customer, for messages
    # The buyer reference its e-invoices must carry (EN 16931 BT-10, for German public
    # bodies the Leitweg-ID); set with tms_billing_edi installed, else None.
    buyer_reference: str | None
    address: DraftAddress
    lines: list[DraftLine]
    totals: DraftTotals


class CreditNoteDraft(InvoiceDraft):
    """A credit note additionally names the invoice it refunds there."""

    preceding_id: str  # the invoice's id in the accounting system
    preceding_number: str  # its number there, else Odoo's, for the printed text


class DocumentRef(TypedDict):
    """A document of ours in an accounting system (sent, or maybe sent after an unknown
    outcome): what a provider reads, looks for or cancels."""

    kind: DocumentKind
    marker: str  # our reference, as the draft carried it
    external_id: str | None  # its id there, once known
    external_number: str | None  # its number there, once known
    contact_id: str | None  # the customer's contact there
    preceding_id: str | None  # a credit note's invoice there
    # Since when a create of it may have been made (UTC, aware): an unknown outcome's
    # document was created after this.
    created_since: datetime
    # Documents there that the ledger holds under other markers: none of them is this one.
    known_ids: frozenset[str]
    expected_total: float  # the invoice's total, in its currency


class InvoiceResult(TypedDict, total=False):
    """What a provider tells of a document there: its id, and what it read of it."""

    external_id: str  # always given
    number: str | None
    status: str | None  # one of ledger_states.EXTERNAL_STATES
    raw_status: str | None  # the provider's own word for it
    document_version: str | None  # the revision of the document there


class ContactDraft(PostalAddress):
    """A customer, to create as a contact in an accounting system."""

    is_company: bool
    name: str
    email: str | None
    vat: str | None  # the VAT ID as entered in Odoo
    phone: str | None
    # The buyer reference its e-invoices must carry (EN 16931 BT-10, for German public
    # bodies the Leitweg-ID); set with tms_billing_edi installed, else None.
    buyer_reference: str | None


class MarkerSearch(NamedTuple):
    """What a provider's look-up of a document by our marker saw: the evidence the
    ledger has when a create's outcome is unknown (``search_invoice_by_marker`` and
    ``search_credit_note_by_marker`` of both clients).

    Neither provider can read a document by our marker: both search lists whose delay
    in showing a new document no publisher's statement bounds. Only a read by the
    provider's own id is exact. So ``found`` is proof that the document exists, while
    ``found`` None proves nothing by itself; ``newest_created`` says how far the list
    the look-up read had come, as far as its answers tell.
    """

    # The document with the marker, as read by its id, or None.
    found: dict | None
    # How many documents the look-up's list showed, with whatever marker.
    listed: int
    # The creation time (timezone-aware) of the newest document the list showed, with
    # whatever marker, or None when it showed none (or no creation times).
    newest_created: datetime | None


def rates_not_allowed(rates, allowed):
    """The rates to name when the ``tax_rate`` values of a draft's lines are not all among
    the rates a provider's tax code allows: ``{"allowed": "0", "refused": "7, 19"}``, for
    a message "... allows tax rates of %(allowed)s %% only, not %(refused)s %%"; None when
    they are."""
    wrong = {float(rate) for rate in rates} - set(allowed)
    if not wrong:
        return None
    return {"allowed": _percentages(allowed), "refused": _percentages(wrong)}


def _percentages(rates):
    return ", ".join(f"{rate:g}" for rate in sorted(rates))
