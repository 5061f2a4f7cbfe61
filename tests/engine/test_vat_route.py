"""VAT by route (engine/vat_route.py): the decision table, its properties over random
customers and routes (hypothesis), and the cases of German law it was written for."""

import itertools
import re
import typing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tms_billing_contract import TaxSituation
from tms_billing_engine import (
    DECISION_TABLE,
    EU_MEMBER_STATES,
    PRESUMPTIONS,
    REFUSALS,
    ROUTE_SITUATIONS,
    SITUATIONS,
    VatCompany,
    VatCustomer,
    VatGoods,
    VatRoute,
    decision_table_markdown,
    tax_situation,
    vat_route,
    vat_route_decision,
)

TABLE_DRAFT = (
    Path(__file__).resolve().parents[2] / "addons" / "tms_billing" / "engine" / "TAXES_TABLE.md"
)
README = Path(__file__).resolve().parents[2] / "README.md"
EU = EU_MEMBER_STATES
# Germany, member states, third countries (Switzerland, Norway, the UK, the US, Turkey),
# a made-up code (a third country to the table) and "unknown".
COUNTRIES = ["DE", "DE", "AT", "FR", "PL", "IT", "CH", "NO", "GB", "US", "TR", "QQ", None]

countries = st.sampled_from(COUNTRIES)
customers = st.builds(
    VatCustomer, country=countries, is_business=st.booleans(), has_vat_id=st.booleans()
)
routes = st.builds(VatRoute, loading_country=countries, unloading_country=countries)
companies = st.builds(
    VatCompany,
    country=st.sampled_from(["DE", "DE", "DE", "AT", None]),
    small_business=st.booleans(),
)
german_companies = st.builds(VatCompany, small_business=st.booleans())
maybe = st.sampled_from([None, True, False])
goods = st.builds(VatGoods, export_import=maybe, customer_ships_or_receives=maybe)


def zone(country):
    if country is None:
        return None
    return "DE" if country == "DE" else "EU" if country in EU else "third"


def counts_as_business(customer):
    if zone(customer.country) == "EU":
        return customer.has_vat_id
    return customer.is_business or customer.has_vat_id


def place_abroad(customer, route):
    """Where the law puts the place of supply outside Germany from the customer and the
    route's ends alone (§ 3a Abs. 2 and 8, § 3b Abs. 1 and 3 UStG); False where it does
    not say so for certain."""
    where = zone(customer.country)
    start, end = zone(route.loading_country), zone(route.unloading_country)
    known = None not in (start, end)
    if where is None:
        return False
    if counts_as_business(customer):
        if where != "DE":
            return True
        return (
            known and start == end == "third" and route.loading_country == route.unloading_country
        )
    if not known:
        return False
    if "third" not in (start, end) and route.loading_country != route.unloading_country:
        return start != "DE"  # § 3b Abs. 3: where it begins
    return start == end == "third" and route.loading_country == route.unloading_country


def first_matching_row(customer, route, company, goods_facts):
    case = vat_route._case(customer, route, company, goods_facts, EU)
    return next(row for row in DECISION_TABLE if row.when(case))


# --- the vocabulary and the table itself ---------------------------------------------


def test_vocabulary_keeps_the_five_situations_and_names_the_new_ones():
    codes = [code for code, _label in ROUTE_SITUATIONS]
    # One vocabulary: what the table decides is what the providers are told.
    assert codes == list(SITUATIONS) == list(typing.get_args(TaxSituation))
    assert codes[:5] == [
        "domestic",
        "eu_business",
        "eu_private",
        "third_country",
        "small_business",
    ]
    assert len(set(codes)) == len(codes)
    assert {
        "export_import_exempt",
        "eu_private_abroad",
        "third_country_private",
        "third_country_route",
    } == set(codes[5:])
    assert all(label for _code, label in ROUTE_SITUATIONS)


