"""Reason codes for splits and exclusions, with their English wording.

The Odoo side translates these texts; the engine only ever returns codes.
"""

# Why an order is not billed in this run.
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

# Why two orders of one customer end up on different invoices.
SINGLE_MODE = "single_mode"
DIFFERENT_COMPANY = "different_company"
DIFFERENT_CURRENCY = "different_currency"
DIFFERENT_RECIPIENT = "different_recipient"
DIFFERENT_PAYMENT_TERMS = "different_payment_terms"
DIFFERENT_PAYMENT_METHOD = "different_payment_method"
DIFFERENT_TAX_MODE = "different_tax_mode"
DIFFERENT_PERIOD = "different_period"

REASONS = {
    NOT_CONFIRMED: "order not confirmed",
    NO_DELIVERY_DATE: "no delivery date",
    DELIVERY_IN_FUTURE: "delivery date in the future",
    NEGATIVE_AMOUNTS: "negative quantity or price",
    ALREADY_INVOICED: "already invoiced",
    NOTHING_TO_INVOICE: "nothing left to invoice",
    ZERO_AMOUNT: "zero amount",
    NO_INVOICE_ADDRESS: "invoice address incomplete (street, ZIP, city, country)",
    PERIOD_OPEN: "billing period not yet over",
    IRREGULAR_MANUAL: "irregular interval: billed on demand only",
    LEFT_OUT: "left out by user",
    SINGLE_MODE: "customer is billed with single invoices",
    DIFFERENT_COMPANY: "different company",
    DIFFERENT_CURRENCY: "different currency",
    DIFFERENT_RECIPIENT: "different invoice recipient",
    DIFFERENT_PAYMENT_TERMS: "different payment terms",
    DIFFERENT_PAYMENT_METHOD: "different payment method",
    DIFFERENT_TAX_MODE: "different net/gross mode",
    DIFFERENT_PERIOD: "delivery date in another billing period",
}
