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
TAX_SITUATIONS = [
    (DOMESTIC, _lt("Domestic customer")),
    (EU_BUSINESS, _lt("EU business customer with VAT ID")),
    (EU_PRIVATE, _lt("EU customer without VAT ID")),
    (THIRD_COUNTRY, _lt("Customer outside the EU")),
    (SMALL_BUSINESS, _lt("Own small business (§ 19 UStG)")),
]
SITUATIONS = tuple(code for code, _label in TAX_SITUATIONS)
# The situations whose invoices carry German VAT, at the rates Odoo's taxes give.
TAXED_SITUATIONS = frozenset({DOMESTIC, EU_PRIVATE})

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
}