def test_every_row_cites_a_paragraph_and_says_what_it_decides():
    paragraph = re.compile(r"(§§? \d+[a-z]? |Art\. \d+|EuGH C-\d+/\d+|Abschn\. \d)")
    codes = {code for code, _label in ROUTE_SITUATIONS}
    assert [row.key for row in DECISION_TABLE] == [f"R{n}" for n in range(1, 22)]
    for row in DECISION_TABLE:
        assert row.sources and all(paragraph.search(source) for source in row.sources), row.key
        assert row.customer and row.route
        assert set(row.presumes) <= set(PRESUMPTIONS)
        if isinstance(row.outcome, vat_route.Refusal):
            assert row.outcome.reason in REFUSALS and row.outcome.message
            continue
        treatment = row.outcome
        assert treatment.situation in codes
        assert treatment.category in {"S", "AE", "E", "O"}, row.key
        if treatment.german_vat:
            assert treatment.category == "S" and treatment.vatex is None
        if treatment.category in {"AE", "E", "O"}:
            # BR-AE-10, BR-E-10, BR-O-10: a code or a text says why there is no VAT.
            assert treatment.exemption_reason and treatment.wording_de and treatment.wording_en
            assert treatment.wording_source
        if treatment.vatex:
            assert treatment.vatex.startswith("VATEX-EU-")


def test_every_row_is_reached():
    """Every row decides some case: none is shadowed by the rows before it."""
    reached = set()
    for values in itertools.product(
        ["DE", "AT", "CH", "NO", None],
        [True, False],
        [True, False],
        ["DE", "AT", "FR", "CH", "NO", None],
        ["DE", "AT", "FR", "CH", "NO", None],
        ["DE", "AT"],
        [True, False],
        [None, True, False],
        [None, True, False],
    ):
        country, business, vat_id, start, end, seat, small, related, direct = values
        decision = vat_route_decision(
            VatCustomer(country, business, vat_id),
            VatRoute(start, end),
            VatCompany(seat, small),
            VatGoods(related, direct),
        )
        reached.add(decision.row.key)
    assert reached == {row.key for row in DECISION_TABLE}


def test_the_draft_shows_the_table():
    assert decision_table_markdown() in TABLE_DRAFT.read_text(encoding="utf-8")


def test_the_readme_taxes_section_is_the_table():
    readme = README.read_text(encoding="utf-8")
    taxes = readme[readme.index("## Taxes\n") : readme.index("## Who may do what")]
    assert decision_table_markdown() in taxes
    # Every situation has its row of codes, with the sources below.
    for code, _label in ROUTE_SITUATIONS:
        assert f"| `{code}` |" in taxes
    assert "### Sources" in taxes


# --- properties over random cases ----------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(customers, routes, companies, goods)
def test_every_case_gets_exactly_one_row(customer, route, company, goods_facts):
    decision = vat_route_decision(customer, route, company, goods_facts)
    assert decision.row is first_matching_row(customer, route, company, goods_facts)
    assert (decision.situation is None) != (decision.refusal is None)
    assert decision.refused == (decision.german_vat is None)
    assert set(decision.presumptions) <= set(decision.row.presumes)


@settings(max_examples=500, deadline=None)
@given(customers, routes, german_companies, goods)
def test_no_german_vat_where_the_place_of_supply_is_abroad(customer, route, company, facts):
    decision = vat_route_decision(customer, route, company, facts)
    if place_abroad(customer, route):
        assert decision.german_vat is not True
        assert decision.situation != "small_business"  # § 19 UStG is for German turnover
    if decision.german_vat:
        # German VAT only for a German business, or a route that begins or runs in
        # Germany (or is not known, and is presumed to).
        start, end = route.loading_country, route.unloading_country
        assert zone(customer.country) == "DE" or "DE" in (start, end) or None in (start, end)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(EU - {"DE"})),
    st.booleans(),
    routes,
    german_companies,
    goods,
)
def test_an_eu_business_with_vat_id_is_reverse_charge_whatever_the_route(
    country, business, route, company, goods_facts
):
    decision = vat_route_decision(VatCustomer(country, business, True), route, company, goods_facts)
    assert decision.situation == "eu_business"
    assert decision.treatment.category == "AE"
    assert decision.treatment.vatex == "VATEX-EU-AE"
    assert decision.treatment.wording_de == "Steuerschuldnerschaft des Leistungsempfängers"
    assert decision.german_vat is False


