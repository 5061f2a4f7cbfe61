"""What a look-up by marker tells about a save whose outcome is unknown: the document, or
how far the list it read had come (``MarkerSearch``), under the fake's search lag (a
test fault)."""

from datetime import datetime

from sevdesk_api import build_save_invoice_payload


def _save(client, draft, settings, marker):
    return client.save_invoice(build_save_invoice_payload(dict(draft, marker=marker), **settings))


def test_a_search_says_how_far_the_list_it_read_had_come(fake, client, draft, settings):
    fake.search_lag = 90
    older = _save(client, draft, settings, "TMS-older")
    fake.advance(120)
    saved_from = int(fake.now())
    ours = _save(client, draft, settings, "TMS-ours")
    search = client.search_invoice_by_marker("TMS-ours", draft["contact_id"])
    assert (search.found, search.listed) == (None, 1)
    # Model_InvoiceResponse.create, "Date of invoice creation" (L12371-12376).
    assert search.newest_created == datetime.fromisoformat(older["create"])
    fake.advance(90)
    search = client.search_invoice_by_marker("TMS-ours", draft["contact_id"])
    assert search.found["id"] == ours["id"]
    assert search.listed == 2
    assert search.newest_created == datetime.fromisoformat(ours["create"])
    # The list now reaches our save: it is newer than the older one by the 120 s between.
    assert search.newest_created.timestamp() >= saved_from


def test_a_look_up_reads_every_page_of_drafts(fake, client, draft, settings):
    for number in range(3):
        _save(client, draft, settings, f"TMS-page-{number}")
    fake.reset_calls()
    search = client.search_invoice_by_marker("TMS-page-0", draft["contact_id"])
    assert search.found and search.listed == 3
    assert [call[1] for call in fake.requests] == ["/api/v1/Invoice"]
