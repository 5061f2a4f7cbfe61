import json
from datetime import UTC, datetime

import pytest
from lexoffice_api import WebhookEventError, parse_event_date, parse_webhook_event, read_token

GOOD = {
    "organizationId": "aa93e8a8-2aa3-470b-b914-caad8a255dd8",
    "eventType": "invoice.status.changed",
    "resourceId": "4d43ad14-671d-4e0c-fd4b-2fd8cc117eff",
    "eventDate": "2018-04-11T12:30:00.000+02:00",
}


def test_the_documented_callback_is_read():
    assert parse_webhook_event(json.dumps(GOOD).encode()) == {
        "organization_id": GOOD["organizationId"],
        "event_type": "invoice.status.changed",
        "resource_id": GOOD["resourceId"],
        "event_date": datetime(2018, 4, 11, 10, 30, tzinfo=UTC),
    }
    # Other members are lexoffice's business.
    assert parse_webhook_event(json.dumps({**GOOD, "extra": [1, {"a": None}]}).encode())


@pytest.mark.parametrize(
    "stamp, expected",
    [
        ("2025-06-02T00:00:00.000+02:00", datetime(2025, 6, 1, 22, 0, tzinfo=UTC)),
        ("2025-06-02T00:00:00.123Z", datetime(2025, 6, 2, 0, 0, 0, 123000, tzinfo=UTC)),
        ("2025-06-02T00:00:00.000-05:30", datetime(2025, 6, 2, 5, 30, tzinfo=UTC)),
    ],
)
def test_event_dates_in_lexoffice_format(stamp, expected):
    assert parse_event_date(stamp) == expected


@pytest.mark.parametrize(
    "stamp",
    [
        "2025-06-02T00:00:00+02:00",
        "2025-06-02T00:00:00.000000Z",
        "2025-06-02T00:00:00.000",
        "2025-06-02 00:00:00.000Z",
        "2025-13-02T00:00:00.000Z",
        "2025-06-02T00:00:00.000+24:00",
        "0001-01-01T00:00:00.000+01:00",
        "9999-12-31T23:59:59.999-23:59",
        "٢٠٢٥-06-02T00:00:00.000Z",
        "2025-06-02T00:00:00.000Z\n",
        1717286400,
        None,
    ],
)
def test_other_event_dates_are_refused(stamp):
    with pytest.raises(WebhookEventError):
        parse_event_date(stamp)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"\xff\xfe\x00",
        b"[" * 5000 + b"]" * 5000,
        b'{"a": ' + b"9" * 5000 + b"}",
        b"[]",
        b'"invoice.status.changed"',
        b"null",
        json.dumps({**GOOD, "resourceId": "a\x00b"}).encode(),
        json.dumps({**GOOD, "eventType": "invoice.\x1bchanged"}).encode(),
        json.dumps({**GOOD, "organizationId": "\u0085" + GOOD["organizationId"]}).encode(),
        json.dumps({**GOOD, "resourceId": "a" * 101}).encode(),
        json.dumps({**GOOD, "resourceId": 7}).encode(),
        json.dumps({**GOOD, "resourceId": ["x"]}).encode(),
        json.dumps({**GOOD, "resourceId": ""}).encode(),
        json.dumps({**GOOD, "resourceId": "a b"}).encode(),
        json.dumps({**GOOD, "note": "a\x00b"}).encode(),
        json.dumps({**GOOD, "no\x00te": 1}).encode(),
        json.dumps(GOOD).encode().replace(b'"invoice.', b'"\\ud800.'),
        json.dumps({key: value for key, value in GOOD.items() if key != "eventDate"}).encode(),
    ],
)
def test_anything_else_is_refused(body):
    with pytest.raises(WebhookEventError):
        parse_webhook_event(body)


def test_tokens():
    assert read_token("invoice.status.changed") == "invoice.status.changed"
    assert read_token("a" * 100)
    for value in ("a" * 101, "", "ä", "a\x00", " a", 1, None, True, b"abc"):
        assert read_token(value) is None
