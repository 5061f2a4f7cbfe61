import random
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo import fields
from odoo.tests import common as odoo_test_common
from odoo.tools import SQL

from odoo.addons.tms_billing.tests.common import AccessMatrixMixin, TmsBillingCase, TmsGermanCase


def _loopback_send(cls, session, request, **kwargs):
    """Odoo's test guard on requests, minus its 10 s minimum timeout, which the fault
    tests of the providers undercut on purpose."""
    if urlsplit(request.url).hostname not in ("127.0.0.1", "localhost"):
        raise odoo_test_common.BlockedRequest(f"External requests verboten ({request.url})")
    return odoo_test_common._super_send(session, request, **kwargs)


class TmsSyncCase(TmsBillingCase):
    """Transport billing with accounting systems: helpers to link customers and push."""

    @classmethod
    def _allow_loopback_requests(cls):
        cls.startClassPatcher(patch.object(cls, "_request_handler", classmethod(_loopback_send)))

    def _link(self, customer, backend=None):
        """Create ``customer`` in the provider's system and link it."""
        backend = backend or self.backend
        contact = backend._tms_create_contact(customer)
        return self.env["tms.billing.partner.link"]._tms_link(customer, backend, contact)

    def _contact_wizard(self, partner, **values):
        """The contact wizard opened from ``partner``, on this connection."""
        return (
            self.env["tms.billing.contact.wizard"]
            .with_context(default_partner_id=partner.id)
            .create({"backend_id": self.backend.id, **values})
        )

    def _push_one_invoice(self, customer=None, amount=200.0):
        """A confirmed invoice of ``customer``, linked there, sent as a draft by the cron."""
        customer = customer or self.customer_collective
        self._link(customer)
        move = self._draft_invoices(customer, 1, amount=amount)
        move.action_post()
        self.env["tms.billing.export"]._cron_tms_send_exports()
        export = move.tms_export_ids
        self.assertEqual(export.state, "sent", export.last_error)
        return move, export

    def _poll_status(self, export):
        """The hourly status read, with ``export`` due."""
        export.status_checked_at = fields.Datetime.now() - timedelta(hours=2)
        self.env["tms.billing.export"]._cron_tms_poll_export_status()

    def _assert_pushes_survive_faults(self, fake, create_path, faults, count=200, seed=2026):
        """``count`` invoices pushed through the ledger while about a third of the create
        calls fail in one of ``faults``: each must end sent, once, with its own id."""
        moves = self._draft_invoices(self.customer_collective, count)
        exports = self.env["tms.billing.export"]._tms_queue(moves)
        rng = random.Random(seed)
        fake.inject(
            "POST",
            create_path,
            [rng.choice(faults) if rng.random() < 0.35 else "none" for _ in range(count)],
        )
        self._send_until_done(exports)
        self.assertEqual(set(exports.mapped("state")), {"sent"})
        self.assertGreater(max(exports.mapped("attempts")), 1, "faults were injected")
        self.assertEqual(len(fake.invoices), count)
        for export in exports:
            [invoice] = fake.invoices_with_marker(export.marker)
            self.assertEqual(export.external_id, invoice["id"])

    def _pass_time(self, seconds):
        """Let ``seconds`` pass for the ledger and the provider: the fake's clock moves on
        (its search lag with it), and every time the ledger and the links recorded moves
        back by as much."""
        fake = getattr(self, "fake", None)
        if fake is not None:
            fake.advance(seconds)
        self.env.flush_all()
        shift = SQL("make_interval(secs => %s)", seconds)
        for table, columns in (
            (
                "tms_billing_export",
                ("lookup_since", "lookup_miss_at", "next_attempt_at", "last_attempt_at"),
            ),
            ("tms_billing_partner_link", ("attempt_at", "lookup_miss_at", "create_date")),
        ):
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s",
                    SQL.identifier(table),
                    SQL(", ").join(
                        SQL("%s = %s - %s", SQL.identifier(name), SQL.identifier(name), shift)
                        for name in columns
                    ),
                )
            )
        self.env.invalidate_all()

    def _send_until_done(self, exports, rounds=12, step=10 * 60):
        """Drain the ledger as the jobs would, ``step`` seconds passing between runs."""
        for _round in range(rounds):
            self.env["tms.billing.export"]._cron_tms_send_exports()
            if all(export.state == "sent" for export in exports):
                return
            self._pass_time(step)


class TmsSyncGermanCase(TmsSyncCase, TmsGermanCase):
    """The German haulier of ``TmsGermanCase``, pushing to an accounting system."""

    def _push_situations(self, moves):
        """Link the customers, push the invoices; each invoice's drafts in the fake."""
        for customer in moves.commercial_partner_id:
            self._link(customer)
        moves.action_tms_send_exports()
        return {move: self.fake.invoices_with_marker(move.tms_export_ids.marker) for move in moves}

    def _push_swiss_taxed_at_home(self):
        """The Swiss customer without the fiscal position for abroad, which Odoo then
        taxes at 19 %: its export, and the calls its push made."""
        swiss = self.situation_customers["third_country"]
        swiss.property_account_position_id = False
        move = self._invoice_situations([swiss])[swiss]
        self._link(swiss)
        calls = len(self.fake.requests)
        move.action_tms_send_exports()
        return move.tms_export_ids, self.fake.requests[calls:]


class SyncAccessMatrixMixin(AccessMatrixMixin):
    """The access matrix over the accounting-system framework too: its tables must stay
    as they were after a refusal, and the ledger's commits are watched."""

    MATRIX_TABLES = (
        *AccessMatrixMixin.MATRIX_TABLES,
        "tms_billing_backend",
        "tms_billing_tax_mapping",
        "tms_billing_partner_link",
        "tms_billing_export",
    )

    def _matrix_commit_watch(self, commit):
        return patch.object(type(self.env["tms.billing.export"]), "_tms_commit", commit)

    # -- the connection's secrets, the same for every provider -------------------------

    def _read_secrets(self, role):
        self._as(role, self.backend).read(["api_url", "api_key", *self.matrix_secret_fields])

    def _change_api_url(self, role):
        self._as(role, self.backend).write({"api_url": "https://attacker.example"})
        self.assertEqual(self.backend.sudo().api_url, "https://attacker.example")

    def _change_api_key(self, role):
        self._as(role, self.backend).write({"api_key": "stolen"})
        self.assertEqual(self.backend.sudo().api_key, "stolen")
