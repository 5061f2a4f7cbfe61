import base64

import pytest
from sevdesk_api import (
    AuthenticationError,
    NotFoundError,
    ServerError,
    SevdeskClient,
    UnknownOutcomeError,
    ValidationError,
    build_save_invoice_payload,
    parse_invoice_status,
)


def test_raw_token_auth_and_no_leak(fake):
    assert SevdeskClient("test-token", base_url=fake.base_url).get_bookkeeping_version() == "2.0"
    wrong = SevdeskClient("secret-token-x", base_url=fake.base_url)
    with pytest.raises(AuthenticationError) as caught:
        wrong.get_bookkeeping_version()
    assert "secret-token-x" not in str(caught.value)
    assert "secret-token-x" not in repr(wrong)
    assert len([r for r in fake.requests if r[2] == 401]) == 1  # never repeated


def test_create_customer_takes_three_calls_and_search_needs_depth(fake, client):
    person, problems = client.create_customer(
        {
            "is_company": False,
            "name": "Anna Schulz",
            "city": "Köln",
            "country_code": "DE",
            "email": "anna@example.com",
        },
        client.get_country_ids(),
    )
    assert [r[1] for r in fake.requests if r[0] == "POST"] == [
        "/api/v1/Contact",
        "/api/v1/ContactAddress",
        "/api/v1/CommunicationWay",
    ]
    assert isinstance(person["id"], str)
    assert problems == []
    assert [c["id"] for c in client.search_contacts(name="schulz")] == [person["id"]]
    hidden = client._request("GET", "/Contact", params={"name": "schulz"})
    assert hidden == []
    assert client.search_contacts(customer_number=person["customerNumber"])[0]["id"] == person["id"]
    assert client.get_next_customer_number().isdigit()


def test_save_invoice_and_poll_status(fake, client, draft, settings):
    invoice = client.save_invoice(build_save_invoice_payload(draft, **settings))
    assert invoice["status"] == "100"
    assert invoice["invoiceNumber"].startswith("RE-")
    assert parse_invoice_status(client.get_invoice(invoice["id"]))["status"] == "draft"
    for code, name in ((200, "open"), (750, "partially_paid"), (1000, "paid")):
        fake.set_invoice_status(invoice["id"], code)
        assert parse_invoice_status(client.get_invoice(invoice["id"]))["status"] == name
    client.get_invoice_pdf(invoice["id"])
    assert fake.pdf_sent == set()


def test_rule_rate_mismatch_is_a_validation_error(fake, client, draft, settings):
    payload = build_save_invoice_payload(draft, **settings)
    payload["invoice"]["taxRule"]["id"] = "11"
    with pytest.raises(ValidationError, match="Tax rate does not match"):
        client.save_invoice(payload)
    payload = build_save_invoice_payload(draft, **settings)
    payload["invoicePosSave"][0]["name"] = ""
    with pytest.raises(ValidationError, match="name must not be empty") as caught:
        client.save_invoice(payload)
    assert caught.value.status == 500


def test_wrong_key_order_is_refused(client, draft, settings):
    payload = dict(build_save_invoice_payload(draft, **settings))
    reordered = {"invoicePosSave": payload.pop("invoicePosSave"), **payload}
    with pytest.raises(ValidationError, match="expects the keys"):
        client._request("POST", "/Invoice/Factory/saveInvoice", json=reordered)


def test_gets_are_retried_but_posts_are_not(fake, client, draft, settings):
    fake.inject("GET", "/Tools", ["503", "502"])
    assert client.get_bookkeeping_version() == "2.0"
    assert [r[2] for r in fake.requests if "Tools" in r[1]] == [503, 502, 200]
    # A bare 500 to a create may hide a saved invoice: an unknown outcome, not repeated.
    fake.inject("POST", "/Invoice/Factory", ["500", "503"])
    for _fault in range(2):
        with pytest.raises(UnknownOutcomeError):
            client.save_invoice(build_save_invoice_payload(draft, **settings))
    assert len([r for r in fake.requests if "saveInvoice" in r[1]]) == 2


def test_429_is_retried_for_creates_too(fake, client, draft, settings):
    fake.inject("POST", "/Invoice/Factory", ["429", "429"])
    assert client.save_invoice(build_save_invoice_payload(draft, **settings))["id"]
    assert [r[2] for r in fake.requests if "saveInvoice" in r[1]] == [429, 429, 201]


