from datetime import date

import pytest
from tms_billing_engine import exclusion_reason, plan_invoices
from tms_billing_engine.grouping import GroupKey, group_key

RULES = [
    ("company_id", 2, "different_company"),
    ("currency_id", 2, "different_currency"),
    ("invoice_partner_id", 11, "different_recipient"),
    ("payment_term_id", 2, "different_payment_terms"),
    ("payment_method_id", 2, "different_payment_method"),
    ("tax_mode", "gross", "different_tax_mode"),
    ("tax_situation", "export_import_exempt", "different_tax_situation"),
    ("fiscal_position_id", 7, "different_fiscal_position"),
    ("delivery_date", date(2026, 11, 2), "different_period"),
]


def test_orders_sharing_everything_share_one_invoice(make_order):
    orders = [make_order(delivery_date=date(2026, 10, day)) for day in (1, 15, 31)]
    plan = plan_invoices(orders)
    assert len(plan.invoices) == 1
    assert plan.invoices[0].order_ids == [o.id for o in orders]
    assert plan.invoices[0].split_reasons == set()
    assert plan.excluded == {}


@pytest.mark.parametrize(("field", "value", "reason"), RULES)
def test_each_rule_splits_with_its_reason(make_order, field, value, reason):
    first = make_order()
    second = make_order(**{field: value})
    plan = plan_invoices([first, second])
    assert [invoice.order_ids for invoice in plan.invoices] == [[first.id], [second.id]]
    for invoice in plan.invoices:
        assert invoice.split_reasons == {reason}


def test_single_mode_gives_one_invoice_per_order(make_order):
    orders = [make_order(invoicing_mode="single") for _ in range(3)]
    plan = plan_invoices(orders)
    assert [invoice.order_ids for invoice in plan.invoices] == [[o.id] for o in orders]
    assert all(invoice.split_reasons == {"single_mode"} for invoice in plan.invoices)


def test_single_order_alone_has_no_split_reason(make_order):
    plan = plan_invoices([make_order(invoicing_mode="single")])
    assert plan.invoices[0].split_reasons == set()


def test_several_customers_are_never_merged_nor_compared(make_order):
    a1, a2 = make_order(customer_id=1), make_order(customer_id=1)
    b1 = make_order(customer_id=2, invoice_partner_id=20, payment_term_id=9)
    plan = plan_invoices([a1, b1, a2])
    assert [invoice.order_ids for invoice in plan.invoices] == [[a1.id, a2.id], [b1.id]]
    assert all(not invoice.split_reasons for invoice in plan.invoices)
    assert [invoice.customer_id for invoice in plan.invoices] == [1, 2]


def test_intervals_decide_the_period(make_order):
    dates = [date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 20)]
    weekly = plan_invoices([make_order(interval="weekly", delivery_date=d) for d in dates])
    semi = plan_invoices([make_order(interval="semi_monthly", delivery_date=d) for d in dates])
    monthly = plan_invoices([make_order(interval="monthly", delivery_date=d) for d in dates])
    irregular = plan_invoices(
        [make_order(interval="irregular", delivery_date=d) for d in [*dates, date(2027, 3, 1)]]
    )
    assert [len(p.invoices) for p in (weekly, semi, monthly, irregular)] == [3, 2, 1, 1]
    assert monthly.invoices[0].period.key == "2026-10"


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"confirmed": False}, "not_confirmed"),
        ({"invoice_status": "invoiced"}, "already_invoiced"),
        ({"invoice_status": "no"}, "nothing_to_invoice"),
        ({"invoice_status": "upselling"}, "nothing_to_invoice"),
        ({"delivery_date": None}, "no_delivery_date"),
        ({"invoice_partner_id": 0}, "no_invoice_address"),
        ({"invoice_address_complete": False}, "no_invoice_address"),
        ({"amount_to_invoice": 0.0}, "zero_amount"),
        ({"amount_to_invoice": 0.0000001}, "zero_amount"),
        ({"delivery_in_future": True}, "delivery_in_future"),
        ({"has_negative_lines": True}, "negative_amounts"),
        ({"has_negative_lines": True, "amount_to_invoice": 0.0}, "negative_amounts"),
        ({"delivery_in_future": True, "has_negative_lines": True}, "delivery_in_future"),
        # precedence when several apply: the most basic reason wins
        ({"confirmed": False, "delivery_date": None}, "not_confirmed"),
        ({"invoice_status": "invoiced", "delivery_date": None}, "already_invoiced"),
        ({"delivery_date": None, "amount_to_invoice": 0.0}, "no_delivery_date"),
        ({"invoice_partner_id": 0, "amount_to_invoice": 0.0}, "no_invoice_address"),
    ],
)
def test_exclusion_reasons(make_order, values, reason):
    order = make_order(**values)
    assert exclusion_reason(order) == reason
    plan = plan_invoices([order, make_order()])
    assert plan.excluded == {order.id: reason}
    assert len(plan.invoices) == 1


