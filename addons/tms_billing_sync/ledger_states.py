"""The states of the export ledger and of the documents it sent, whatever the provider
calls them."""

EXPORT_STATES = [
    ("to_send", "To send"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    # The outcome of a create stayed unknown and could not be settled (its look-ups
    # failed for a day): a person checks there, then links it or has it sent again.
    ("to_check", "Check there"),
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
# Finalised there: the invoice is issued, whatever has been paid.
EXTERNAL_FINALISED_STATES = ("open", "partially_paid", "paid")
# No longer an invoice there.
EXTERNAL_GONE_STATES = ("voided", "cancelled", "deleted")
