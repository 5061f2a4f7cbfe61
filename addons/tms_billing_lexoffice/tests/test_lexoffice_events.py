import base64
import contextlib
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..api import format_timestamp
from ..models.tms_billing_lexoffice_event import EVENT_WINDOW
from .common import LexofficeCase

CONTROLLER = "odoo.addons.tms_billing_lexoffice.controllers.main"


class _HandlingFailed(Exception):
    pass


def _stamp(delta=timedelta(0)):
    """``eventDate`` as lexoffice writes it (its example has +02:00), ``delta`` from now."""
    return format_timestamp((datetime.now(UTC) + delta).astimezone(ZoneInfo("Europe/Berlin")))


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
        # What Test connection reads from lexoffice's profile.
        cls.backend.lexoffice_organization_id = cls.fake.organization_id

    def _post_event(self, body, signature, backend=None, ref=None):
        # A POST even with an empty body (url_open would GET).
        ref = ref if ref is not None else (backend or self.backend).id
        return self.opener.post(
            f"{self.base_url()}/tms_billing_lexoffice/{ref}/events",
            data=body,
            headers={"Content-Type": "application/json", "X-Lxo-Signature": signature},
            timeout=12,
        )

    def _sent_export(self):
        """An invoice sent as a draft, since paid in lexoffice (unknown here yet)."""
        self._link(self.customer_collective)
        move = self._draft_invoices(self.customer_collective, 1)
        move.action_tms_send_exports()
        export = move.tms_export_ids
        self.fake.set_invoice_status(export.external_id, "paid")
        return export

    def _provider_calls(self):
        return len(self.fake.requests)

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
        with mute_logger(CONTROLLER):
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

        event = {
            "organizationId": self.fake.organization_id,
            "eventType": "invoice.status.changed",
            "eventDate": _stamp(),
        }
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
        with mute_logger(CONTROLLER):
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

    # -- replays, the replay window, the organisation ----------------------------------

    def test_a_replayed_event_is_acknowledged_without_calling_lexoffice(self):
        export = self._sent_export()
        event = self.fake.signed_event(
            "invoice.status.changed", export.external_id, self.lexoffice_key
        )
        before = self._provider_calls()
        response = self._post_event(*event)
        self.assertEqual((response.status_code, response.text), (200, "ok"))
        first = self._provider_calls()
        self.assertGreater(first, before, "the first delivery reads the invoice")
        export.invalidate_recordset()
        self.assertEqual(export.external_status, "paid")
        # Captured and sent again, any number of times: acknowledged, never acted on.
        self.fake.set_invoice_status(export.external_id, "voided")
        for _attempt in range(3):
            response = self._post_event(*event)
            self.assertEqual((response.status_code, response.text), (200, "already processed"))
        self.assertEqual(self._provider_calls(), first, "a replay spends no rate limit")
        export.invalidate_recordset()
        self.assertEqual(export.external_status, "paid")
        [seen] = self.env["tms.billing.lexoffice.event"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(
            (seen.event_type, seen.resource_id), ("invoice.status.changed", export.external_id)
        )
        # A new event of the same invoice (another eventDate) is acted on.
        later = self.fake.signed_event(
            "invoice.status.changed",
            export.external_id,
            self.lexoffice_key,
            eventDate=_stamp(timedelta(seconds=5)),
        )
        self.assertEqual(self._post_event(*later).status_code, 200)
        self.assertGreater(self._provider_calls(), first)
        export.invalidate_recordset()
        self.assertEqual(export.external_status, "voided")
        # The same event for another connection is that connection's own.
        self.assertEqual(
            self.env["tms.billing.lexoffice.event"].search_count(
                [("backend_id", "=", self.backend.id)]
            ),
            2,
        )

    def test_an_event_is_remembered_only_when_it_was_handled(self):
        """An event whose handling failed (the transaction rolled back) is acted on when
        lexoffice sends it again."""
        export = self._sent_export()
        body, signature = self.fake.signed_event(
            "invoice.status.changed", export.external_id, self.lexoffice_key
        )
        events = self.env["tms.billing.lexoffice.event"].sudo()
        event = {
            "event_type": "invoice.status.changed",
            "resource_id": export.external_id,
            "event_date": datetime.now(UTC),
        }
        with contextlib.suppress(_HandlingFailed), self.env.cr.savepoint():
            self.assertTrue(events._tms_record(self.backend, body, event))
            self.assertFalse(events._tms_record(self.backend, body, event))
            raise _HandlingFailed
        self.assertEqual(self._post_event(body, signature).text, "ok")
        self.assertEqual(self._post_event(body, signature).text, "already processed")

    def test_events_outside_the_window_are_refused_without_calling_lexoffice(self):
        export = self._sent_export()
        margin = timedelta(minutes=1)
        before = self._provider_calls()
        with mute_logger(CONTROLLER):
            for name, delta in (
                ("stale", -(EVENT_WINDOW + margin)),
                ("a day old", -timedelta(days=1)),
                ("from the future", EVENT_WINDOW + margin),
                ("from the far past", datetime(2001, 1, 1, tzinfo=UTC) - datetime.now(UTC)),
            ):
                with self.subTest(case=name):
                    event = self.fake.signed_event(
                        "invoice.status.changed",
                        export.external_id,
                        self.lexoffice_key,
                        eventDate=_stamp(delta),
                    )
                    response = self._post_event(*event)
                    self.assertEqual(response.status_code, 400)
                    self.assertIn("window", response.text)
        self.assertEqual(self._provider_calls(), before)
        self.assertFalse(self.env["tms.billing.lexoffice.event"].search([]))
        export.invalidate_recordset()
        self.assertEqual(export.external_status, "draft")
        # Inside the window either way (two clocks drift): acted on.
        for delta in (-(EVENT_WINDOW - margin), EVENT_WINDOW - margin):
            event = self.fake.signed_event(
                "invoice.status.changed",
                export.external_id,
                self.lexoffice_key,
                eventDate=_stamp(delta),
            )
            self.assertEqual(self._post_event(*event).text, "ok")
        export.invalidate_recordset()
        self.assertEqual(export.external_status, "paid")

    def test_seen_events_are_forgotten_once_the_window_refuses_them(self):
        events = self.env["tms.billing.lexoffice.event"].sudo()
        now = datetime.now(UTC)
        for name, age in (("stale", EVENT_WINDOW + timedelta(minutes=1)), ("fresh", timedelta(0))):
            events._tms_record(
                self.backend,
                name.encode(),
                {"event_type": "invoice.changed", "resource_id": name, "event_date": now - age},
            )
        # Odoo's daily auto-vacuum runs it.
        self.assertTrue(type(events)._gc_tms_expired_events._autovacuum)
        events._gc_tms_expired_events()
        self.assertEqual(events.search([]).mapped("resource_id"), ["fresh"])

    def test_events_of_another_organization_are_refused(self):
        export = self._sent_export()
        before = self._provider_calls()
        event = self.fake.signed_event(
            "invoice.status.changed",
            export.external_id,
            self.lexoffice_key,
            organizationId="aa93e8a8-2aa3-470b-b914-caad8a255dd8",
        )
        with mute_logger(CONTROLLER):
            self.assertEqual(self._post_event(*event).status_code, 403)
        self.assertEqual(self._provider_calls(), before)
        export.invalidate_recordset()
        self.assertEqual(export.external_status, "draft")

    def test_events_wait_for_the_organization_of_the_connection(self):
        """Until Test connection has read the key's organisation, events are refused with
        a 409 that says so; then they are acted on."""
        self.backend.lexoffice_organization_id = False
        export = self._sent_export()
        event = self.fake.signed_event(
            "invoice.status.changed", export.external_id, self.lexoffice_key
        )
        before = self._provider_calls()
        with mute_logger(CONTROLLER):
            response = self._post_event(*event)
        self.assertEqual(response.status_code, 409)
        self.assertIn("Test connection", response.text)
        self.assertEqual(self._provider_calls(), before)
        # The connection form says it too.
        self.assertIn(
            "Events are refused until",
            str(self.env["tms.billing.backend"].get_view(view_type="form")["arch"]),
        )
        self.backend.action_test_connection()
        self.assertEqual(self.backend.lexoffice_organization_id, self.fake.organization_id)
        self.assertEqual(self._post_event(*event).text, "ok")
        export.invalidate_recordset()
        self.assertEqual(export.external_status, "paid")

    def test_the_organization_is_learnt_from_the_profile_and_forgotten_with_the_key(self):
        manager = new_test_user(
            self.env, "tms_events_manager", groups="tms_billing.group_tms_billing_manager"
        )
        self.backend.lexoffice_organization_id = False
        # A transport manager may test the connection; the organisation stays hidden.
        self.backend.with_user(manager).action_test_connection()
        self.assertEqual(self.backend.lexoffice_organization_id, self.fake.organization_id)
        with self.assertRaises(AccessError):
            self.backend.with_user(manager).read(["lexoffice_organization_id"])
        # Another key (or API URL) may be another organisation's.
        self.backend.api_key = "lxo-another-key"
        self.assertFalse(self.backend.lexoffice_organization_id)
        self.backend.api_key = self.fake.api_key
        # Subscribing reads the profile too.
        self.backend.action_lexoffice_subscribe_events()
        self.assertEqual(self.backend.lexoffice_organization_id, self.fake.organization_id)
        self.backend.api_url = self.fake.base_url
        self.assertFalse(self.backend.lexoffice_organization_id)
        # A profile without an organisation: the test warns, the subscription refuses.
        self.fake.organization_id = None
        action = self.backend.action_test_connection()
        self.assertIn("names no organisation", action["params"]["message"])
        self.assertFalse(self.backend.lexoffice_organization_id)
        self.fake.subscriptions.clear()
        with self.assertRaisesRegex(UserError, "names no organisation"):
            self.backend.action_lexoffice_subscribe_events()
        self.assertFalse(self.fake.subscriptions)

    def test_seen_events_are_for_administrators_to_read_only(self):
        events = self.env["tms.billing.lexoffice.event"]
        events.sudo()._tms_record(
            self.backend,
            b"{}",
            {"event_type": "invoice.changed", "resource_id": "r", "event_date": datetime.now(UTC)},
        )
        admin = new_test_user(self.env, "tms_events_admin", groups="base.group_system")
        manager = new_test_user(
            self.env, "tms_events_manager", groups="tms_billing.group_tms_billing_manager"
        )
        [seen] = events.with_user(admin).search([])
        self.assertEqual(seen.resource_id, "r")
        for user in (admin, manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    events.with_user(user).create(
                        {
                            "backend_id": self.backend.id,
                            "body_hash": "x",
                            "event_date": "2026-01-01",
                            "received_at": "2026-01-01",
                        }
                    )
                with self.assertRaises(AccessError):
                    seen.with_user(user).write({"resource_id": "forged"})
                with self.assertRaises(AccessError):
                    seen.with_user(user).unlink()
        with self.assertRaises(AccessError):
            events.with_user(manager).search([])

    # -- hostile input: a 4xx, never a 500, never a call to lexoffice ------------------

    def test_connection_ids_out_of_range_are_unknown(self):
        valid = self.fake.signed_event("invoice.status.changed", "x", self.lexoffice_key)
        for ref in (
            "0",
            "-1",
            "2147483648",  # 2**31: beyond PostgreSQL's integer
            "2147483647",  # the largest integer, no connection
            "9" * 30,
            "9" * 5000,  # more digits than Python's int() takes from text
            f"0{self.backend.id}",
            f"+{self.backend.id}",
            f"{self.backend.id}.0",
            "1e3",
            "%00",
            "%C2%B3",  # superscript three, a "digit" to str.isdigit()
            "%D9%A3",  # Arabic-Indic three
            "abc",
        ):
            with self.subTest(ref=ref):
                self.assertEqual(self._post_event(*valid, ref=ref).status_code, 404)

    def test_hostile_event_fields_get_a_4xx(self):
        export = self._sent_export()
        good = {
            "organizationId": self.fake.organization_id,
            "eventType": "invoice.status.changed",
            "resourceId": export.external_id,
            "eventDate": _stamp(),
        }

        def signed(payload):
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            return body, self._sign(body)

        controls = ["\x00", "\x01", "\n", "\r", "\t", "\x1b", "\x7f", "\x85", "\u2028"]
        cases = []
        for field in ("organizationId", "eventType", "resourceId", "eventDate"):
            for char in controls:
                cases.append((f"{field} with {char!r}", {**good, field: good[field] + char}))
                cases.append((f"{field} starting {char!r}", {**good, field: char + good[field]}))
            cases += [
                (f"{field} null", {**good, field: None}),
                (f"{field} missing", {key: value for key, value in good.items() if key != field}),
                (f"{field} number", {**good, field: 12}),
                (f"{field} boolean", {**good, field: True}),
                (f"{field} list", {**good, field: [good[field]]}),
                (f"{field} object", {**good, field: {"id": good[field]}}),
                (f"{field} empty", {**good, field: ""}),
                (f"{field} of 101 characters", {**good, field: "a" * 101}),
                (f"{field} of 60000 characters", {**good, field: "a" * 60000}),
                (f"{field} with a space", {**good, field: f"a {good[field]}"}),
                (f"{field} non-ASCII", {**good, field: good[field] + "ä"}),
                (f"{field} emoji", {**good, field: good[field] + "\U0001f600"}),
            ]
        now = datetime.now(UTC)
        for name, date in (
            ("without milliseconds", now.strftime("%Y-%m-%dT%H:%M:%SZ")),
            ("with microseconds", now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
            ("without zone", now.strftime("%Y-%m-%dT%H:%M:%S.000")),
            ("with a space", now.strftime("%Y-%m-%d %H:%M:%S.000Z")),
            ("as epoch text", str(int(now.timestamp()))),
            ("month 13", "2026-13-01T00:00:00.000Z"),
            ("day 32", "2026-01-32T00:00:00.000Z"),
            ("hour 24", "2026-01-01T24:00:00.000Z"),
            ("offset +24:00", "2026-01-01T00:00:00.000+24:00"),
            ("year 0", "0000-01-01T00:00:00.000Z"),
            ("year 1 ahead of UTC", "0001-01-01T00:00:00.000+01:00"),
            ("year 9999 behind UTC", "9999-12-31T23:59:59.999-23:59"),
            ("Arabic-Indic digits", "٢٠٢٦-01-01T00:00:00.000Z"),
            ("lowercase z", now.strftime("%Y-%m-%dT%H:%M:%S.000z")),
        ):
            cases.append((f"eventDate {name}", {**good, "eventDate": date}))
        cases += [
            ("NUL in another member", {**good, "note": "a\x00b"}),
            ("NUL in a member's name", {**good, "no\x00te": 1}),
            ("lone surrogate", json.dumps(good).encode().replace(b'"invoice.', b'"\\ud800.')),
            ("nested a thousand deep", b"[" * 5000 + b"]" * 5000),
            ("a number of 5000 digits", b'{"eventType": ' + b"9" * 5000 + b"}"),
        ]
        before = self._provider_calls()
        with mute_logger(CONTROLLER, "odoo.http"):
            for name, payload in cases:
                with self.subTest(case=name):
                    response = self._post_event(*signed(payload))
                    self.assertGreaterEqual(response.status_code, 400, response.text)
                    self.assertLess(response.status_code, 500, response.text)
        self.assertEqual(self._provider_calls(), before, "no hostile event reached lexoffice")
        self.assertFalse(self.env["tms.billing.lexoffice.event"].search([]))
        export.invalidate_recordset()
        self.assertEqual(export.external_status, "draft")
        # The well-formed event still works.
        self.assertEqual(self._post_event(*signed(good)).text, "ok")
