from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import LexofficeCase


@tagged("post_install", "-at_install")
class TestLexofficeEvents(HttpCase, LexofficeCase):
    """lexoffice's signed event callbacks move the status at once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lexoffice_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.backend.lexoffice_webhook_public_key = (
            cls.lexoffice_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def _post_event(self, body, signature, backend=None):
        return self.url_open(
            f"/tms_billing_lexoffice/{(backend or self.backend).id}/events",
            data=body,
            headers={"Content-Type": "application/json", "X-Lxo-Signature": signature},
        )

    def test_subscribe_then_a_signed_event_updates_the_status(self):
        self.backend.action_lexoffice_subscribe_events()
        self.backend.action_lexoffice_subscribe_events()  # once is enough
        [subscription] = self.fake.subscriptions
        self.assertEqual(subscription["eventType"], "invoice.status.changed")
        self.assertTrue(
            subscription["callbackUrl"].endswith(f"/tms_billing_lexoffice/{self.backend.id}/events")
        )
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        move.action_tms_send_exports()
        export = move.tms_export_ids
        self.fake.set_invoice_status(export.external_id, "paid")
        body, signature = self.fake.signed_event(
            "invoice.status.changed", export.external_id, self.lexoffice_key
        )
        response = self._post_event(body, signature)
        self.assertEqual(response.status_code, 200)
        export.invalidate_recordset()
        self.assertEqual(export.external_status, "paid")
        self.assertTrue(export.external_number)

    def test_a_forged_event_is_refused(self):
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        move.action_tms_send_exports()
        export = move.tms_export_ids
        self.fake.set_invoice_status(export.external_id, "paid")
        forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        body, signature = self.fake.signed_event(
            "invoice.status.changed", export.external_id, forger
        )
        with mute_logger("odoo.addons.tms_billing_lexoffice.controllers.main"):
            self.assertEqual(self._post_event(body, signature).status_code, 401)
        other = self.env["tms.billing.backend"].create({"name": "No provider"})
        self.assertEqual(self._post_event(body, signature, other).status_code, 404)
        export.invalidate_recordset()
        self.assertEqual(export.external_status, "draft")
