"""Aggregated positions: sale lines with equal product, price and taxes become one line."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LineFacts:
    """One invoiceable sale line; ``key`` holds whatever must be equal to aggregate."""

    id: int
    key: tuple
    quantity: float


@dataclass
class AggregatedLine:
    key: tuple
    line_ids: list = field(default_factory=list)
    quantity_by_line: dict = field(default_factory=dict)

    @property
    def quantity(self):
        return sum(self.quantity_by_line.values())


def aggregate_lines(lines):
    """Merge ``lines`` with equal keys, keeping the order in which keys first appear.

    Each merged line remembers how much of its quantity belongs to which sale line,
    so that invoiced quantities stay exact per sale line.
    """
    merged = {}
    for line in lines:
        aggregated = merged.setdefault(line.key, AggregatedLine(key=line.key))
        aggregated.line_ids.append(line.id)
        aggregated.quantity_by_line[line.id] = (
            aggregated.quantity_by_line.get(line.id, 0.0) + line.quantity
        )
    return list(merged.values())
