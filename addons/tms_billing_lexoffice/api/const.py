"""What the lexoffice (Lexware Office) API documents, in one place.

Source of every value: the vendor's API documentation, https://developers.lexware.io/docs/
(formerly developers.lexoffice.io/docs), section named next to each value.
"""

from datetime import date

DEFAULT_BASE_URL = "https://api.lexware.io"
DEFAULT_APP_URL = "https://app.lexware.de"
# "A client can make up to 2 requests per second" (#api-rate-limits).
RATE_LIMIT = 2.0
# "A maximum of 300 line items can be used in a single invoice" (#invoices-endpoint).
MAX_LINE_ITEMS = 300
# FAQ "Texts in sales vouchers": "introduction=2000 remark=2000 deliveryTerms=255
# title=25 lineItemName=255 lineItemDescription=2000". The documentation gives no limit
# for address fields, unit names, payment term labels or taxTypeNote.
TEXT_LIMITS = {
    "title": 25,
    "introduction": 2000,
    "remark": 2000,
    "lineItemName": 255,
    "lineItemDescription": 2000,
    "deliveryTerms": 255,
    # Contact "note": "maximum length of 1000 characters" (#contacts-endpoint).
    "contactNote": 1000,
}
# taxConditions.taxType (#invoices-endpoint-tax-conditions-details): "net, gross, vatfree
# (Steuerfrei), intraCommunitySupply (Innergemeinschaftliche Lieferung gem. §13b UStG),
# constructionService13b (Bauleistungen gem. §13b UStG), externalService13b
# (Fremdleistungen innerhalb der EU gem. §13b UStG), thirdPartyCountryService
# (Dienstleistungen an Drittländer), thirdPartyCountryDelivery (Ausfuhrlieferungen an
# Drittländer), and photovoltaicEquipment" (the last one added on 24.01.2023, change log).
TAX_TYPES = (
    "net",
    "gross",
    "vatfree",
    "intraCommunitySupply",
    "constructionService13b",
    "externalService13b",
    "thirdPartyCountryService",
    "thirdPartyCountryDelivery",
    "photovoltaicEquipment",
)
TAXED_TAX_TYPES = ("net", "gross")
# "All other vat-free tax types are only usable in combination with a referenced contact
# in Lexware" (#invoices-endpoint, Purpose); the documentation does not say whether
# photovoltaicEquipment needs one.
CONTACT_TAX_TYPES = (
    "intraCommunitySupply",
    "constructionService13b",
    "externalService13b",
    "thirdPartyCountryService",
    "thirdPartyCountryDelivery",
)
# A contact's VAT ID (company.vatRegistrationId) "has to follow the german rules for the
# vat registration ids" (#contacts-endpoint, company details), and the field is meant for
# contacts inside the EU only and is checked (help centre, "Wie erstelle ich besondere
# Rechnungen?"). A VAT ID is an EU member state's when it starts with that state's prefix:
# the 27 prefixes of the European Commission's VIES (Greece is EL, not GR).
EU_VAT_PREFIXES = frozenset(
    (
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    )
)  # fmt: skip
# unitPrice.taxRatePercentage: "For vat-free sales vouchers the tax rate percentage must be
# 0"; photovoltaicEquipment is "0% taxation".
# FAQ "Valid tax rates": vouchers "will only be allowed to use tax rates valid on the
# relevant date": 0, 7 and 19 %, and 0, 5 and 16 % from 2020-07-01 to 2020-12-31.
REDUCED_RATES_PERIOD = (date(2020, 7, 1), date(2020, 12, 31))
REDUCED_RATES = frozenset({0.0, 5.0, 16.0})
STANDARD_RATES = frozenset({0.0, 7.0, 19.0})


def allowed_tax_rates(tax_type, relevant_date):
    """The rates lines of ``tax_type`` may carry on ``relevant_date``."""
    if tax_type not in TAXED_TAX_TYPES:
        return frozenset({0.0})
    start, end = REDUCED_RATES_PERIOD
    return REDUCED_RATES if start <= relevant_date <= end else STANDARD_RATES
