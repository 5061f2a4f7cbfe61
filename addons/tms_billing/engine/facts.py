"""Plain facts about orders, as the Odoo side hands them to the engine."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class BillingPolicy:
    """The effective billing settings of a customer (its own, else the company's)."""

    invoicing_mode: str = "collective"  # single | collective
    interval: str = "monthly"  # weekly | semi_monthly | monthly | irregular
    line_mode: str = "per_order"  # per_order | aggregated
    tax_mode: str = "net"  # net | gross


@dataclass(frozen=True)
class OrderFacts:
    """What grouping needs to know of one transport order; ids are plain ints (0 = none)."""

    id: int
    name: str
    customer_id: int
    company_id: int
    currency_id: int
    invoice_partner_id: int
    policy: BillingPolicy
    delivery_date: date | None = None
    payment_term_id: int = 0
    payment_method_id: int = 0
    confirmed: bool = True
    invoice_status: str = "to invoice"  # sale.order invoice_status
    amount_to_invoice: float = 0.0
    # A legal invoice needs the recipient's full postal address.
    invoice_address_complete: bool = True
    # Not billed before it is delivered, nor with lines of negative quantity or price.
    delivery_in_future: bool = False
    has_negative_lines: bool = False
    # The last day an earlier invoice of this customer (and company) covers.
    billed_until: date | None = None
    # How the order is taxed (a code of vocabulary.TAX_SITUATIONS, decided from its
    # customer and route by vat_route), and its fiscal position (0 = none): orders of
    # different situations or positions never share an invoice. Empty: not decided by
    # the route (the company is not German), as its fiscal position says.
    tax_situation: str = ""
    fiscal_position_id: int = 0
    # Why it cannot be billed with VAT as the law wants (a key of vocabulary.REASONS:
    # a refusal of the VAT table, or a fiscal position of another situation).
    vat_refusal: str | None = None
