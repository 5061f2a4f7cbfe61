from tms_billing_engine import LineFacts, aggregate_lines


def test_equal_keys_merge_in_order_of_first_appearance():
    lines = [
        LineFacts(id=1, key=("freight", 100.0), quantity=1.0),
        LineFacts(id=2, key=("waiting", 40.0), quantity=2.0),
        LineFacts(id=3, key=("freight", 100.0), quantity=1.0),
        LineFacts(id=4, key=("freight", 120.0), quantity=1.0),
    ]
    merged = aggregate_lines(lines)
    assert [m.key for m in merged] == [("freight", 100.0), ("waiting", 40.0), ("freight", 120.0)]
    assert [m.line_ids for m in merged] == [[1, 3], [2], [4]]
    assert merged[0].quantity == 2.0
    assert merged[0].quantity_by_line == {1: 1.0, 3: 1.0}


def test_same_line_twice_adds_up():
    merged = aggregate_lines([LineFacts(7, ("a",), 1.5), LineFacts(7, ("a",), 2.5)])
    assert merged[0].quantity_by_line == {7: 4.0}
    assert merged[0].quantity == 4.0


def test_nothing_in_nothing_out():
    assert aggregate_lines([]) == []
