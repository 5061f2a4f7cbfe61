"""Selections shared by the company defaults, the customer overrides and the wizard."""

INVOICING_MODES = [
    ("single", "Single invoice per order"),
    ("collective", "Collective invoice"),
]
BILLING_INTERVALS = [
    ("weekly", "Weekly"),
    ("semi_monthly", "Semi-monthly (1st-15th, 16th-end)"),
    ("monthly", "Monthly"),
    ("irregular", "Irregular (on demand)"),
]
LINE_MODES = [
    ("per_order", "One block of lines per order"),
    ("aggregated", "Aggregated positions"),
]
TAX_MODES = [
    ("net", "Net prices"),
    ("gross", "Gross prices"),
]
BILLING_STATES = [
    ("quotation", "Quotation"),
    ("not_delivered", "Not delivered"),
    ("to_invoice", "To invoice"),
    ("invoiced", "Invoice created"),
    ("nothing", "Nothing to invoice"),
    ("cancel", "Cancelled"),
]
# Policy fields: the company holds the defaults, a customer may override each one.
POLICY_FIELDS = (
    "tms_invoicing_mode",
    "tms_billing_interval",
    "tms_line_mode",
    "tms_tax_mode",
    "tms_unit_name",
    "tms_invoice_note",
)
EXPORT_STATES = [
    ("to_send", "To send"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("failed", "Failed"),
]
# The invoice's state in the external system, whatever the provider calls it.
EXTERNAL_STATES = [
    ("draft", "Draft"),
    ("open", "Open"),
    ("partially_paid", "Partially paid"),
    ("paid", "Paid"),
    ("voided", "Voided"),
    ("cancelled", "Cancelled"),
    ("deleted", "Deleted there"),
    ("unknown", "Unknown"),
]
EXTERNAL_FINAL_STATES = ("paid", "voided", "cancelled", "deleted")
# How an invoice is taxed, as the accounting systems need to be told (engine.taxes).
TAX_SITUATIONS = [
    ("domestic", "Domestic customer"),
    ("eu_business", "EU business customer with VAT ID"),
    ("eu_private", "EU customer without VAT ID"),
    ("third_country", "Customer outside the EU"),
    ("small_business", "Own small business (§ 19 UStG)"),
]
