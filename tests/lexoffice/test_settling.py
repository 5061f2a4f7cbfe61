"""What a look-up by marker tells about a create whose outcome is unknown: the voucher,
or how far the voucher list it read had come (``MarkerSearch``), under the fake's
search lag (a test fault)."""

from datetime import datetime

from lexoffice_api import build_invoice_payload


def _stamp(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_search_says_how_far_the_list_it_read_had_come(fake, client, draft):
    """Not found, with the newest creation time the list showed: the evidence a caller
    weighs, not a verdict."""
    fake.search_lag = 90
    older = client.create_invoice(build_invoice_payload(dict(draft, marker="TMS-older")))
    fake.advance(120)
    ours = client.create_invoice(build_invoice_payload(draft))
    search = client.search_invoice_by_marker(draft["marker"])
    assert search.found is None
    assert search.listed == 1
    assert search.newest_created == _stamp(older["createdDate"])
    fake.advance(90)
    search = client.search_invoice_by_marker(draft["marker"], known_ids={older["id"]})
    assert search.found["id"] == ours["id"]
    assert search.listed == 2
    assert search.newest_created == _stamp(ours["createdDate"])
    assert client.search_invoice_by_marker("TMS-none").found is None
