from datetime import date

import pytest
from tms_billing_engine import BillingPolicy, OrderFacts


@pytest.fixture
def make_order():
    """Build OrderFacts with sensible defaults; keyword arguments override them."""
    counter = iter(range(1, 1_000_000))

    def make(**values):
        order_id = values.pop("id", None) or next(counter)
        policy = values.pop("policy", None) or BillingPolicy(
            **{
                key: values.pop(key)
                for key in ("invoicing_mode", "interval", "line_mode", "tax_mode")
                if key in values
            }
        )
        defaults = {
            "id": order_id,
            "name": f"S{order_id:05d}",
            "customer_id": 1,
            "company_id": 1,
            "currency_id": 1,
            "invoice_partner_id": 10,
            "policy": policy,
            "delivery_date": date(2026, 10, 5),
            "payment_term_id": 1,
            "payment_method_id": 1,
            "amount_to_invoice": 100.0,
        }
        defaults.update(values)
        return OrderFacts(**defaults)

    return make
