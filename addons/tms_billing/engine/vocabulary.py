"""The words of transport billing: every code the engine answers with, and its English label.

One place for the billing settings' choices (invoicing mode, interval, line mode, net or
gross), the tax situations the accounting systems are told, and the reasons an order is
left out or split off. The Odoo fields take their selections from here, the engine and
the providers' contract their codes; ``_lt`` marks each label for Odoo's translation
export, and the Odoo side translates it where it shows it.
"""


def _lt(text):
    """Mark ``text`` for the translation export (Odoo extracts ``_lt("...")``)."""
    return text


# -- billing settings (company default, customer override) --------------------------

SINGLE = "single"
COLLECTIVE = "collective"
INVOICING_MODES = [
    (SINGLE, _lt("Single invoice per order")),
    (COLLECTIVE, _lt("Collective invoice")),
]

WEEKLY = "weekly"
SEMI_MONTHLY = "semi_monthly"
MONTHLY = "monthly"
IRREGULAR = "irregular"
BILLING_INTERVALS = [
    (WEEKLY, _lt("Weekly")),
    (SEMI_MONTHLY, _lt("Semi-monthly (1st-15th, 16th-end)")),
    (MONTHLY, _lt("Monthly")),
    (IRREGULAR, _lt("Irregular (on demand)")),
]

PER_ORDER = "per_order"
AGGREGATED = "aggregated"
LINE_MODES = [
    (PER_ORDER, _lt("One block of lines per order")),
    (AGGREGATED, _lt("Aggregated positions")),
]

NET = "net"
GROSS = "gross"
TAX_MODES = [
    (NET, _lt("Net prices")),
    (GROSS, _lt("Gross prices")),
]

# Where an order stands in billing (sale.order.tms_billing_state).
BILLING_STATES = [
    ("quotation", _lt("Quotation")),
    ("not_delivered", _lt("Not delivered")),
    ("to_invoice", _lt("To invoice")),
    ("invoiced", _lt("Invoice created")),
    ("nothing", _lt("Nothing to invoice")),
    ("cancel", _lt("Cancelled")),
]

# -- tax situations: how an invoice is taxed, as the accounting systems are told ------

DOMESTIC = "domestic"
EU_BUSINESS = "eu_business"
EU_PRIVATE = "eu_private"
THIRD_COUNTRY = "third_country"
SMALL_BUSINESS = "small_business"
# The route's situations (engine/vat_route.py): a transport's VAT also depends on where
# it runs (§ 3b Abs. 1 and 3, § 4 Nr. 3 UStG).
EXPORT_IMPORT_EXEMPT = "export_import_exempt"
EU_PRIVATE_ABROAD = "eu_private_abroad"
THIRD_COUNTRY_PRIVATE = "third_country_private"
THIRD_COUNTRY_ROUTE = "third_country_route"
TAX_SITUATIONS = [
    (DOMESTIC, _lt("Domestic customer")),
    (EU_BUSINESS, _lt("EU business customer with VAT ID")),
    (EU_PRIVATE, _lt("EU customer without VAT ID")),
    (THIRD_COUNTRY, _lt("Customer outside the EU")),
    (SMALL_BUSINESS, _lt("Own small business (§ 19 UStG)")),
    (
        EXPORT_IMPORT_EXEMPT,
        _lt("Transport of exported or imported goods, tax-free (§ 4 Nr. 3 UStG)"),
    ),
    (
        EU_PRIVATE_ABROAD,
        _lt("Private customer, transport from another EU state (VAT of that state)"),
    ),
    (THIRD_COUNTRY_PRIVATE, _lt("Private customer outside the EU, taxed in Germany")),
    (THIRD_COUNTRY_ROUTE, _lt("Transport within a third country, not taxable in Germany")),
]
SITUATIONS = tuple(code for code, _label in TAX_SITUATIONS)
# The situations whose invoices carry German VAT, at the rates Odoo's taxes give.
TAXED_SITUATIONS = frozenset({DOMESTIC, EU_PRIVATE, THIRD_COUNTRY_PRIVATE})
# The situations whose invoices carry VAT: German, or that of the member state where a
# private customer's transport begins (§ 3b Abs. 3 UStG). They state no exemption.
VAT_CHARGED_SITUATIONS = TAXED_SITUATIONS | {EU_PRIVATE_ABROAD}

