"""Pure billing logic: periods, grouping, due dates and line plans.

Nothing here imports ``odoo``: the Odoo models collect plain facts, ask this
package, and hand the answer to Odoo's own invoicing.
"""

from .aggregation import AggregatedLine, LineFacts, aggregate_lines
from .due import due_exclusion
from .facts import BillingPolicy, OrderFacts
from .grouping import InvoicePlan, PlannedInvoice, exclusion_reason, plan_invoices
from .periods import INTERVALS, Period, billing_period, period_after_billed
from .taxes import fiscal_position_situation, tax_situation
from .vocabulary import REASONS, SITUATIONS

__all__ = [
    "INTERVALS",
    "REASONS",
    "SITUATIONS",
    "AggregatedLine",
    "BillingPolicy",
    "InvoicePlan",
    "LineFacts",
    "OrderFacts",
    "Period",
    "PlannedInvoice",
    "aggregate_lines",
    "billing_period",
    "due_exclusion",
    "exclusion_reason",
    "fiscal_position_situation",
    "period_after_billed",
    "plan_invoices",
    "tax_situation",
]