@settings(max_examples=200, deadline=None)
@given(st.booleans(), st.booleans(), goods)
def test_a_domestic_route_for_a_domestic_customer_is_standard_rated(business, vat_id, facts):
    decision = vat_route_decision(
        VatCustomer("DE", business, vat_id), VatRoute("DE", "DE"), VatCompany(), facts
    )
    assert decision.situation == "domestic"
    assert decision.german_vat is True
    assert decision.treatment.category == "S"


@settings(max_examples=500, deadline=None)
@given(customers, st.sampled_from([None, "DE", "CH"]), goods)
def test_an_unknown_route_falls_back_to_the_customer_only_rule(customer, one_end, facts):
    """With the route unknown (either end missing), the situation is today's
    ``tax_situation``, except that a private customer outside the EU is refused."""
    route = VatRoute(one_end, None) if one_end != "CH" else VatRoute(None, one_end)
    decision = vat_route_decision(customer, route, VatCompany(), facts)
    if customer.country is None:
        assert decision.refusal == "customer_country_unknown"
        return
    if zone(customer.country) == "third" and not counts_as_business(customer):
        assert decision.refusal == "route_unknown"
        return
    has_vat_id = customer.has_vat_id or (customer.is_business and zone(customer.country) != "EU")
    assert decision.situation == tax_situation("DE", customer.country, has_vat_id, EU)


@settings(max_examples=300, deadline=None)
@given(customers, routes, companies, goods)
def test_refused_cases_name_their_reason(customer, route, company, goods_facts):
    decision = vat_route_decision(customer, route, company, goods_facts)
    if decision.refused:
        assert decision.treatment is None
        assert decision.refusal in REFUSALS


# --- the cases German law was written for --------------------------------------------


def decide(country, start=None, end=None, business=True, vat_id=False, small=False, **goods):
    return vat_route_decision(
        VatCustomer(country, business, vat_id),
        VatRoute(start, end),
        VatCompany(small_business=small),
        VatGoods(**goods),
    )


def test_hamburg_to_zurich_for_the_german_shipper_is_exempt():
    decision = decide("DE", "DE", "CH", customer_ships_or_receives=True)
    assert decision.situation == "export_import_exempt"
    assert decision.german_vat is False
    treatment = decision.treatment
    assert (treatment.category, treatment.vatex) == ("E", "VATEX-EU-146-1E")
    assert treatment.wording_de == (
        "Steuerfreie grenzüberschreitende Güterbeförderung (§ 4 Nr. 3 Buchst. a UStG)"
    )
    assert "§ 4 Nr. 3 Satz 1 Buchst. a Doppelbuchst. aa UStG" in decision.row.sources
    assert decision.presumptions == ("export_import_presumed",)


def test_hamburg_to_zurich_for_a_german_forwarder_is_taxable():
    """A subcontracted transport of exported goods is not exempt (EuGH C-288/16)."""
    assert decide("DE", "DE", "CH", customer_ships_or_receives=False).situation == "domestic"
    # Not told: the table refuses rather than guess.
    assert decide("DE", "DE", "CH").refusal == "consignor_unknown"
    # Goods not exported (e.g. returned under another procedure): taxable.
    assert decide("DE", "DE", "CH", export_import=False).situation == "domestic"


def test_zurich_to_hamburg_for_a_german_business_is_exempt_as_an_import():
    decision = decide("DE", "CH", "DE")
    assert decision.situation == "export_import_exempt"
    assert decision.treatment.vatex == "VATEX-EU-144"
    assert "§ 4 Nr. 3 Satz 1 Buchst. a Doppelbuchst. bb UStG" in decision.row.sources


