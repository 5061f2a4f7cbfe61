"""lexoffice's event callbacks, read without Odoo.

A callback is "a POST request to your given webhook url" with the JSON payload
``{organizationId, eventType, resourceId, eventDate}`` (#event-subscriptions-endpoint,
webhook callback properties), signed in ``X-Lxo-Signature``
(``client.verify_webhook_signature``). Everything here refuses what lexoffice does not
send, so that the receiver answers a 4xx to anything else: ids are short ASCII tokens
(UUIDs and dotted event names), ``eventDate`` is "yyyy-MM-ddTHH:mm:ss.SSSXXX".
"""

import json
import re
from datetime import UTC, datetime

# The documented values are UUIDs (36 characters) and event types such as
# "credit-note.status.changed": 100 leaves room without storing an attacker's essay.
MAX_FIELD_LENGTH = 100
# Printable ASCII without spaces: no NUL, no control character, nothing the database or a
# log line could take for something else.
_TOKEN = re.compile(r"[!-~]+", re.ASCII)
# "yyyy-MM-ddTHH:mm:ss.SSSXXX", e.g. 2018-04-11T12:30:00.000+02:00 or ...000Z.
_EVENT_DATE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}(Z|[+-][0-9]{2}:[0-9]{2})"
)
EVENT_FIELDS = ("organizationId", "eventType", "resourceId")


class WebhookEventError(ValueError):
    """The body is no event of lexoffice's: the receiver answers 400 with this text."""


def read_token(value):
    """``value`` when it is an id as lexoffice writes them, else None."""
    if (
        isinstance(value, str)
        and len(value) <= MAX_FIELD_LENGTH
        and _TOKEN.fullmatch(value) is not None
    ):
        return value
    return None


def parse_event_date(value):
    """``eventDate`` as an aware UTC datetime; WebhookEventError when it is not one in
    lexoffice's format."""
    if not isinstance(value, str) or not _EVENT_DATE.fullmatch(value):
        raise WebhookEventError("eventDate is not yyyy-MM-ddTHH:mm:ss.SSSXXX")
    try:
        # Year 1 or 9999 with an offset leaves the calendar: OverflowError.
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError):
        raise WebhookEventError("eventDate is no valid date") from None


def parse_webhook_event(body):
    """The event of a (verified) callback body, as ``{"organization_id", "event_type",
    "resource_id", "event_date"}`` (the last an aware UTC datetime).

    Raises WebhookEventError for anything but a JSON object whose four documented
    fields are there, of their type and format; other members are ignored, unless they
    hide control characters.
    """
    try:
        event = json.loads(body)
    except (ValueError, RecursionError):
        # UnicodeDecodeError is a ValueError; a deeply nested array a RecursionError.
        raise WebhookEventError("malformed JSON") from None
    if not isinstance(event, dict):
        raise WebhookEventError("an event is a JSON object")
    for key, value in event.items():
        if _has_control_characters(key) or (
            isinstance(value, str) and _has_control_characters(value)
        ):
            raise WebhookEventError("control characters in the event")
    values = {}
    for field in EVENT_FIELDS:
        values[field] = read_token(event.get(field))
        if values[field] is None:
            raise WebhookEventError(
                f"{field} must be a string of at most {MAX_FIELD_LENGTH} printable ASCII characters"
            )
    return {
        "organization_id": values["organizationId"],
        "event_type": values["eventType"],
        "resource_id": values["resourceId"],
        "event_date": parse_event_date(event.get("eventDate")),
    }


def _has_control_characters(text):
    # C0 and C1 controls, DEL, and lone surrogates (which no database encoding takes).
    return any(
        ord(char) < 32 or 127 <= ord(char) < 160 or 0xD800 <= ord(char) <= 0xDFFF for char in text
    )
