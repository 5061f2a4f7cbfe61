import os
import re
import shutil
import subprocess
import tempfile
from datetime import date
from unittest import SkipTest

from lxml import etree

from odoo.tests import HttpCase, tagged
from odoo.tools import html2plaintext

from .common import TmsBillingCase


@tagged("post_install", "-at_install")
class TestInvoiceReport(TmsBillingCase):
    """The printed invoice states the billing period of a collective invoice, the
    delivery day of a single one, and the orders behind an aggregated position."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_german(also=["uom"])
        cls.customer_aggregated = cls._customer(
            "Sammel Logistik GmbH", tms_invoicing_mode="collective", tms_line_mode="aggregated"
        )
        orders = cls._order(cls.customer_aggregated, date(2026, 10, 1))
        orders |= cls._order(cls.customer_aggregated, date(2026, 10, 3))
        single = cls._order(cls.customer_single, date(2026, 10, 5))
        cls.moves, _plan = (orders | single)._tms_create_invoices(invoice_date=date(2026, 11, 2))
        cls.moves.action_post()
        cls.collective = orders.invoice_ids
        cls.single = single.invoice_ids
        cls.orders = orders

    def _text(self, move, lang):
        move.partner_id.lang = lang
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "account.report_invoice", move.ids
        )
        # html2plaintext marks bold text with asterisks.
        return re.sub(r"\s+", " ", html2plaintext(html.decode()).replace("*", ""))

    def test_collective_invoice_states_its_period_and_orders(self):
        self.assertEqual(len(self.collective), 1)
        self.assertEqual(self.collective.tms_line_mode, "aggregated")
        self.assertEqual(len(self.collective.invoice_line_ids), 1, "one aggregated position")
        first, second = self.orders.sorted("tms_delivery_date").mapped("name")

        english = self._text(self.collective, "en_US")
        self.assertIn("Service period 10/01/2026 – 10/31/2026", english)
        self.assertNotIn("Delivery Date", english)
        self.assertIn(f"Orders: {first} (10/1), {second} (10/3)", english)
        # The position counts in the configured unit name, not the product's unit.
        self.assertIn("2.00 Transport", english)

        german = self._text(self.collective, "de_DE")
        self.assertIn(
            "Leistungszeitraum 01.10.2026 – 31.10.2026",
            german,
            "the German terms of views/report_invoice.xml belong in i18n/de.po",
        )
        self.assertIn(f"Aufträge: {first} (01.10.), {second} (03.10.)", german)
        self.assertIn("2,00 Transport", german)

    def test_invoice_form_counts_transport_positions_in_the_unit_name(self):
        self.assertEqual(self.collective.invoice_line_ids.tms_unit_name, "Transport")
        arch = self.env["account.move"].get_views([(False, "form")])["views"]["form"]["arch"]
        column = etree.fromstring(arch).xpath(
            "//field[@name='invoice_line_ids']/list/field[@name='tms_unit_name']"
        )
        # Shown on every transport invoice: each position says its own unit.
        self.assertEqual(column[0].get("column_invisible"), "not parent.tms_invoicing_mode")

    def test_each_position_counts_in_its_own_unit(self):
        """The transport unit name only on transport positions: waiting time counts in
        hours, in the form, the PDF and in every language."""
        order = self._order(
            self.customer_single,
            date(2026, 10, 6),
            lines=[(self.product, 1.0, 480.0), (self.surcharge, 2.0, 45.0)],
        )
        move, _plan = order._tms_create_invoices(invoice_date=date(2026, 11, 2))
        freight = move.invoice_line_ids.filtered(lambda line: line.product_id == self.product)
        waiting = move.invoice_line_ids - freight
        hours = self.env.ref("uom.product_uom_hour")
        self.assertEqual((freight.tms_unit_name, waiting.tms_unit_name), ("Transport", hours.name))
        english = self._text(move, "en_US")
        self.assertIn("1.00 Transport", english)
        self.assertIn(f"2.00 {hours.with_context(lang='en_US').name}", english)
        self.assertNotIn("2.00 Transport", english)
        german = self._text(move, "de_DE")
        self.assertIn("2,00 Stunden", german)
        self.assertIn("1,00 Transport", german)

    def test_single_invoice_states_its_delivery_day(self):
        english = self._text(self.single, "en_US")
        self.assertIn("Service date 10/05/2026", english)
        self.assertNotIn("Service period", english)
        self.assertNotIn("Orders:", english)
        german = self._text(self.single, "de_DE")
        self.assertIn("Leistungsdatum 05.10.2026", german)

    def test_invoice_without_transport_keeps_odoos_delivery_date(self):
        move = self._draft_invoices(self.customer_collective, 1, tms_invoicing_mode=False)
        english = self._text(move, "en_US")
        self.assertIn("Delivery Date 10/20/2026", english)
        self.assertNotIn("Service", english)


@tagged("post_install", "-at_install")
class TestInvoicePdf(HttpCase, TmsBillingCase):
    """The PDF, rendered by wkhtmltopdf: it loads the report's styles over HTTP, which
    an HttpCase serves within the test's transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_german()
        orders = cls._order(cls.customer_weekly, date(2026, 10, 1))
        orders |= cls._order(cls.customer_weekly, date(2026, 10, 3))
        cls.collective, _plan = orders._tms_create_invoices(invoice_date=date(2026, 11, 2))
        cls.collective.action_post()

    def test_pdf(self):
        report = self.env["ir.actions.report"]
        if report.get_wkhtmltopdf_state() != "ok":
            raise SkipTest("wkhtmltopdf is not installed: the PDF is not rendered")
        self.collective.partner_id.lang = "de_DE"
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "account.account_invoices", self.collective.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        if not shutil.which("pdfinfo"):
            raise SkipTest("pdfinfo (poppler-utils) is not installed: the PDF is not read")
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "invoice.pdf")
            with open(path, "wb") as file:
                file.write(pdf)
            info = subprocess.run(
                ["pdfinfo", path], check=True, capture_output=True, text=True
            ).stdout
            # A page as an image, to look at (e.g. TMS_BILLING_REPORT_PNG=/tmp/page.png).
            target = os.environ.get("TMS_BILLING_REPORT_PNG")
            if target and shutil.which("pdftoppm"):
                subprocess.run(
                    ["pdftoppm", "-png", "-r", "80", "-singlefile", path, target[: -len(".png")]],
                    check=True,
                )
        # One A4 page. wkhtmltopdf draws Odoo's web fonts without a text layer that
        # pdftotext can read: the words are checked in the HTML it renders
        # (TestInvoiceReport), and the picture shows them.
        self.assertRegex(info, r"Pages:\s+1\n")
        self.assertRegex(info, r"Page size:\s+595(\.\d+)? x 842")
