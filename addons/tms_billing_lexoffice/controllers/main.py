import logging
from datetime import UTC, datetime

from odoo import http
from odoo.http import request

from ..api import (
    WebhookEventError,
    WebhookKeyError,
    parse_webhook_event,
    verify_webhook_signature,
)
from ..models.tms_billing_lexoffice_event import EVENT_WINDOW

_logger = logging.getLogger(__name__)
# An event is a few hundred bytes; anything far larger is not lexoffice's.
MAX_BODY = 64 * 1024
# Record ids are PostgreSQL integers: a larger number names no connection, and must not
# reach a query, which would fail.
MAX_RECORD_ID = 2**31 - 1

STATUS_EVENTS = {
    "invoice.status.changed",
    "invoice.changed",
    "invoice.deleted",
    "payment.changed",
    # "credit-note.status.changed", "credit-note.deleted" (#event-subscriptions-endpoint-
    # event-types), for connections subscribed to them.
    "credit-note.status.changed",
    "credit-note.deleted",
}


def _connection_id(text):
    """The connection id in the URL, or None when it cannot be one (not a canonical
    decimal number between 1 and MAX_RECORD_ID)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_RECORD_ID)):
        return None
    number = int(text)
    if str(number) != text or not 0 < number <= MAX_RECORD_ID:
        return None
    return number


class LexofficeWebhook(http.Controller):
    # A string, read by _connection_id: Werkzeug's int converter takes any number of
    # digits, and one too long for Python's int() would fail before this code runs.
    @http.route(
        "/tms_billing_lexoffice/<string:backend_ref>/events",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def lexoffice_event(self, backend_ref):
        """lexoffice tells that an invoice changed: read its status back now.

        The caller is anonymous: only a body signed with the connection's lexoffice
        public key, of the connection's organisation, and dated within ``EVENT_WINDOW``
        of now is acted on, once; every malformed request gets a 4xx, never a 500.
        """
        backend_id = _connection_id(backend_ref)
        if backend_id is None:
            return request.make_response("unknown connection", status=404)
        # Archived connections accept no events, as they push and poll nothing.
        backend = (
            request.env["tms.billing.backend"]
            .sudo()
            .search([("id", "=", backend_id), ("provider", "=", "lexoffice")])
        )
        key = backend.lexoffice_webhook_public_key
        if not key:
            return request.make_response("unknown connection", status=404)
        length = request.httprequest.content_length
        if length and length > MAX_BODY:
            return request.make_response("too large", status=413)
        body = request.httprequest.get_data()
        if len(body) > MAX_BODY:
            return request.make_response("too large", status=413)
        signature = request.httprequest.headers.get("X-Lxo-Signature", "")
        try:
            signed = verify_webhook_signature(body, signature, key)
        except WebhookKeyError:
            _logger.error("lexoffice public key of %s cannot be read", backend.name)
            return request.make_response("connection not ready for events", status=409)
        if not signed:
            _logger.warning("lexoffice event for %s with a bad signature refused", backend.name)
            return request.make_response("bad signature", status=401)
        try:
            event = parse_webhook_event(body)
        except WebhookEventError as error:
            _logger.warning("malformed lexoffice event for %s refused: %s", backend.name, error)
            return request.make_response(str(error), status=400)
        refusal = self._refusal(backend, event)
        if refusal:
            return refusal
        if event["event_type"] not in STATUS_EVENTS:
            return request.make_response("event ignored")
        if not request.env["tms.billing.lexoffice.event"].sudo()._tms_record(backend, body, event):
            # The same signed event again: a replay, or lexoffice repeating itself.
            _logger.info(
                "lexoffice event %s of %s for %s already processed",
                event["event_type"],
                event["resource_id"],
                backend.name,
            )
            return request.make_response("already processed")
        exports = (
            request.env["tms.billing.export"]
            .sudo()
            .search([("backend_id", "=", backend.id), ("external_id", "=", event["resource_id"])])
        )
        exports._tms_refresh_status()
        return request.make_response("ok")

    def _refusal(self, backend, event):
        """The answer to a signed event that is not for ``backend`` or not of now, or
        None when it may be acted on."""
        organization = backend.lexoffice_organization_id
        if not organization:
            _logger.warning(
                "lexoffice event for %s refused: the connection does not know its lexoffice "
                "organisation yet; click Test connection on it",
                backend.name,
            )
            return request.make_response(
                "organisation of this connection unknown: click Test connection on it in Odoo",
                status=409,
            )
        if event["organization_id"] != organization:
            _logger.warning(
                "lexoffice event of organisation %s refused by %s, which is %s",
                event["organization_id"],
                backend.name,
                organization,
            )
            return request.make_response("event of another organisation", status=403)
        drift = event["event_date"] - datetime.now(UTC)
        if abs(drift) > EVENT_WINDOW:
            _logger.warning(
                "lexoffice event for %s refused: dated %s, %s from now (at most %s)",
                backend.name,
                event["event_date"].isoformat(),
                drift,
                EVENT_WINDOW,
            )
            return request.make_response("eventDate outside the accepted window", status=400)
        return None
