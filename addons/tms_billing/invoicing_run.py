"""The invoicing run: the plan that Odoo's own invoice creation carries out.

``sale.order._tms_create_invoices`` bills orders through Odoo's ``_create_invoices``, so
that everything Odoo and other addons do when they invoice orders still happens. Odoo
calls hooks on the way (``_prepare_invoice``, ``_get_invoice_grouping_keys``,
``_create_account_invoices``, ``sale.order.line._prepare_invoice_line``) whose
signatures carry no plan, so the run hands its plan to them for the span of that one
call::

    with InvoicingRun(planned_moves).running(env) as run:
        orders._create_invoices()

Each hook asks ``InvoicingRun.current(env)``, which is None outside a run: a
``CallScope``, which no RPC client can send or forge, unlike a context key.

Nothing here imports ``odoo``.
"""

from dataclasses import dataclass, field

from .call_scope import CallScope

_RUN = CallScope("invoicing_run")

# The key of Odoo's invoice values that groups a run's orders by the plan's invoice; the
# run removes it before the invoices are created.
GROUP_KEY = "tms_run_invoice"


@dataclass(frozen=True)
class LineEdit:
    """A position as the user edited it in the preview."""

    name: str
    quantity: float
    price_unit: float


@dataclass(frozen=True)
class Adjustment:
    """What the user changed on one invoice of the preview."""

    order_ids: frozenset  # the orders of the previewed invoice, as planned
    invoice_partner_id: int | None = None  # another invoice address of the customer
    note: str | None = None  # printed on this invoice
    # Positions the user edited, by the sorted ids of the sale lines they bill.
    line_edits: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedMove:
    """One invoice of the plan, as Odoo is to create it."""

    key: str  # the plan's invoice, unique in the run
    order_ids: tuple  # its orders, in the plan's sequence
    values: dict  # account.move values: period, modes, delivery date, note, address...
    origin: str  # the orders' names, in the plan's sequence
    ref: str | None  # the orders' own references, each once
    # Positions the user edited, by the sorted ids of the sale lines they bill.
    line_edits: dict = field(default_factory=dict)


@dataclass
class InvoicingRun:
    """The plan of one call of ``_create_invoices``, and the memos of its speed hooks."""

    planned_moves: list  # of PlannedMove
    memos: dict = field(default_factory=dict)

    def __post_init__(self):
        self._by_order = {
            order_id: planned for planned in self.planned_moves for order_id in planned.order_ids
        }
        self._by_key = {planned.key: planned for planned in self.planned_moves}

    def running(self, env):
        """The span of the run, on ``env``'s cursor (a context manager)."""
        return _RUN.enter(env, self)

    @staticmethod
    def current(env):
        """The run under way on ``env``'s cursor, or None."""
        return _RUN.get(env)

    def memo(self, name):
        """The run's memo ``name``: a dict a speed hook keeps its answers in."""
        return self.memos.setdefault(name, {})

    def move_of_order(self, order_id):
        """The planned invoice that bills order ``order_id``, or None."""
        return self._by_order.get(order_id)

    def move_of_key(self, key):
        """The planned invoice of a group key (``GROUP_KEY`` of Odoo's values), or None."""
        return self._by_key.get(key)
