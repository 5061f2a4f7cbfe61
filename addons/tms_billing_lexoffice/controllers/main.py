import json
import logging

from odoo import http
from odoo.http import request

from ..api import verify_webhook_signature

_logger = logging.getLogger(__name__)

STATUS_EVENTS = {
    "invoice.status.changed",
    "invoice.changed",
    "invoice.deleted",
    "payment.changed",
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
        """lexoffice tells that an invoice changed: read its status back now."""
        backend = request.env["tms.billing.backend"].sudo().browse(backend_id).exists()
        key = backend.lexoffice_webhook_public_key if backend.provider == "lexoffice" else None
        if not key:
            return request.make_response("unknown connection", status=404)
        body = request.httprequest.get_data()
        signature = request.httprequest.headers.get("X-Lxo-Signature", "")
        if not verify_webhook_signature(body, signature, key):
            _logger.warning("lexoffice event for %s with a bad signature refused", backend.name)
            return request.make_response("bad signature", status=401)
        event = json.loads(body)
        if event.get("eventType") in STATUS_EVENTS and event.get("resourceId"):
            exports = (
                request.env["tms.billing.export"]
                .sudo()
                .search(
                    [("backend_id", "=", backend.id), ("external_id", "=", event["resourceId"])]
                )
            )
            exports._tms_refresh_status()
        return request.make_response("ok")