def test_negative_amount_is_billable(make_order):
    assert exclusion_reason(make_order(amount_to_invoice=-50.0)) is None


def test_group_key_string_is_stable_and_distinct(make_order):
    order = make_order()
    period_key = group_key(order, plan_invoices([order]).invoices[0].period)
    assert period_key.as_string() == period_key.as_string()
    keys = {
        group_key(o, plan_invoices([o]).invoices[0].period).as_string()
        for o in [make_order(**{field: value}) for field, value, _reason in RULES]
        + [order, make_order(invoicing_mode="single")]
    }
    assert len(keys) == len(RULES) + 2


def test_invoice_amount_sums_its_orders(make_order):
    orders = [make_order(amount_to_invoice=value) for value in (10.5, 20.25, 0.25)]
    assert plan_invoices(orders).invoices[0].amount == pytest.approx(31.0)


def test_orders_after_an_interval_change_share_the_clipped_period(make_order):
    # Billed weekly up to Nov 22, now monthly: the rest of November is one invoice.
    orders = [
        make_order(interval="monthly", delivery_date=date(2026, 11, day), billed_until=until)
        for day, until in ((23, date(2026, 11, 22)), (30, date(2026, 11, 22)))
    ]
    plan = plan_invoices(orders)
    assert len(plan.invoices) == 1
    period = plan.invoices[0].period
    assert (period.start, period.end) == (date(2026, 11, 23), date(2026, 11, 30))


def test_stored_key_tells_a_single_invoice_from_a_collective_one(make_order):
    collective = make_order()
    single = make_order(invoicing_mode="single")
    keys = {
        order.id: plan_invoices([order]).invoices[0].key.as_string()
        for order in (collective, single)
    }
    assert GroupKey.single_order_id_of(keys[single.id]) == single.id
    assert GroupKey.single_order_id_of(keys[collective.id]) == 0
    assert GroupKey.single_order_id_of("") == 0
    assert GroupKey.single_order_id_of(None) == 0


def test_orders_of_different_tax_situations_never_share_an_invoice(make_order):
    """Hamburg to Munich and Hamburg to Zurich for one customer, one period: the export
    is tax-free (§ 4 Nr. 3 UStG), the domestic transport is not."""
    domestic = [make_order(tax_situation="domestic", fiscal_position_id=1) for _ in range(2)]
    export = make_order(tax_situation="export_import_exempt", fiscal_position_id=5)
    plan = plan_invoices([domestic[0], export, domestic[1]])
    assert [invoice.order_ids for invoice in plan.invoices] == [
        [domestic[0].id, domestic[1].id],
        [export.id],
    ]
    # The situation is reported, not the fiscal position that follows from it.
    assert all(invoice.split_reasons == {"different_tax_situation"} for invoice in plan.invoices)


def test_an_order_the_vat_table_refuses_is_left_out_with_the_reason(make_order):
    refused = make_order(vat_refusal="consignor_unknown")
    billable = make_order(tax_situation="domestic")
    plan = plan_invoices([refused, billable])
    assert plan.excluded == {refused.id: "consignor_unknown"}
    assert [invoice.order_ids for invoice in plan.invoices] == [[billable.id]]
    # Whatever else keeps an order from billing is said first.
    assert exclusion_reason(make_order(vat_refusal="route_unknown", confirmed=False)) == (
        "not_confirmed"
    )