# What an invoice of each situation states about its VAT when it charges none, on the
# PDF and in the e-invoice: ``(category, exemption code, text)``. The category is the VAT
# category of EN 16931 (BT-118, BT-151; code list UNTDID 5305), the code its VAT
# exemption reason code (BT-121; the VATEX code list of the CEF), the text the exemption
# reason (BT-120) and the wording the PDF prints (§ 14 Abs. 4 Nr. 8, § 14a UStG). Taxed
# situations state nothing: their invoices carry German VAT (category S). A situation
# added to the vocabulary gets its row here, e.g. an exempt transport (§ 4 Nr. 3 UStG)
# as ("E", "VATEX-EU-...", ...).
# Sources: docs.peppol.eu/poacc/billing/3.0/codelist/UNCL5305/ and /codelist/vatex/.
TAX_STATEMENTS = {
    DOMESTIC: None,
    EU_PRIVATE: None,
    THIRD_COUNTRY_PRIVATE: None,
    # Taxed at the VAT of the member state where the transport begins (§ 3b Abs. 3
    # UStG): category S at that state's rate, which its taxes state.
    EU_PRIVATE_ABROAD: None,
    # A transport for a business is supplied where the business is (§ 3a Abs. 2 UStG,
    # Art. 44 of Directive 2006/112/EC); in another member state the business owes the
    # VAT (Art. 196), and the invoice says so (§ 14a Abs. 1 UStG). "AE" VAT Reverse
    # Charge, "VATEX-EU-AE" Reverse charge.
    EU_BUSINESS: ("AE", "VATEX-EU-AE", _lt("Reverse charge")),
    # The same service for a business outside the EU is not taxable in Germany at all:
    # "O" Services outside scope of tax, "VATEX-EU-O" Not subject to VAT. (Not "G",
    # an export of goods.)
    THIRD_COUNTRY: ("O", "VATEX-EU-O", _lt("Not taxable in Germany")),
    # § 19 UStG: "E" Exempt from tax, with the text (no VATEX code exists for it).
    SMALL_BUSINESS: ("E", None, _lt("No VAT charged: small business (§ 19 UStG)")),
    # VAT by route (engine/vat_route.py, which names the sources). A transport of
    # exported or imported goods is exempt (§ 4 Nr. 3 Buchst. a UStG): "E", its VATEX
    # code (export or import) given by its orders. One within a third country is not
    # taxable in Germany: "O", "VATEX-EU-O".
    EXPORT_IMPORT_EXEMPT: (
        "E",
        None,
        _lt("Tax-exempt cross-border transport of goods (§ 4 Nr. 3 Buchst. a UStG)"),
    ),
    THIRD_COUNTRY_ROUTE: (
        "O",
        "VATEX-EU-O",
        _lt("Not taxable in Germany (transport within a third country)"),
    ),
}

# -- reasons: why an order is not billed in a run, or not with another -----------------

NOT_CONFIRMED = "not_confirmed"
NO_DELIVERY_DATE = "no_delivery_date"
DELIVERY_IN_FUTURE = "delivery_in_future"
NEGATIVE_AMOUNTS = "negative_amounts"
ALREADY_INVOICED = "already_invoiced"
NOTHING_TO_INVOICE = "nothing_to_invoice"
ZERO_AMOUNT = "zero_amount"
NO_INVOICE_ADDRESS = "no_invoice_address"
PERIOD_OPEN = "period_open"
IRREGULAR_MANUAL = "irregular_manual"
LEFT_OUT = "left_out"

SINGLE_MODE = "single_mode"
DIFFERENT_COMPANY = "different_company"
DIFFERENT_CURRENCY = "different_currency"
DIFFERENT_RECIPIENT = "different_recipient"
DIFFERENT_PAYMENT_TERMS = "different_payment_terms"
DIFFERENT_PAYMENT_METHOD = "different_payment_method"
DIFFERENT_TAX_MODE = "different_tax_mode"
DIFFERENT_PERIOD = "different_period"
DIFFERENT_TAX_SITUATION = "different_tax_situation"
DIFFERENT_FISCAL_POSITION = "different_fiscal_position"