def test_vienna_to_munich_for_an_austrian_private_is_not_german_vat():
    decision = decide("AT", "AT", "DE", business=False)
    assert decision.situation == "eu_private_abroad"
    assert decision.german_vat is False
    assert "§ 3b Abs. 3 UStG" in decision.row.sources
    # The other way round the transport begins in Germany: German VAT.
    assert decide("AT", "DE", "AT", business=False).situation == "eu_private"
    # An Austrian business without a VAT ID counts as private (Art. 18 Abs. 2 MwSt-DVO).
    assert decide("AT", "AT", "DE", business=True).situation == "eu_private_abroad"


def test_swiss_private():
    # Within Germany: taxed where it runs (§ 3b Abs. 1), German VAT.
    within = decide("CH", "DE", "DE", business=False)
    assert (within.situation, within.german_vat) == ("third_country_private", True)
    # Zürich to Hamburg: the German stretch exempt, the Swiss one not taxable here.
    imported = decide("CH", "CH", "DE", business=False)
    assert imported.situation == "export_import_exempt"
    assert imported.german_vat is False
    assert "§ 3b Abs. 1" in imported.treatment.wording_de
    # Hamburg to Zürich, goods not exported: the German stretch is taxable, split needed.
    assert decide("CH", "DE", "CH", business=False, export_import=False).refusal == (
        "per_stretch_split"
    )
    # Route unknown: refused, not "not taxable in Germany" as the customer-only rule says.
    assert decide("CH", business=False).refusal == "route_unknown"
    assert tax_situation("DE", "CH", False, EU) == "third_country"


def test_austrian_business():
    for start, end in [("DE", "DE"), ("AT", "DE"), ("DE", "CH"), ("CH", "CH"), (None, None)]:
        decision = decide("AT", start, end, vat_id=True)
        assert decision.situation == "eu_business"
        assert decision.treatment.wording_en == "Reverse charge"


def test_business_outside_the_eu_is_not_taxable_in_germany_whatever_the_route():
    for start, end in [("DE", "DE"), ("DE", "CH"), ("AT", "FR"), (None, None)]:
        decision = decide("CH", start, end)
        assert (decision.situation, decision.german_vat) == ("third_country", False)
        assert (decision.treatment.category, decision.treatment.vatex) == ("O", "VATEX-EU-O")


def test_small_business_company():
    decision = decide("DE", "DE", "DE", small=True)
    assert decision.situation == "small_business"
    assert (decision.german_vat, decision.treatment.category) == (False, "E")
    assert "§ 19 Abs. 1 UStG" in decision.row.sources
    # § 19 UStG covers turnover in Germany only: abroad the other rows decide.
    assert decide("AT", "DE", "DE", vat_id=True, small=True).situation == "eu_business"
    assert decide("AT", "AT", "DE", business=False, small=True).situation == "eu_private_abroad"
    assert decide("DE", "DE", "CH", small=True).situation == "small_business"
    # Today's rule, for comparison: small business whoever the customer.
    assert tax_situation("DE", "AT", True, EU, small_business=True) == "small_business"


def test_transport_within_a_third_country():
    # § 3a Abs. 8 UStG: a German business, goods moved only in Switzerland.
    decision = decide("DE", "CH", "CH")
    assert decision.situation == "third_country_route"
    assert decision.presumptions == ("one_country_route",)
    # Two third countries: whether the route crosses the EU decides; not guessed.
    assert decide("DE", "CH", "NO").refusal == "route_stretches_unknown"
    # A private customer's transport within Austria may cross Germany: refused.
    assert decide("AT", "AT", "AT", business=False).refusal == "route_stretches_unknown"


def test_unknown_facts():
    assert decide("DE").situation == "domestic"
    assert decide("DE").presumptions == ("route_presumed",)
    assert decide(None, "DE", "DE").refusal == "customer_country_unknown"
    foreign = vat_route_decision(VatCustomer("DE"), VatRoute("DE", "DE"), VatCompany("AT"))
    assert foreign.refusal == "company_not_german"


@pytest.mark.parametrize("code", [" de", "de", "DE "])
def test_country_codes_are_normalised(code):
    assert decide(code, code, code).situation == "domestic"