def test_refused_connection_is_not_an_unknown_outcome(draft, settings):
    closed = SevdeskClient("test-token", base_url="http://127.0.0.1:9/api/v1", max_retries=0)
    with pytest.raises(ServerError, match="could not be reached"):
        closed.save_invoice(build_save_invoice_payload(draft, **settings))


@pytest.mark.parametrize("fault", ["504_after", "drop_after", "timeout_after", "no_id_after"])
def test_unknown_outcome_is_resolved_by_the_marker(fake, client, draft, settings, fault):
    fake.inject("POST", "/Invoice/Factory", [fault])
    with pytest.raises(UnknownOutcomeError):
        client.save_invoice(build_save_invoice_payload(draft, **settings))
    found = client.find_invoice_by_marker(draft["marker"], contact_id=draft["contact_id"])
    assert found["customerInternalNote"].endswith(draft["marker"])
    assert len(fake.invoices_with_marker(draft["marker"])) == 1
    assert client.find_invoice_by_marker("TMS-never-sent") is None


def _old_mapper_payload(contact_id, gross):
    """A payload with one defect each of the old mapper: no taxText beside the tax rule,
    or in gross mode a net price beside priceGross with showNet off."""
    position = {
        "objectName": "InvoicePos",
        "mapAll": True,
        "quantity": 1.0,
        "price": round(119.0 / 1.19, 4) if gross else 100.0,
        "name": "Transport",
        "text": "",
        "unity": {"id": 1, "objectName": "Unity"},
        "taxRate": 19.0,
        "positionNumber": 0,
    }
    if gross:
        position["priceGross"] = 119.0
    return {
        "invoice": {
            "objectName": "Invoice",
            "mapAll": True,
            "contact": {"id": int(contact_id), "objectName": "Contact"},
            "contactPerson": {"id": 77, "objectName": "SevUser"},
            "invoiceDate": "02.11.2026",
            "status": "100",
            "invoiceType": "RE",
            "currency": "EUR",
            "discount": 0,
            "address": "Nordfracht GmbH",
            "addressCountry": {"id": 1, "objectName": "StaticCountry"},
            "showNet": not gross,
            "customerInternalNote": "TMS-old-1",
            "taxRate": 19.0,
            "taxRule": {"id": "1", "objectName": "TaxRule"},
            **({"taxText": "Umsatzsteuer"} if gross else {}),
        },
        "invoicePosSave": [position],
        "invoicePosDelete": None,
        "discountSave": [],
        "discountDelete": None,
        "takeDefaultAddress": False,
    }


def test_the_fake_refuses_what_the_old_mapper_sent(fake, client, contact_id):
    # Model_Invoice requires taxText (openapi.yaml L12838-12851).
    with pytest.raises(ValidationError, match=r"invoice\.taxText is required"):
        client.save_invoice(_old_mapper_payload(contact_id, gross=False))
    # With showNet false the price is the gross value (tag Invoice, L156).
    with pytest.raises(ValidationError, match="priceGross does not match price") as caught:
        client.save_invoice(_old_mapper_payload(contact_id, gross=True))
    assert caught.value.status == 422
    assert not fake.invoices


def test_missing_invoice_answers_400_and_is_not_found(fake, client):
    with pytest.raises(NotFoundError) as caught:
        client.get_invoice("424242")
    assert caught.value.status == 400
    assert [r[2] for r in fake.requests] == [400]


def test_countries_are_read_by_iso_code(fake, client):
    ids = client.get_country_ids()
    assert (ids["DE"], ids["AT"], ids["CH"]) == (1, 2, 3)
    assert [r[1] for r in fake.requests] == ["/api/v1/StaticCountry"]


def test_pdf_comes_as_a_file_without_marking_the_invoice_sent(fake, client, draft, settings):
    invoice = client.save_invoice(build_save_invoice_payload(draft, **settings))
    pdf = client.get_invoice_pdf(invoice["id"])
    assert pdf["mimeType"] == "application/pdf"
    assert base64.b64decode(pdf["content"]).startswith(b"%PDF")
    assert fake.pdf_sent == set()


def test_a_failing_address_never_loses_the_created_contact(fake, client):
    fake.inject("POST", "/ContactAddress", ["503"])
    contact, problems = client.create_customer(
        {"is_company": True, "name": "Halb GmbH", "city": "Bonn", "country_code": "DE"},
        client.get_country_ids(),
    )
    assert contact["id"] in {str(key) for key in fake.contacts}
    assert len(problems) == 1
    assert str(problems[0]).startswith("address not saved: sevDesk answered")
