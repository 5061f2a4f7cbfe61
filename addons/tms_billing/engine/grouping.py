"""Which orders go on which invoice, and why orders were split or left out."""

from collections import defaultdict
from dataclasses import dataclass, field

from . import vocabulary as reasons
from .facts import OrderFacts
from .periods import Period, billing_period, period_after_billed

# The dimensions of a grouping key, in the order their difference is reported.
_KEY_REASONS = (
    ("company_id", reasons.DIFFERENT_COMPANY),
    ("currency_id", reasons.DIFFERENT_CURRENCY),
    ("invoice_partner_id", reasons.DIFFERENT_RECIPIENT),
    ("payment_term_id", reasons.DIFFERENT_PAYMENT_TERMS),
    ("payment_method_id", reasons.DIFFERENT_PAYMENT_METHOD),
    ("tax_mode", reasons.DIFFERENT_TAX_MODE),
    ("tax_situation", reasons.DIFFERENT_TAX_SITUATION),
    ("fiscal_position_id", reasons.DIFFERENT_FISCAL_POSITION),
    ("period_key", reasons.DIFFERENT_PERIOD),
)


@dataclass(frozen=True)
class GroupKey:
    company_id: int
    currency_id: int
    invoice_partner_id: int
    payment_term_id: int
    payment_method_id: int
    tax_mode: str
    period_key: str
    tax_situation: str = ""
    fiscal_position_id: int = 0
    single_order_id: int = 0  # set for single invoices: no other order may join

    def as_string(self):
        """A stable text form, stored on the invoice so Odoo groups on it."""
        return "|".join(str(value) for value in self.__dict__.values())

    @staticmethod
    def single_order_id_of(text):
        """The order whose single invoice a stored key (``as_string``) is, else 0."""
        last = text.rsplit("|", 1)[-1] if text else ""
        return int(last) if last.isdigit() else 0


@dataclass
class PlannedInvoice:
    key: GroupKey
    customer_id: int
    period: Period
    line_mode: str
    orders: list = field(default_factory=list)
    split_reasons: set = field(default_factory=set)

    @property
    def order_ids(self):
        return [order.id for order in self.orders]

    @property
    def amount(self):
        return sum(order.amount_to_invoice for order in self.orders)


@dataclass
class InvoicePlan:
    invoices: list = field(default_factory=list)
    excluded: dict = field(default_factory=dict)  # order id -> reason code


def exclusion_reason(order: OrderFacts):
    """The reason ``order`` cannot be billed at all, or None when it can."""
    if not order.confirmed:
        return reasons.NOT_CONFIRMED
    if order.invoice_status == "invoiced":
        return reasons.ALREADY_INVOICED
    if order.invoice_status != "to invoice":
        return reasons.NOTHING_TO_INVOICE
    if not order.delivery_date:
        return reasons.NO_DELIVERY_DATE
    if order.delivery_in_future:
        return reasons.DELIVERY_IN_FUTURE
    if not order.invoice_partner_id or not order.invoice_address_complete:
        return reasons.NO_INVOICE_ADDRESS
    if order.has_negative_lines:
        return reasons.NEGATIVE_AMOUNTS
    if not round(order.amount_to_invoice, 6):
        return reasons.ZERO_AMOUNT
    if order.vat_refusal:
        return order.vat_refusal
    return None


def group_key(order: OrderFacts, period: Period):
    policy = order.policy
    return GroupKey(
        company_id=order.company_id,
        currency_id=order.currency_id,
        invoice_partner_id=order.invoice_partner_id,
        payment_term_id=order.payment_term_id,
        payment_method_id=order.payment_method_id,
        tax_mode=policy.tax_mode,
        period_key=period.key,
        tax_situation=order.tax_situation,
        fiscal_position_id=order.fiscal_position_id,
        single_order_id=order.id if policy.invoicing_mode == "single" else 0,
    )


def split_reason(key_a: GroupKey, key_b: GroupKey):
    """The first rule that keeps two keys of one customer on different invoices."""
    if key_a.single_order_id or key_b.single_order_id:
        return reasons.SINGLE_MODE
    for attribute, reason in _KEY_REASONS:
        if getattr(key_a, attribute) != getattr(key_b, attribute):
            return reason
    return None


def plan_invoices(orders):
    """Plan the invoices for ``orders`` (an iterable of :class:`OrderFacts`).

    Every billable order lands in exactly one planned invoice; every other one is
    listed in ``excluded`` with its reason. Invoices keep the orders' input order.
    """
    plan = InvoicePlan()
    by_key = {}
    for order in orders:
        reason = exclusion_reason(order)
        if reason:
            plan.excluded[order.id] = reason
            continue
        period = period_after_billed(
            billing_period(order.delivery_date, order.policy.interval),
            order.delivery_date,
            order.billed_until,
        )
        key = group_key(order, period)
        invoice = by_key.get(key)
        if invoice is None:
            invoice = by_key[key] = PlannedInvoice(
                key=key,
                customer_id=order.customer_id,
                period=period,
                line_mode=order.policy.line_mode,
            )
            plan.invoices.append(invoice)
        invoice.orders.append(order)
    _explain_splits(plan.invoices)
    return plan


def _explain_splits(invoices):
    by_customer = defaultdict(list)
    for invoice in invoices:
        by_customer[invoice.customer_id].append(invoice)
    for siblings in by_customer.values():
        if len(siblings) < 2:
            continue
        # Single invoices differ from everything by mode; only the collective keys of a
        # customer (a handful) need comparing pairwise.
        collective = [invoice for invoice in siblings if not invoice.key.single_order_id]
        for invoice in siblings:
            if invoice.key.single_order_id:
                invoice.split_reasons.add(reasons.SINGLE_MODE)
                continue
            if len(collective) < len(siblings):
                invoice.split_reasons.add(reasons.SINGLE_MODE)
            for other in collective:
                if other is not invoice:
                    invoice.split_reasons.add(split_reason(invoice.key, other.key))
