"""Pure billing logic: periods, grouping, due dates, line plans and VAT by route.

Nothing here imports ``odoo``: the Odoo models collect plain facts, ask this
package, and hand the answer to Odoo's own invoicing.
"""

from .aggregation import AggregatedLine, LineFacts, aggregate_lines
from .due import due_exclusion
from .facts import BillingPolicy, OrderFacts
from .grouping import InvoicePlan, PlannedInvoice, exclusion_reason, plan_invoices
from .periods import INTERVALS, Period, billing_period, period_after_billed
from .taxes import fiscal_position_fits, fiscal_position_situation, tax_situation
from .vocabulary import REASONS, SITUATIONS
from .vat_route import (
    DECISION_TABLE,
    EU_MEMBER_STATES,
    PRESUMPTIONS,
    REFUSALS,
    ROUTE_SITUATIONS,
    VatCompany,
    VatCustomer,
    VatDecision,
    VatGoods,
    VatRoute,
    decision_table_markdown,
    vat_route_decision,
)

__all__ = [
    "DECISION_TABLE",
    "EU_MEMBER_STATES",
    "INTERVALS",
    "PRESUMPTIONS",
    "REASONS",
    "REFUSALS",
    "ROUTE_SITUATIONS",
    "SITUATIONS",
    "AggregatedLine",
    "BillingPolicy",
    "InvoicePlan",
    "LineFacts",
    "OrderFacts",
    "Period",
    "PlannedInvoice",
    "VatCompany",
    "VatCustomer",
    "VatDecision",
    "VatGoods",
    "VatRoute",
    "aggregate_lines",
    "billing_period",
    "decision_table_markdown",
    "due_exclusion",
    "exclusion_reason",
    "fiscal_position_fits",
    "fiscal_position_situation",
    "period_after_billed",
    "plan_invoices",
    "tax_situation",
    "vat_route_decision",
]
