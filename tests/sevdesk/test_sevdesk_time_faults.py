"""Faults with time in the fake sevDesk (a search lag, slow answers, its own clock) and
what the client meets with them. The faults are test faults, not statements about
sevDesk's API."""

import time

import pytest
from sevdesk_api import (
    UnknownOutcomeError,
    build_save_credit_note_payload,
    build_save_invoice_payload,
)

LAG = 15 * 60


def _save(client, draft, settings, marker):
    return client.save_invoice(build_save_invoice_payload(dict(draft, marker=marker), **settings))


def test_a_new_invoice_is_read_by_its_id_at_once_but_listed_only_after_the_lag(
    fake, client, draft, settings
):
    fake.search_lag = LAG
    created = _save(client, draft, settings, "TMS-lag-1")
    assert client.get_invoice(created["id"])["id"] == created["id"]
    assert client.find_invoice_by_marker("TMS-lag-1", draft["contact_id"]) is None
    fake.advance(LAG)
    assert client.find_invoice_by_marker("TMS-lag-1", draft["contact_id"])["id"] == created["id"]


def test_a_new_credit_note_and_contact_are_listed_only_after_the_lag(
    fake, client, draft, settings, contact_id
):
    invoice = _save(client, draft, settings, "TMS-inv")
    fake.set_invoice_status(invoice["id"], "200")
    fake.search_lag = LAG
    payload = build_save_credit_note_payload(
        dict(draft, kind="credit_note", marker="TMS-cn-lag"),
        preceding_id=invoice["id"],
        credit_note_number=client.get_next_credit_note_number(),
        **settings,
    )
    created = client.save_credit_note(payload)
    assert client.get_credit_note(created["id"])["id"] == created["id"]
    assert client.find_credit_note_by_marker("TMS-cn-lag", draft["contact_id"]) is None
    new_contact, _problems = client.create_customer(
        {"is_company": True, "name": "Hafenlogistik KG"}, settings["country_ids"]
    )
    assert client.search_contacts(name="Hafenlogistik") == []
    fake.advance(LAG)
    assert client.find_credit_note_by_marker("TMS-cn-lag", draft["contact_id"])
    assert [c["id"] for c in client.search_contacts(name="Hafenlogistik")] == [new_contact["id"]]
    # A contact created before the lag was set is listed as ever.
    assert contact_id in {c["id"] for c in client.search_contacts(name="Nordfracht")}


@pytest.mark.parametrize(
    ("fault", "saved_at_once", "saved_later"),
    [("slow_after", True, True), ("slow_before", False, True), ("slow_unperformed", False, False)],
)
def test_a_slow_save_is_an_unknown_outcome(
    fake, client, draft, settings, fault, saved_at_once, saved_later
):
    fake.slow_seconds = 1.5
    fake.inject("POST", "/Invoice/Factory/saveInvoice", [fault])
    with pytest.raises(UnknownOutcomeError):
        _save(client, draft, settings, "TMS-slow")
    assert bool(fake.invoices_with_marker("TMS-slow")) is saved_at_once
    time.sleep(fake.slow_seconds + 0.5)
    assert bool(fake.invoices_with_marker("TMS-slow")) is saved_later
