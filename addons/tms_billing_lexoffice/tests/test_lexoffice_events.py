import base64
import json

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from odoo.exceptions import ValidationError
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
        # A POST even with an empty body (url_open would GET).
        return self.opener.post(
            f"{self.base_url()}/tms_billing_lexoffice/{(backend or self.backend).id}/events",
            data=body,
            headers={"Content-Type": "application/json", "X-Lxo-Signature": signature},
            timeout=12,
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

    def _sign(self, body, key=None):
        signature = (key or self.lexoffice_key).sign(body, padding.PKCS1v15(), hashes.SHA512())
        return base64.b64encode(signature).decode()

    def test_malformed_and_hostile_callbacks_get_a_4xx_and_change_nothing(self):
        """Each callback an attacker or a broken sender could make: never a 500, never a
        status change. Signed bodies are signed with lexoffice's key."""
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        move.action_tms_send_exports()
        export = move.tms_export_ids
        self.fake.set_invoice_status(export.external_id, "paid")
        valid = self.fake.signed_event(
            "invoice.status.changed", export.external_id, self.lexoffice_key
        )
        forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

        def signed(payload):
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            return body, self._sign(body)

        event = {"organizationId": "o", "eventType": "invoice.status.changed"}
        cases = [
            # (name, body, signature, expected status)
            ("no signature", valid[0], "", 401),
            ("signature of another body", b"{}", valid[1], 401),
            ("signature by another key", valid[0], self._sign(valid[0], forger), 401),
            ("signature not base64", valid[0], "***", 401),
            ("signature empty base64", valid[0], "AAAA", 401),
            ("signature long", valid[0], "A" * 4000, 401),
            ("signature padded wrongly", valid[0], f"==={valid[1]}", 401),
            ("body altered after signing", valid[0] + b" ", valid[1], 401),
            ("empty body unsigned", b"", "", 401),
            ("signed empty body", *signed(b""), 400),
            ("signed malformed JSON", *signed(b"{not json"), 400),
            ("signed truncated JSON", *signed(valid[0][:20]), 400),
            ("signed array", *signed([event]), 400),
            ("signed string", *signed("invoice.status.changed"), 400),
            ("signed number", *signed(42), 400),
            ("signed null", *signed(None), 400),
            ("signed without eventType", *signed({"resourceId": export.external_id}), 400),
            ("signed without resourceId", *signed(event), 400),
            ("signed resourceId null", *signed({**event, "resourceId": None}), 400),
            ("signed resourceId number", *signed({**event, "resourceId": 7}), 400),
            ("signed resourceId object", *signed({**event, "resourceId": {"id": 1}}), 400),
            ("signed resourceId empty", *signed({**event, "resourceId": ""}), 400),
            ("signed eventType number", *signed({**event, "eventType": 1, "resourceId": "x"}), 400),
            ("signed eventType list", *signed({**event, "eventType": [], "resourceId": "x"}), 400),
            ("signed non-UTF-8 bytes", *signed(b"\xff\xfe\x00"), 400),
            ("too large", b"{" + b" " * 70000 + b"}", "", 413),
        ]
        with mute_logger("odoo.addons.tms_billing_lexoffice.controllers.main"):
            for name, body, signature, expected in cases:
                with self.subTest(case=name):
                    self.assertEqual(self._post_event(body, signature).status_code, expected)
            # Unknown events and unknown invoices are acknowledged and ignored.
            for (
                name,
                payload,
            ) in (
                (
                    "unknown event type",
                    {**event, "eventType": "contact.changed", "resourceId": "x"},
                ),
                (
                    "unknown invoice",
                    {**event, "resourceId": "00000000-0000-0000-0000-000000000000"},
                ),
            ):
                with self.subTest(case=name):
                    self.assertEqual(self._post_event(*signed(payload)).status_code, 200)
            # Connections that are not lexoffice's, or archived, or unknown: 404.
            other = self.env["tms.billing.backend"].create({"name": "No provider"})
            self.assertEqual(self._post_event(*valid, backend=other).status_code, 404)
            response = self.url_open(
                "/tms_billing_lexoffice/999999/events",
                data=valid[0],
                headers={"X-Lxo-Signature": valid[1]},
            )
            self.assertEqual(response.status_code, 404)
            self.backend.active = False
            self.assertEqual(self._post_event(*valid).status_code, 404)
            self.backend.active = True
            # GET is not an event.
            response = self.url_open(f"/tms_billing_lexoffice/{self.backend.id}/events")
            self.assertIn(response.status_code, (404, 405))
            # A public key that was stored broken fails as 409 for every caller.
            self.env.cr.execute(
                "UPDATE tms_billing_backend SET lexoffice_webhook_public_key = %s WHERE id = %s",
                ("-----BEGIN PUBLIC KEY-----\nbroken\n-----END PUBLIC KEY-----", self.backend.id),
            )
            self.backend.invalidate_recordset()
            self.assertEqual(self._post_event(*valid).status_code, 409)
            self.assertEqual(self._post_event(valid[0], "").status_code, 409)
        export.invalidate_recordset()
        self.assertEqual(export.external_status, "draft", "no case moved the status")

    def test_a_broken_public_key_is_refused_on_save(self):
        with self.assertRaisesRegex(ValidationError, "not a PEM public key"):
            self.backend.lexoffice_webhook_public_key = "ssh-rsa AAAA..."
