from datetime import UTC, date, datetime

from odoo.tests import tagged

from .. import api as lexoffice
from ..api import RateLimiter
from .common import API_KEY, LexofficeCase


@tagged("post_install", "-at_install")
class TestLexofficeGerman(LexofficeCase):
    """The client's messages reach a German company in German: the ledger records them
    in the company's language, whoever sends."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_german()
        cls.company.partner_id.lang = "de_DE"

    def test_a_mapper_refusal_is_recorded_in_german(self):
        self._link(self.customer_collective)
        move = self._draft_invoices(
            self.customer_collective,
            1,
            tms_period_start=date(2026, 10, 31),
            tms_period_end=date(2026, 10, 1),
        )
        move.with_context(lang="en_US").action_tms_send_exports()
        export = move.tms_export_ids
        self.assertEqual(export.state, "failed")
        self.assertIn(
            "Der Abrechnungszeitraum der Rechnung endet, bevor er beginnt: Korrigieren Sie "
            "„Beginn des Abrechnungszeitraums“ und „Ende des Abrechnungszeitraums“ im Reiter "
            "„Transport“ der Rechnung.",
            export.last_error,
        )
        self.assertNotIn("billing period", export.last_error)
        self.assertFalse(self.fake.invoices)

    def test_messages_of_the_http_layer_and_nested_ones_are_german(self):
        german = self.backend.with_context(lang="de_DE")
        # Nothing listens on port 9 (discard) of this machine.
        offline = lexoffice.LexofficeClient(
            API_KEY, base_url="http://127.0.0.1:9", max_retries=0, limiter=RateLimiter(0)
        )
        with self.assertRaises(lexoffice.ServerError) as caught:
            offline.get_profile()
        self.assertEqual(
            german._lexoffice_text(caught.exception),
            "lexoffice war nicht erreichbar (ConnectionError)",
        )
        # A look-up refused by lexoffice: its answer inside the client's own words.
        self.fake.voucherlist_date_format = "neither"
        with self.assertRaises(lexoffice.LookupFailedError) as caught:
            self.backend._lexoffice_client().find_invoice_by_marker(
                "TMS-x", created_since=datetime.now(UTC)
            )
        text = german._lexoffice_text(caught.exception)
        self.assertTrue(
            text.startswith(
                "Die Suche nach der Rechnung in der Belegliste von lexoffice ist "
                "fehlgeschlagen: Antwort von lexoffice: "
            ),
            text,
        )
        # In English, what the client wrote.
        english = self.backend.with_context(lang="en_US")
        self.assertEqual(english._lexoffice_text(caught.exception), str(caught.exception))
