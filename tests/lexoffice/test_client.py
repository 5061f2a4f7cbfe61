import base64
from datetime import UTC, datetime, timedelta

import pytest
import requests
from fake_lexoffice import FakeLexoffice
from lexoffice_api import (
    AuthenticationError,
    ConflictError,
    LexofficeClient,
    LookupFailedError,
    RateLimiter,
    ServerError,
    UnknownOutcomeError,
    ValidationError,
    build_contact_payload,
    build_invoice_payload,
    deeplink,
    verify_webhook_signature,
)


def test_profile_and_auth(fake, client):
    assert client.get_profile()["companyName"] == "Fake Spedition GmbH"
    wrong = LexofficeClient("secret-wrong-key", base_url=fake.base_url, rate_limit=0)
    with pytest.raises(AuthenticationError) as caught:
        wrong.get_profile()
    assert caught.value.status == 401
    assert "secret-wrong-key" not in str(caught.value)
    assert "secret-wrong-key" not in repr(wrong)


def test_contacts_create_search_and_page(fake, client):
    for name in ("Müller & Söhne GmbH", "Mueller Logistik", "50%_Fracht KG", "Nordfracht"):
        created = client.create_contact(
            build_contact_payload({"is_company": True, "name": name, "country_code": "DE"})
        )
        assert created["version"] == 1
    found = client.search_contacts(name="Müller & Söhne")["content"]
    assert [c["company"]["name"] for c in found] == ["Müller & Söhne GmbH"]
    assert [c["company"]["name"] for c in client.search_contacts(name="50%_F")["content"]] == [
        "50%_Fracht KG"
    ]
    assert client.search_contacts(name="50xxFracht")["content"] == []
    contact = client.get_contact(found[0]["id"])
    assert contact["roles"]["customer"]["number"] > 10000
    assert len(list(client.iter_contacts(size=2))) == 4


def test_contact_validation_uses_the_issue_list(client):
    with pytest.raises(ValidationError) as caught:
        client.create_contact({"version": 0, "roles": {"customer": {}}, "company": {"name": ""}})
    assert caught.value.status == 406
    assert {"field": "company.name", "message": "missing_entity"} in caught.value.details
    assert "company.name" in str(caught.value)


def test_invoice_draft_and_status(fake, client, draft):
    created = client.create_invoice(build_invoice_payload(draft))
    invoice = client.get_invoice(created["id"])
    assert invoice["voucherStatus"] == "draft"
    assert invoice["totalPrice"]["totalNetAmount"] == round(480 + 2 * 250.5 * 0.9, 2)
    fake.set_invoice_status(created["id"], "open")
    assert client.get_invoice(created["id"])["voucherNumber"].startswith("RE")
    assert deeplink(None, "invoices", created["id"]).endswith(
        f"/permalink/invoices/view/{created['id']}"
    )


def test_invoice_validation_details(client, draft):
    payload = build_invoice_payload(draft)
    del payload["lineItems"][0]["unitPrice"]["taxRatePercentage"]
    with pytest.raises(ValidationError) as caught:
        client.create_invoice(payload)
    assert caught.value.details[0]["field"] == "lineItems[0].unitPrice.taxRatePercentage"
    assert caught.value.details[0]["message"] == "darf nicht leer sein"


def test_missing_content_type_gets_415(fake):
    response = requests.post(
        f"{fake.base_url}/v1/invoices",
        data=b"{}",
        headers={"Authorization": "Bearer test-key"},
        timeout=5,
    )
    assert response.status_code == 415


def test_429_and_503_are_retried(fake, client):
    fake.inject("GET", "/v1/profile", ["429", "503", "429"])
    assert client.get_profile()["companyName"]
    assert [status for _, path, status in fake.requests if path == "/v1/profile"] == [
        429,
        503,
        429,
        200,
    ]


def test_retries_wait_their_turn_in_the_rate_limiter(fake):
    class CountingLimiter:
        calls = 0

        def wait(self):
            self.calls += 1

    limiter = CountingLimiter()
    client = LexofficeClient(
        "test-key", base_url=fake.base_url, backoff_factor=0.01, limiter=limiter
    )
    fake.inject("GET", "/v1/profile", ["429", "503"])
    assert client.get_profile()["companyName"]
    assert limiter.calls == 3  # the call and its two repeats


def test_post_500_is_not_repeated_blindly(fake, client, draft):
    fake.inject("POST", "/v1/invoices", ["500"])
    with pytest.raises(Exception, match="500"):
        client.create_invoice(build_invoice_payload(draft))
    assert len([r for r in fake.requests if r[0] == "POST"]) == 1


@pytest.mark.parametrize("fault", ["504_after", "drop_after", "timeout_after", "no_id_after"])
def test_unknown_outcome_is_resolved_by_the_marker(fake, client, draft, fault):
    fake.inject("POST", "/v1/invoices", [fault])
    with pytest.raises(UnknownOutcomeError):
        client.create_invoice(build_invoice_payload(draft))
    found = client.find_invoice_by_marker(draft["marker"])
    assert found is not None
    assert len(fake.invoices_with_marker(draft["marker"])) == 1
    assert client.find_invoice_by_marker("TMS-not-sent") is None


def test_rate_limiter_keeps_the_client_within_the_real_limit():
    with FakeLexoffice(rate_limit=2.0) as fake:
        client = LexofficeClient("test-key", base_url=fake.base_url, rate_limit=2.0)
        for _ in range(6):
            client.get_profile()
        assert [status for *_, status in fake.requests] == [200] * 6


