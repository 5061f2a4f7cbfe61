"""Reason codes for splits and exclusions, with their English wording.

The engine only ever returns codes. Their wording below is the one source of the texts:
``_lt`` marks each for Odoo's translation export, and the Odoo side translates it when
it shows it (``sale.order._tms_reason_texts``).
"""


def _lt(text):
    """Mark ``text`` for the translation export (Odoo extracts ``_lt("...")``)."""
    return text


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
