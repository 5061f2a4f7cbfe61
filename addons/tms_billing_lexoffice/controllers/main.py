import json
import logging

from odoo import http
from odoo.http import request

from ..api import WebhookKeyError, verify_webhook_signature

_logger = logging.getLogger(__name__)
# An event is a few hundred bytes; anything far larger is not lexoffice's.
MAX_BODY = 64 * 1024

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


class LexofficeWebhook(http.Controller):
    @http.route(
        "/tms_billing_lexoffice/<int:backend_id>/events",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def lexoffice_event(self, backend_id):
        """lexoffice tells that an invoice changed: read its status back now.

        The caller is anonymous: only a body signed with the connection's lexoffice
        public key is acted on, and every malformed request gets a 4xx, never a 500.
        """
        # Archived connections accept no events, as they push and poll nothing.
        backend = (
            request.env["tms.billing.backend"]
            .sudo()
            .search([("id", "=", backend_id), ("provider", "=", "lexoffice")])
        )
        key = backend.lexoffice_webhook_public_key
        if not key:
            return request.make_response("unknown connection", status=404)
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
            event = json.loads(body)
        except ValueError:
            return request.make_response("malformed JSON", status=400)
        # Callbacks carry {organizationId, eventType, resourceId, eventDate} (#event-
        # subscriptions-endpoint).
        if not isinstance(event, dict):
            return request.make_response("an event is a JSON object", status=400)
        event_type, resource_id = event.get("eventType"), event.get("resourceId")
        if not isinstance(event_type, str) or not isinstance(resource_id, str) or not resource_id:
            return request.make_response("eventType and resourceId are required", status=400)
        if event_type not in STATUS_EVENTS:
            return request.make_response("event ignored")
        exports = (
            request.env["tms.billing.export"]
            .sudo()
            .search([("backend_id", "=", backend.id), ("external_id", "=", resource_id)])
        )
        exports._tms_refresh_status()
        return request.make_response("ok")
