"""The VAT of a transport from its customer *and its route*: one decision table.

``taxes.tax_situation`` decides from the customer's country and VAT ID alone. A German
haulier's VAT also depends on where the goods are carried: a service to a business is
supplied where the business is (§ 3a Abs. 2 UStG), a transport for a private person
where it begins (intra-EU, § 3b Abs. 3 UStG) or where it runs (§ 3b Abs. 1 UStG), and a
transport of exported or imported goods is tax-free (§ 4 Nr. 3 Buchst. a UStG).
``DECISION_TABLE`` states this law as rows evaluated in order: the first row whose
condition holds decides. A row either gives the treatment (situation, German VAT or
not, invoice wording, EN 16931 VAT category) or refuses the case with a reason code
where the route's ends do not decide it. ``TAXES_TABLE.md`` beside this file shows the
table as the README's *Taxes* section does.

Facts and presumptions
----------------------
- Customer: its country, whether it is a business, whether it has a VAT ID. An EU
  customer outside Germany counts as a business by its VAT ID alone, as today's rule
  does: with one the haulier may treat it as a business, without one as a private
  person (Art. 18 Abs. 1, 2 MwSt-DVO, Regulation (EU) 282/2011). A German or
  third-country customer is a business when it says so or has a VAT ID (Art. 18 Abs. 1,
  3 MwSt-DVO); a legal person with a VAT ID counts as one (§ 3a Abs. 2 Satz 3 UStG).
- Route: the countries of loading and unloading. When either is unknown, the
  customer-only rule of ``tax_situation`` decides, with the place of supply of German
  and EU private customers presumed in Germany (German VAT, as today); a private
  customer outside the EU is refused instead of today's "not taxable", which would be a
  guess that leaves German VAT unpaid. A route with both ends in one country is
  presumed to run only in that country.
- Goods (§ 4 Nr. 3 Buchst. a UStG): a route with exactly one end outside the EU is
  presumed to carry exported goods (loading in the EU) or imported goods whose import
  VAT base includes this transport's cost (loading outside; § 11 Abs. 3 Nr. 3, 4 UStG).
  The file must hold the evidence (§ 4 Nr. 3 Satz 3, 4 UStG, §§ 20, 21 UStDV): for an
  export, the customs proof that the goods left the EU (§ 20 Abs. 1 with §§ 9 to 11
  UStDV); for an import, that the transport's cost is in the import VAT base (§ 20
  Abs. 2 UStDV); and the consignment note (CMR) naming sender and consignee. Since 2022
  a transport of exported goods is tax-free only when supplied directly to their
  consignor or consignee, not as a subcontractor to a carrier or forwarder (EuGH
  C-288/16, L.C.; BMF 27.09.2021). For a business customer that fact is not presumed:
  unknown, the case is refused. A private customer is presumed to send or receive its
  own goods.

Provider codes for the new situations
-------------------------------------
The five older situations keep their mappings (``DEFAULT_TAX_MAPPINGS`` of the
provider addons). Sources: lexoffice, developers.lexware.io/docs, invoices endpoint,
Purpose: "For tax-exempt organizations vat-free (Steuerfrei) invoices can be created
exclusively. All other vat-free tax types are only usable in combination with a
referenced contact [...]. For invoices to third countries, the tax types third party
country service (Dienstleistungen an Drittländer) and third party country delivery
(Ausfuhrlieferungen an Drittländer) are possible." sevDesk, openapi.yaml, "sevdesk-Update
2.0 > Tax Rules" (revenue rules with their allowed rates and old tax types).

- ``export_import_exempt``: sevDesk rule 4 "Steuerfreie Umsätze §4 UStG" (0 %; no old
  tax type, so bookkeeping 1.0 accounts cannot use it: refuse there), tax text the row's
  wording. lexoffice: not documented: refuse. ``vatfree`` is documented only as
  "Steuerfrei" for tax-exempt organisations, ``thirdPartyCountryService`` only for
  recipients in third countries; neither is documented for § 4 Nr. 3 UStG.
- ``eu_private_abroad``: sevDesk rule 20 "One Stop Shop (other service)", only for a
  company registered for the One-Stop-Shop (§ 18j UStG); its rates are documented as
  "depending on country" and not listed, and it cannot be an e-invoice: refuse until the
  rates can be checked. lexoffice: not documented: refuse.
- ``third_country_private``: taxed in Germany as at home: lexoffice ``net``/``gross``
  (help centre: "Für Privatkunden im Ausland weisen Sie die Steuer genau wie in einer
  normalen Inlandsrechnung aus."), sevDesk rule 1 "Umsatzsteuerpflichtige Umsätze".
  It belongs with ``TAXED_SITUATIONS`` of the tax mapping model.
- ``third_country_route``: sevDesk rule 17 "Nicht im Inland steuerbare Leistung" (old
  tax type ``noteu``). lexoffice: ``thirdPartyCountryService`` is documented for
  recipients in third countries only; for a German customer not documented: refuse.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from .vocabulary import (
    COMPANY_NOT_GERMAN,
    CONSIGNOR_UNKNOWN,
    CUSTOMER_COUNTRY_UNKNOWN,
    DOMESTIC,
    EU_BUSINESS,
    EU_PRIVATE,
    EU_PRIVATE_ABROAD,
    EXPORT_IMPORT_EXEMPT,
    PER_STRETCH_SPLIT,
    REFUSALS,
    ROUTE_STRETCHES_UNKNOWN,
    ROUTE_UNKNOWN,
    SMALL_BUSINESS,
    TAX_SITUATIONS,
    THIRD_COUNTRY,
    THIRD_COUNTRY_PRIVATE,
    THIRD_COUNTRY_ROUTE,
    _lt,
)

GERMANY = "DE"
# The 27 member states (ISO 3166-1 alpha-2); the Odoo side may pass its own list, as it
# does to ``tax_situation``.
EU_MEMBER_STATES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)

# The vocabulary's situations with their labels: the five of ``taxes``, then the ones the
# route adds. Why a case is refused, with the English text to show, is the vocabulary's
# ``REFUSALS``, marked there for translation.
ROUTE_SITUATIONS = tuple(TAX_SITUATIONS)

# What a decision took for granted, with the English text to show.
ROUTE_PRESUMED = "route_presumed"
ONE_COUNTRY_ROUTE = "one_country_route"
EXPORT_IMPORT_PRESUMED = "export_import_presumed"
CONSIGNOR_PRESUMED = "consignor_presumed"
PRESUMPTIONS = {
    ROUTE_PRESUMED: _lt(
        "The route is not known: the place of supply is presumed in Germany, as the "
        "customer-only rule does."
    ),
    ONE_COUNTRY_ROUTE: _lt(
        "Both ends lie in one country: the transport is presumed to run only there."
    ),
    EXPORT_IMPORT_PRESUMED: _lt(
        "The goods cross the EU's external border and are presumed exported or imported; "
        "the file must hold the evidence of § 20 UStDV."
    ),
    CONSIGNOR_PRESUMED: _lt("A private customer is presumed to send or receive its own goods."),
}


@dataclass(frozen=True)
class VatCustomer:
    """The customer invoiced. ``country``: ISO 3166-1 alpha-2 of its seat or home (the
    invoice address), None when unknown."""

    country: str | None
    is_business: bool = True  # buys for its business (an "Unternehmer"), not privately
    has_vat_id: bool = False


@dataclass(frozen=True)
class VatRoute:
    """Where the goods are loaded and unloaded (ISO codes); either may be unknown."""

    loading_country: str | None = None
    unloading_country: str | None = None


@dataclass(frozen=True)
class VatCompany:
    """The haulier: where it is established, and whether it is a small business."""

    country: str | None = GERMANY
    small_business: bool = False  # § 19 UStG


@dataclass(frozen=True)
class VatGoods:
    """What § 4 Nr. 3 Buchst. a UStG asks of the goods carried; None: not known."""

    # The transport relates directly to exported goods, or to imported goods whose import
    # VAT base includes its cost. None: presumed when exactly one end is outside the EU.
    export_import: bool | None = None
    # The customer is the goods' consignor or consignee (not a carrier or forwarder that
    # subcontracts). None: presumed for private customers only.
    customer_ships_or_receives: bool | None = None


@dataclass(frozen=True)
class Treatment:
    """How an invoice is taxed and what it must say."""

    situation: str
    german_vat: bool  # German VAT is charged on the invoice
    place: str  # the place of supply, in words
    category: str  # EN 16931 VAT category code (BT-118, BT-151), UNTDID 5305
    vatex: str | None = None  # VAT exemption reason code (BT-121), CEF VATEX list
    exemption_reason: str | None = None  # VAT exemption reason text (BT-120)
    wording_de: str | None = None  # the statement the invoice carries
    wording_en: str | None = None
    wording_source: str | None = None  # what requires or suggests the statement


@dataclass(frozen=True)
class Refusal:
    reason: str  # a key of REFUSALS

    @property
    def message(self):
        return REFUSALS[self.reason]


@dataclass(frozen=True)
class Row:
    """One row of the table: who, which route, the outcome, and its legal sources."""

    key: str
    customer: str
    route: str
    when: Callable[["_Case"], bool] = field(repr=False, compare=False)
    outcome: Treatment | Refusal
    sources: tuple[str, ...]
    evidence: str | None = None  # what the file must hold for this outcome
    presumes: tuple[str, ...] = ()  # keys of PRESUMPTIONS this row may rest on


@dataclass(frozen=True)
class VatDecision:
    """The row that decided, and what it took for granted for this case."""

    row: Row
    presumptions: tuple[str, ...] = ()

    @property
    def refused(self):
        return isinstance(self.row.outcome, Refusal)

    @property
    def treatment(self):
        return None if self.refused else self.row.outcome

    @property
    def situation(self):
        return None if self.refused else self.row.outcome.situation

    @property
    def refusal(self):
        return self.row.outcome.reason if self.refused else None

    @property
    def german_vat(self):
        """True or False; None when refused."""
        return None if self.refused else self.row.outcome.german_vat


# --- the treatments -------------------------------------------------------------------


def _taxed(situation):
    return Treatment(situation, german_vat=True, place="Germany", category="S")


_EXEMPT_DE = "Steuerfreie grenzüberschreitende Güterbeförderung (§ 4 Nr. 3 Buchst. a UStG)"
_EXEMPT_EN = "Tax-exempt cross-border transport of goods (§ 4 Nr. 3 Buchst. a UStG)"
_FOREIGN_STRETCH_DE = "; Strecke im Drittlandsgebiet nicht im Inland steuerbar (§ 3b Abs. 1 UStG)"
_FOREIGN_STRETCH_EN = "; stretch in the third country not taxable in Germany (§ 3b Abs. 1 UStG)"
_NOT_TAXABLE_DE = "Nicht im Inland steuerbare Leistung"
_NOT_TAXABLE_EN = "Not taxable in Germany"


def _exempt(vatex, private=False):
    """§ 4 Nr. 3 Buchst. a UStG: Art. 146 Abs. 1 Buchst. e MwStSystRL for exports
    (VATEX-EU-146-1E), Art. 144 for imports (VATEX-EU-144)."""
    wording_de = _EXEMPT_DE + (_FOREIGN_STRETCH_DE if private else "")
    wording_en = _EXEMPT_EN + (_FOREIGN_STRETCH_EN if private else "")
    return Treatment(
        EXPORT_IMPORT_EXEMPT,
        german_vat=False,
        place="Germany (a stretch abroad: there)" if private else "Germany",
        category="E",
        vatex=vatex,
        exemption_reason=_EXEMPT_DE,
        wording_de=wording_de,
        wording_en=wording_en,
        wording_source="§ 14 Abs. 4 Satz 1 Nr. 8 UStG",
    )


DOMESTIC_TAXED = _taxed(DOMESTIC)
EU_PRIVATE_TAXED = _taxed(EU_PRIVATE)
THIRD_COUNTRY_PRIVATE_TAXED = _taxed(THIRD_COUNTRY_PRIVATE)
REVERSE_CHARGE = Treatment(
    EU_BUSINESS,
    german_vat=False,
    place="the customer's member state",
    category="AE",
    vatex="VATEX-EU-AE",
    exemption_reason="Reverse charge",
    wording_de="Steuerschuldnerschaft des Leistungsempfängers",
    wording_en="Reverse charge",
    wording_source="§ 14a Abs. 1 Satz 1 UStG, Art. 226 Nr. 11a MwStSystRL",
)
NOT_TAXABLE_ABROAD = Treatment(
    THIRD_COUNTRY,
    german_vat=False,
    place="the customer's country",
    category="O",
    vatex="VATEX-EU-O",
    exemption_reason="Not subject to VAT",
    wording_de=_NOT_TAXABLE_DE,
    wording_en=_NOT_TAXABLE_EN,
    wording_source="customary; no statutory wording outside the EU",
)
NOT_TAXABLE_THIRD_COUNTRY_ROUTE = Treatment(
    THIRD_COUNTRY_ROUTE,
    german_vat=False,
    place="the third country of the route",
    category="O",
    vatex="VATEX-EU-O",
    exemption_reason="Not subject to VAT",
    wording_de=f"{_NOT_TAXABLE_DE} (Beförderung im Drittlandsgebiet)",
    wording_en=f"{_NOT_TAXABLE_EN} (transport within a third country)",
    wording_source="customary; no statutory wording",
)
EXPORT_EXEMPT = _exempt("VATEX-EU-146-1E")
IMPORT_EXEMPT = _exempt("VATEX-EU-144")
PRIVATE_EXPORT_EXEMPT = _exempt("VATEX-EU-146-1E", private=True)
PRIVATE_IMPORT_EXEMPT = _exempt("VATEX-EU-144", private=True)
VAT_OF_LOADING_STATE = Treatment(
    EU_PRIVATE_ABROAD,
    german_vat=False,
    place="the member state of loading",
    category="S",  # at that state's rate, declared there or through the One-Stop-Shop
    wording_de="Leistungsort im Mitgliedstaat des Beförderungsbeginns (§ 3b Abs. 3 UStG)",
    wording_en="Place of supply in the member state where the transport begins (§ 3b Abs. 3 UStG)",
    wording_source="customary; the invoice shows that state's VAT rate and amount",
)
SMALL_BUSINESS_EXEMPT = Treatment(
    SMALL_BUSINESS,
    german_vat=False,
    place="Germany",
    category="E",
    exemption_reason="Steuerbefreiung für Kleinunternehmer (§ 19 UStG)",
    wording_de="Steuerbefreiung für Kleinunternehmer (§ 19 UStG)",
    wording_en="VAT exempt: small business (§ 19 UStG)",
    wording_source="§ 34a Satz 1 Nr. 5 UStDV, § 14 Abs. 4 Satz 1 Nr. 8 UStG",
)


# --- the facts of one case ------------------------------------------------------------

_GERMANY, _EU, _THIRD = "germany", "eu", "third"


@dataclass(frozen=True)
class _Case:
    """The facts the rows ask about, derived once from the inputs."""

    company_german: bool
    small: bool
    customer: str | None  # _GERMANY, _EU, _THIRD or None
    business: bool
    route_known: bool
    start: str | None
    end: str | None
    same_country: bool
    customs_related: bool
    direct: bool | None
    presumed: frozenset

    @property
    def intra_eu(self):
        """§ 3b Abs. 3 UStG: begins in one member state and ends in another."""
        return self.route_known and _THIRD not in (self.start, self.end) and not self.same_country

    @property
    def starts_in_germany(self):
        return self.start == _GERMANY

    @property
    def touches_germany(self):
        return _GERMANY in (self.start, self.end)

    @property
    def one_third_country(self):
        return self.start == self.end == _THIRD and self.same_country

    @property
    def two_third_countries(self):
        return self.start == self.end == _THIRD and not self.same_country

    @property
    def exports(self):
        return self.route_known and self.start != _THIRD and self.end == _THIRD

    @property
    def imports(self):
        return self.route_known and self.start == _THIRD and self.end != _THIRD

    @property
    def exempt_export(self):
        return self.exports and self.customs_related and self.direct is True

    @property
    def exempt_import(self):
        return self.imports and self.customs_related


def _code(country):
    return (country or "").strip().upper() or None


def _zone(country, eu_countries):
    if country is None:
        return None
    if country == GERMANY:
        return _GERMANY
    return _EU if country in eu_countries else _THIRD


def _case(customer, route, company, goods, eu_countries):
    country = _code(customer.country)
    zone = _zone(country, eu_countries)
    loading, unloading = _code(route.loading_country), _code(route.unloading_country)
    route_known = bool(loading and unloading)
    start = _zone(loading, eu_countries) if route_known else None
    end = _zone(unloading, eu_countries) if route_known else None
    # Art. 18 MwSt-DVO: in the EU the VAT ID tells a business from a private person.
    business = customer.has_vat_id or (customer.is_business and zone != _EU)
    crosses_border = route_known and (start == _THIRD) != (end == _THIRD)
    presumed = set()
    if not route_known:
        presumed.add(ROUTE_PRESUMED)
    elif loading == unloading:
        presumed.add(ONE_COUNTRY_ROUTE)
    customs_related = goods.export_import
    if customs_related is None:
        customs_related = crosses_border
        if crosses_border:
            presumed.add(EXPORT_IMPORT_PRESUMED)
    direct = goods.customer_ships_or_receives
    if direct is None and not business:
        direct = True
        presumed.add(CONSIGNOR_PRESUMED)
    return _Case(
        company_german=_code(company.country) == GERMANY,
        small=company.small_business,
        customer=zone,
        business=business,
        route_known=route_known,
        start=start,
        end=end,
        same_country=route_known and loading == unloading,
        customs_related=bool(customs_related),
        direct=direct,
        presumed=frozenset(presumed),
    )


# --- the table ------------------------------------------------------------------------

_ART_18 = "Art. 18 Abs. 1–3 MwSt-DVO"
_EXPORT_EVIDENCE = (
    "Customs proof that the goods left the EU (§ 20 Abs. 1 with §§ 9–11 UStDV), the "
    "consignment note naming the customer as sender or consignee, and the book records "
    "(§ 21 UStDV)."
)
_IMPORT_EVIDENCE = (
    "Proof that the transport's cost is in the import VAT base (§ 20 Abs. 2 UStDV, § 11 "
    "Abs. 3 Nr. 3, 4 UStG), e.g. the import declaration, and the book records (§ 21 UStDV)."
)
_ROUTE_EVIDENCE = "The consignment note (CMR) showing where the transport begins and ends."

DECISION_TABLE = (
    Row(
        "R1",
        "any",
        "any",
        lambda c: not c.company_german,
        Refusal(COMPANY_NOT_GERMAN),
        ("§ 1 Abs. 1 Nr. 1, Abs. 2 UStG",),
    ),
    Row(
        "R2",
        "country unknown",
        "any",
        lambda c: c.customer is None,
        Refusal(CUSTOMER_COUNTRY_UNKNOWN),
        ("§ 3a Abs. 2 UStG", "§ 3b Abs. 1, 3 UStG", "§ 14 Abs. 4 Satz 1 Nr. 1 UStG"),
    ),
    # A service to a business is supplied where the business is.
    Row(
        "R3",
        "business in another EU state, with VAT ID",
        "any",
        lambda c: c.business and c.customer == _EU,
        REVERSE_CHARGE,
        ("§ 3a Abs. 2 UStG", "Art. 196 MwStSystRL", "§ 14a Abs. 1 Satz 1, 3 UStG", _ART_18),
        evidence="The customer's VAT ID checked as valid (§ 18e UStG), both VAT IDs on the "
        "invoice, and the sale in the recapitulative statement (§ 18a UStG).",
    ),
    Row(
        "R4",
        "business outside the EU",
        "any",
        lambda c: c.business and c.customer == _THIRD,
        NOT_TAXABLE_ABROAD,
        ("§ 3a Abs. 2 UStG", _ART_18),
        evidence="Proof that the customer is a business (Art. 18 Abs. 3 MwSt-DVO): a "
        "certificate of its tax authority, its VAT or tax number, or other proof.",
    ),
    Row(
        "R5",
        "German business",
        "both ends in one third country",
        lambda c: c.business and c.customer == _GERMANY and c.one_third_country,
        NOT_TAXABLE_THIRD_COUNTRY_ROUTE,
        ("§ 3a Abs. 8 Satz 1 UStG", "Abschn. 3a.14 Abs. 5 UStAE"),
        evidence=_ROUTE_EVIDENCE,
        presumes=(ONE_COUNTRY_ROUTE,),
    ),
    Row(
        "R6",
        "German business",
        "ends in two third countries",
        lambda c: c.business and c.customer == _GERMANY and c.two_third_countries,
        Refusal(ROUTE_STRETCHES_UNKNOWN),
        ("§ 3a Abs. 8 Satz 1 UStG", "§ 4 Nr. 3 Satz 1 Buchst. a Doppelbuchst. aa UStG"),
    ),
    # A transport for a private person: where it begins (intra-EU) or where it runs.
    Row(
        "R7",
        "private, outside the EU",
        "unknown",
        lambda c: not c.business and c.customer == _THIRD and not c.route_known,
        Refusal(ROUTE_UNKNOWN),
        ("§ 3b Abs. 1 Satz 1–3 UStG", "§ 3b Abs. 3 UStG"),
    ),
    Row(
        "R8",
        "private",
        "between two EU states, beginning outside Germany",
        lambda c: not c.business and c.intra_eu and not c.starts_in_germany,
        VAT_OF_LOADING_STATE,
        ("§ 3b Abs. 3 UStG", "§ 18j UStG"),
        evidence=_ROUTE_EVIDENCE + " That state's VAT is declared through the One-Stop-Shop "
        "(§ 18j UStG) or a registration there.",
    ),
    Row(
        "R9",
        "private",
        "both ends in one third country",
        lambda c: not c.business and c.one_third_country,
        NOT_TAXABLE_THIRD_COUNTRY_ROUTE,
        ("§ 3b Abs. 1 Satz 1–3 UStG", "§ 4 Nr. 3 Satz 1 Buchst. a Doppelbuchst. aa UStG"),
        evidence=_ROUTE_EVIDENCE,
        presumes=(ONE_COUNTRY_ROUTE,),
    ),
    Row(
        "R10",
        "private",
        "no end in Germany, not between two EU states",
        lambda c: not c.business and c.route_known and not c.touches_germany,
        Refusal(ROUTE_STRETCHES_UNKNOWN),
        ("§ 3b Abs. 1 Satz 1–3 UStG",),
    ),
    # From here on the place of supply is in Germany.
    Row(
        "R11",
        "any (own small business)",
        "any other",
        lambda c: c.small,
        SMALL_BUSINESS_EXEMPT,
        ("§ 19 Abs. 1 UStG", "§ 34a UStDV"),
        presumes=(ROUTE_PRESUMED, ONE_COUNTRY_ROUTE),
    ),
    Row(
        "R12",
        "private",
        "Germany to or from a third country, not exempt",
        lambda c: (
            not c.business and (c.exports or c.imports) and not (c.exempt_export or c.exempt_import)
        ),
        Refusal(PER_STRETCH_SPLIT),
        ("§ 3b Abs. 1 Satz 2 UStG", "§ 4 Nr. 3 Satz 1 Buchst. a UStG"),
    ),
    Row(
        "R13",
        "German business",
        "EU to a third country, consignor or consignee unknown",
        lambda c: c.business and c.exports and c.customs_related and c.direct is None,
        Refusal(CONSIGNOR_UNKNOWN),
        ("§ 4 Nr. 3 Satz 1 Buchst. a Doppelbuchst. aa UStG", "EuGH C-288/16"),
    ),
    Row(
        "R14",
        "German business, consignor or consignee",
        "EU to a third country",
        lambda c: c.business and c.exempt_export,
        EXPORT_EXEMPT,
        (
            "§ 3a Abs. 2 UStG",
            "§ 4 Nr. 3 Satz 1 Buchst. a Doppelbuchst. aa UStG",
            "§ 4 Nr. 3 Satz 3, 4 UStG",
            "EuGH C-288/16",
        ),
        evidence=_EXPORT_EVIDENCE,
        presumes=(EXPORT_IMPORT_PRESUMED,),
    ),
    Row(
        "R15",
        "German business",
        "third country to the EU",
        lambda c: c.business and c.exempt_import,
        IMPORT_EXEMPT,
        (
            "§ 3a Abs. 2 UStG",
            "§ 4 Nr. 3 Satz 1 Buchst. a Doppelbuchst. bb UStG",
            "§ 4 Nr. 3 Satz 3, 4 UStG",
        ),
        evidence=_IMPORT_EVIDENCE,
        presumes=(EXPORT_IMPORT_PRESUMED,),
    ),
    Row(
        "R16",
        "private",
        "Germany to a third country",
        lambda c: not c.business and c.exempt_export,
        PRIVATE_EXPORT_EXEMPT,
        (
            "§ 3b Abs. 1 Satz 2, 3 UStG",
            "§ 4 Nr. 3 Satz 1 Buchst. a Doppelbuchst. aa UStG",
            "§ 4 Nr. 3 Satz 3, 4 UStG",
        ),
        evidence=_EXPORT_EVIDENCE,
        presumes=(EXPORT_IMPORT_PRESUMED, CONSIGNOR_PRESUMED),
    ),
    Row(
        "R17",
        "private",
        "third country to Germany",
        lambda c: not c.business and c.exempt_import,
        PRIVATE_IMPORT_EXEMPT,
        (
            "§ 3b Abs. 1 Satz 2, 3 UStG",
            "§ 4 Nr. 3 Satz 1 Buchst. a Doppelbuchst. bb UStG",
            "§ 4 Nr. 3 Satz 3, 4 UStG",
        ),
        evidence=_IMPORT_EVIDENCE,
        presumes=(EXPORT_IMPORT_PRESUMED,),
    ),
    Row(
        "R18",
        "German business",
        "any other (unknown: presumed)",
        lambda c: c.business and c.customer == _GERMANY,
        DOMESTIC_TAXED,
        ("§ 3a Abs. 2 UStG",),
        presumes=(ROUTE_PRESUMED,),
    ),
    Row(
        "R19",
        "German private",
        "within Germany, or from Germany to an EU state (unknown: presumed)",
        lambda c: not c.business and c.customer == _GERMANY,
        DOMESTIC_TAXED,
        ("§ 3b Abs. 1 Satz 1, 3 UStG", "§ 3b Abs. 3 UStG"),
        presumes=(ROUTE_PRESUMED, ONE_COUNTRY_ROUTE),
    ),
    Row(
        "R20",
        "EU customer without VAT ID",
        "within Germany, or from Germany to an EU state (unknown: presumed)",
        lambda c: not c.business and c.customer == _EU,
        EU_PRIVATE_TAXED,
        ("§ 3b Abs. 1 Satz 1, 3 UStG", "§ 3b Abs. 3 UStG", _ART_18),
        presumes=(ROUTE_PRESUMED, ONE_COUNTRY_ROUTE),
    ),
    Row(
        "R21",
        "private, outside the EU",
        "within Germany, or from Germany to an EU state",
        lambda c: not c.business and c.customer == _THIRD,
        THIRD_COUNTRY_PRIVATE_TAXED,
        ("§ 3b Abs. 1 Satz 1, 3 UStG", "§ 3b Abs. 3 UStG"),
        presumes=(ONE_COUNTRY_ROUTE,),
    ),
)


def vat_route_decision(
    customer, route=None, company=None, goods=None, eu_countries=EU_MEMBER_STATES
):
    """The first row of ``DECISION_TABLE`` that holds for these facts, as a
    ``VatDecision``. ``eu_countries``: the member states' ISO codes (Odoo's "Europe"
    group); Germany counts as a member state whether listed or not."""
    case = _case(
        customer,
        route or VatRoute(),
        company or VatCompany(),
        goods or VatGoods(),
        frozenset(eu_countries) | {GERMANY},
    )
    for row in DECISION_TABLE:
        if row.when(case):
            presumed = tuple(key for key in row.presumes if key in case.presumed)
            return VatDecision(row, presumed)
    raise AssertionError(f"no row of the VAT table holds for {customer}, {route}")


def decision_table_markdown():
    """The table as the README shows it (TAXES_TABLE.md)."""
    lines = [
        "| # | customer | route | situation | German VAT? | paragraph | invoice wording "
        "| e-invoice category |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in DECISION_TABLE:
        outcome = row.outcome
        if isinstance(outcome, Refusal):
            cells = (f"refused: `{outcome.reason}`", "–", "–", "–")
        else:
            wording = "–"
            if outcome.wording_de:
                wording = f"„{outcome.wording_de}“ ({outcome.wording_en})"
            category = outcome.category
            if outcome.vatex:
                category += f", {outcome.vatex}"
            if outcome.situation == EU_PRIVATE_ABROAD:
                category += " at that state's rate"
            german_vat = "yes, 19 %" if outcome.german_vat else "no"
            if outcome.situation == EU_PRIVATE_ABROAD:
                german_vat = "no: VAT of the state of loading"
            cells = (f"`{outcome.situation}`", german_vat, wording, category)
        situation, german_vat, wording, category = cells
        lines.append(
            f"| {row.key} | {row.customer} | {row.route} | {situation} | {german_vat} "
            f"| {'; '.join(row.sources)} | {wording} | {category} |"
        )
    return "\n".join(lines) + "\n"