def test_rate_limiter_spaces_calls_with_an_injected_clock():
    now = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(2.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        limiter.wait()
    assert slept == [0.5, 0.5, 0.5, 0.5]


def test_webhook_signature():
    rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import padding  # noqa: PLC0415

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    body = b'{"eventType":"invoice.status.changed","resourceId":"x"}'
    signature = base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA512())).decode()
    assert verify_webhook_signature(body, signature, pem)
    assert not verify_webhook_signature(body + b" ", signature, pem)


def test_event_subscription_and_signed_callback(fake, client):
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415

    client.create_event_subscription("invoice.status.changed", "https://erp.example/events")
    assert [(s["eventType"], s["callbackUrl"]) for s in client.list_event_subscriptions()] == [
        ("invoice.status.changed", "https://erp.example/events")
    ]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    body, signature = fake.signed_event("invoice.status.changed", "inv-1", key)
    assert verify_webhook_signature(body, signature, pem)
    assert not verify_webhook_signature(body.replace(b"inv-1", b"inv-2"), signature, pem)


def test_lookup_sends_a_plain_date_as_documented(fake, client, draft):
    created = client.create_invoice(build_invoice_payload(draft))
    since = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)  # 2 January in Berlin
    found = client.find_invoice_by_marker(draft["marker"], created_since=since)
    assert found["id"] == created["id"]
    [listing] = [r for r in fake.requests if r[1] == "/v1/voucherlist"]
    assert listing[2] == 200
    assert fake.voucherlist_queries[-1]["createdDateFrom"] == ["2026-01-02"]


def test_lookup_tries_the_other_date_format_once_after_a_400(fake, client, draft):
    """The documentation may be wrong about the format: one retry with a timestamp."""
    fake.voucherlist_date_format = "timestamp"
    created = client.create_invoice(build_invoice_payload(draft))
    since = datetime.now(UTC) - timedelta(minutes=5)
    assert (
        client.find_invoice_by_marker(draft["marker"], created_since=since)["id"] == created["id"]
    )
    assert [r[2] for r in fake.requests if r[1] == "/v1/voucherlist"] == [400, 200]


def test_lookup_that_fails_in_both_formats_is_an_unknown_outcome_not_a_refusal(fake, client):
    fake.voucherlist_date_format = "neither"
    with pytest.raises(LookupFailedError, match="Invalid value"):
        client.find_invoice_by_marker("TMS-x", created_since=datetime.now(UTC))
    assert [r[2] for r in fake.requests if r[1] == "/v1/voucherlist"] == [400, 400]


def test_a_timestamp_in_the_voucher_list_is_refused_like_the_real_api(fake, client):
    with pytest.raises(ValidationError, match="createdDateFrom") as caught:
        client.list_vouchers(createdDateFrom="2026-11-02T00:00:00.000+01:00")
    assert caught.value.status == 400


def test_document_file_is_a_pdf_once_the_invoice_is_open(fake, client, draft):
    created = client.create_invoice(build_invoice_payload(draft))
    with pytest.raises(ConflictError):
        client.get_invoice_file(created["id"])
    fake.set_invoice_status(created["id"], "open")
    assert client.get_invoice_file(created["id"]).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"taxConditions": {"taxType": "externalService13b"}}, "address.contactId"),
        ({"taxConditions": {"taxType": "vatfree"}}, "lineItems[0].unitPrice.taxRatePercentage"),
        ({"title": "x" * 26}, "title"),
        ({"address": {"contactId": "c-1", "street": "Ring 1"}}, "address.name"),
    ],
)
def test_fake_enforces_the_documented_invoice_rules(client, draft, change, field):
    payload = build_invoice_payload(draft)
    payload.update(change)
    with pytest.raises(ValidationError) as caught:
        client.create_invoice(payload)
    assert field in [detail["field"] for detail in caught.value.details]


def test_small_business_organisation_takes_vat_free_invoices_only(fake, client, draft):
    fake.small_business = True
    assert client.get_profile()["smallBusiness"] is True
    with pytest.raises(ValidationError, match=r"taxConditions\.taxType"):
        client.create_invoice(build_invoice_payload(draft))
    for line in draft["lines"]:
        line["tax_rate"] = 0.0
    assert client.create_invoice(build_invoice_payload(draft, tax_type="vatfree"))["id"]


@pytest.mark.parametrize("fault", ["500", "502", "503"])
def test_a_create_answered_with_a_server_error_is_not_repeated_blindly(fake, client, draft, fault):
    fake.inject("POST", "/v1/invoices", [fault])
    with pytest.raises(UnknownOutcomeError):
        client.create_invoice(build_invoice_payload(draft))
    assert [r[2] for r in fake.requests if r[:2] == ("POST", "/v1/invoices")] == [int(fault)]


def test_a_create_answered_429_is_repeated_as_not_performed(fake, client, draft):
    fake.inject("POST", "/v1/invoices", ["429"])
    assert client.create_invoice(build_invoice_payload(draft))["id"]
    assert [r[2] for r in fake.requests if r[:2] == ("POST", "/v1/invoices")] == [429, 201]


def test_refused_connection_is_not_an_unknown_outcome(draft):
    closed = LexofficeClient("k", base_url="http://127.0.0.1:9", rate_limit=0, max_retries=0)
    with pytest.raises(ServerError, match="could not be reached"):
        closed.create_invoice(build_invoice_payload(draft))
