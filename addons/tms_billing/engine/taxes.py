"""The tax situation of an invoice, as the providers need to know it.

Odoo decides an invoice's taxes through its fiscal position. The accounting systems
want to be told the same decision once more, as a code of their own (lexoffice
``taxType``, sevDesk ``taxRule``). Between the two stands the *situation*: one of the
few cases a German haulier bills, each connection mapping it to its provider's code.
"""

from .vocabulary import (
    DOMESTIC,
    EU_BUSINESS,
    EU_PRIVATE,
    EU_PRIVATE_ABROAD,
    SMALL_BUSINESS,
    THIRD_COUNTRY,
)

# The fiscal positions of Odoo's German localisation (l10n_de, SKR03 and SKR04 alike:
# data/template/account.fiscal.position-de_skr0*.csv), by template id without the
# chart suffix. The "service provider" positions are for purchases and map nothing.
L10N_DE_FISCAL_POSITIONS = {
    "fiscal_position_domestic": DOMESTIC,
    "fiscal_position_eu_vat_id_partner": EU_BUSINESS,
    "fiscal_position_eu_no_id_partner": EU_PRIVATE,
    "fiscal_position_non_eu_partner": THIRD_COUNTRY,
}


def fiscal_position_situation(xml_id):
    """The situation of an l10n_de fiscal position from its external id
    (``account.<company id>_fiscal_position_domestic_skr03``), or None."""
    if not xml_id:
        return None
    name = xml_id.rpartition(".")[2]
    prefix, _sep, rest = name.partition("_")
    if prefix.isdigit():
        name = rest
    for suffix in ("_skr03", "_skr04"):
        name = name.removesuffix(suffix)
    return L10N_DE_FISCAL_POSITIONS.get(name)


def tax_situation(
    company_country, customer_country, has_vat_id, eu_countries, small_business=False
):
    """The situation from the countries (ISO codes) and the customer's VAT id alone,
    for invoices whose fiscal position does not say it."""
    if small_business:
        return SMALL_BUSINESS
    if not customer_country or customer_country == company_country:
        return DOMESTIC
    if customer_country in eu_countries:
        return EU_BUSINESS if has_vat_id else EU_PRIVATE
    return THIRD_COUNTRY


def fiscal_position_fits(situation, position_situation, position_country=None, loading=None):
    """Whether a fiscal position of ``position_situation`` (for ``position_country``, an
    ISO code or None) taxes an order of ``situation`` as the law wants.

    A small business charges no VAT whatever Odoo's position for customers at home says
    (its products carry none). VAT of another member state (``eu_private_abroad``) is
    that of the state where the transport begins (§ 3b Abs. 3 UStG): a position for
    that country, ``loading`` its ISO code."""
    if situation == SMALL_BUSINESS:
        return position_situation in (SMALL_BUSINESS, DOMESTIC)
    if situation == EU_PRIVATE_ABROAD:
        return position_situation == situation and bool(loading) and position_country == loading
    return position_situation == situation