# Why the VAT table (engine/vat_route.py) decides no tax situation for a transport: the
# route's ends do not settle it, or a fact the law asks for is missing.
COMPANY_NOT_GERMAN = "company_not_german"
CUSTOMER_COUNTRY_UNKNOWN = "customer_country_unknown"
ROUTE_UNKNOWN = "route_unknown"
ROUTE_STRETCHES_UNKNOWN = "route_stretches_unknown"
PER_STRETCH_SPLIT = "per_stretch_split"
CONSIGNOR_UNKNOWN = "consignor_unknown"
REFUSALS = {
    COMPANY_NOT_GERMAN: _lt(
        "This table applies German VAT law to a company established in Germany."
    ),
    CUSTOMER_COUNTRY_UNKNOWN: _lt(
        "The customer's country is unknown; the place of supply depends on it."
    ),
    ROUTE_UNKNOWN: _lt(
        "A private customer outside the EU is taxed where the transport runs "
        "(§ 3b Abs. 1 UStG): enter the countries of loading and unloading."
    ),
    ROUTE_STRETCHES_UNKNOWN: _lt(
        "Where this transport runs between its ends (through Germany, another EU state or "
        "only third countries) decides its VAT and cannot be told from its countries of "
        "loading and unloading: decide it by hand."
    ),
    PER_STRETCH_SPLIT: _lt(
        "The German stretch of this transport is taxable and the foreign one is not "
        "(§ 3b Abs. 1 Satz 2 UStG): the price must be split by stretch, which the table "
        "cannot do."
    ),
    CONSIGNOR_UNKNOWN: _lt(
        "A transport of exported goods is tax-free only when supplied to their consignor "
        "or consignee (§ 4 Nr. 3 Buchst. a UStG, EuGH C-288/16): state whether the "
        "customer is one of them; if not, the transport is taxable."
    ),
}
# The order's fiscal position (its taxes) is not one of its tax situation.
FISCAL_POSITION_MISMATCH = "fiscal_position_mismatch"

REASONS = {
    NOT_CONFIRMED: _lt("order not confirmed"),
    NO_DELIVERY_DATE: _lt("no delivery date"),
    DELIVERY_IN_FUTURE: _lt("delivery date in the future"),
    NEGATIVE_AMOUNTS: _lt("negative quantity or price"),
    ALREADY_INVOICED: _lt("already invoiced"),
    NOTHING_TO_INVOICE: _lt("nothing left to invoice"),
    ZERO_AMOUNT: _lt("zero amount"),
    NO_INVOICE_ADDRESS: _lt("invoice address incomplete (street, ZIP, city, country)"),
    PERIOD_OPEN: _lt("billing period not yet over"),
    IRREGULAR_MANUAL: _lt("irregular interval: billed on demand only"),
    LEFT_OUT: _lt("left out by user"),
    SINGLE_MODE: _lt("customer is billed with single invoices"),
    DIFFERENT_COMPANY: _lt("different company"),
    DIFFERENT_CURRENCY: _lt("different currency"),
    DIFFERENT_RECIPIENT: _lt("different invoice recipient"),
    DIFFERENT_PAYMENT_TERMS: _lt("different payment terms"),
    DIFFERENT_PAYMENT_METHOD: _lt("different payment method"),
    DIFFERENT_TAX_MODE: _lt("different net/gross mode"),
    DIFFERENT_PERIOD: _lt("delivery date in another billing period"),
    DIFFERENT_TAX_SITUATION: _lt("different tax situation (VAT by route)"),
    DIFFERENT_FISCAL_POSITION: _lt("different fiscal position"),
    FISCAL_POSITION_MISMATCH: _lt(
        "its fiscal position does not fit its tax situation (VAT by route): choose a "
        "fiscal position of that situation on the order, or give one that Tax Situation"
    ),
    **REFUSALS,
}
