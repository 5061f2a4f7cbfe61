import os
import re
import shutil
import subprocess
import tempfile
from datetime import date
from unittest import SkipTest

from lxml import etree, html

from odoo.tests import HttpCase, tagged
from odoo.tools import html2plaintext

from .common import TmsBillingCase, TmsGermanCase


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


# What the layouts hide with their styles: DIN 5008 (l10n_din5008) prints its own
# information block in place of the document's (report_din5008.scss: ".page #informations
# { display: none }"), and its own title.
HIDDEN_BY_LAYOUT = {"l10n_din5008.external_layout_din5008": "//*[@id='informations']"}


class LayoutsCase(TmsGermanCase):
    """A German haulier's invoices for a business in Austria (reverse charge, a collective
    invoice), in Switzerland (not taxable in Germany, a single invoice), and at home dated
    within the month it bills, in every layout Odoo ships."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_german()
        cls.company.write({"state_id": cls.env.ref("base.state_de_hh").id})
        cls.company.l10n_de_stnr = "47/123/45678"
        # The services' taxes on the positions for businesses abroad, as the README
        # advises: "0% EU" (reverse charge) and "0% S T" (not taxable in Germany).
        for position, tax in (
            ("fiscal_position_eu_vat_id_partner_skr03", "tax_free_eu_skr03"),
            ("fiscal_position_non_eu_partner_skr03", "tax_free_third_country_skr03"),
        ):
            cls._chart_ref(position).tax_ids.filtered(
                lambda line: line.tax_src_id == cls.tax
            ).tax_dest_id = cls._chart_ref(tax)
        customers = cls.situation_customers
        customers["third_country"].tms_invoicing_mode = "single"
        eu = cls._order(customers["eu_business"], date(2026, 10, 5))
        eu |= cls._order(customers["eu_business"], date(2026, 10, 28))
        swiss = cls._order(customers["third_country"], date(2026, 10, 5))
        moves, _plan = (eu | swiss)._tms_create_invoices(invoice_date=date(2026, 11, 2))
        running = cls._order(customers["domestic_net"], date(2026, 12, 1))
        moves |= running._tms_create_invoices(invoice_date=date(2026, 12, 7))[0]
        moves.action_post()
        cls.eu_invoice, cls.swiss_invoice = eu.invoice_ids, swiss.invoice_ids
        cls.running_invoice = running.invoice_ids
        cls.layouts = cls.env["report.layout"].search([])

    def _use_layout(self, layout):
        self.company.external_report_layout_id = layout.view_id


@tagged("post_install", "-at_install")
class TestInvoiceLayouts(LayoutsCase):
    """What § 14 UStG asks of an invoice is visible in every layout, in German and in
    English: the service period or day, why no VAT is charged, the seller's VAT ID and
    tax number. Read in the HTML the PDF is printed from, less what the layout hides."""

    def _visible_text(self, move, layout, lang):
        move.partner_id.lang = lang
        body, _type = self.env["ir.actions.report"]._render_qweb_html(
            "account.report_invoice", move.ids
        )
        tree = html.fromstring(body.decode())
        hidden = HIDDEN_BY_LAYOUT.get(layout.view_id.xml_id)
        for node in tree.xpath(hidden) if hidden else []:
            node.drop_tree()
        return re.sub(r"\s+", " ", tree.text_content())

    def test_every_layout_states_what_paragraph_14_requires(self):
        names = {layout.view_id.xml_id for layout in self.layouts}
        self.assertIn("l10n_din5008.external_layout_din5008", names)
        self.assertTrue(
            {"web.external_layout_standard", "web.external_layout_boxed"} <= names, names
        )
        expected = {
            "en_US": {
                self.eu_invoice: [
                    "Service period 10/01/2026 – 10/31/2026",
                    "Reverse charge",
                ],
                self.swiss_invoice: ["Service date 10/05/2026", "Not taxable in Germany"],
                # Billed on the 7th: the period ends there, not on the 31st.
                self.running_invoice: ["Service period 12/01/2026 – 12/07/2026"],
            },
            "de_DE": {
                self.eu_invoice: [
                    "Leistungszeitraum 01.10.2026 – 31.10.2026",
                    "Steuerschuldnerschaft des Leistungsempfängers",
                ],
                self.swiss_invoice: [
                    "Leistungsdatum 05.10.2026",
                    "Nicht im Inland steuerbare Leistung",
                ],
                self.running_invoice: ["Leistungszeitraum 01.12.2026 – 07.12.2026"],
            },
        }
        seller = {
            "en_US": ["VAT ID: DE123456788", "Tax number: 47/123/45678"],
            "de_DE": ["USt-IdNr.: DE123456788", "Steuernummer: 47/123/45678"],
        }
        for layout in self.layouts:
            self._use_layout(layout)
            for lang, invoices in expected.items():
                for move, texts in invoices.items():
                    with self.subTest(layout=layout.name, lang=lang, invoice=move.partner_id.name):
                        text = self._visible_text(move, layout, lang)
                        for wanted in texts + seller[lang]:
                            self.assertIn(wanted, text)
                        # Neither Odoo's delivery date (the invoice date on a German
                        # invoice) nor the goods' tax-free supply.
                        for unwanted in ("Delivery Date", "Lieferdatum", "innergem", "Intra"):
                            self.assertNotIn(unwanted, text)
                        if move == self.running_invoice:
                            self.assertNotIn("31.12.2026", text)
                            self.assertNotIn("12/31/2026", text)

    def test_credit_note_states_its_invoices_period(self):
        refund = self.eu_invoice._reverse_moves([{"invoice_date": date(2026, 11, 10)}])
        refund.action_post()
        self.assertEqual(refund._tms_service_period(), (date(2026, 10, 1), date(2026, 10, 31)))
        din = self.layouts.filtered(
            lambda layout: layout.view_id.xml_id == "l10n_din5008.external_layout_din5008"
        )
        self._use_layout(din)
        text = self._visible_text(refund, din, "de_DE")
        self.assertIn("Leistungszeitraum 01.10.2026 – 31.10.2026", text)
        self.assertIn("Steuerschuldnerschaft des Leistungsempfängers", text)


@tagged("post_install", "-at_install")
class TestInvoiceLayoutPdfs(HttpCase, LayoutsCase):
    """The same invoice as a PDF in every layout (wkhtmltopdf, styles over HTTP), one
    A4 page each; with TMS_BILLING_LAYOUT_PNG=/folder a picture of each page to look at
    (the words themselves are checked in the HTML: see TestInvoicePdf)."""

    def test_pdf_in_every_layout(self):
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        if report.get_wkhtmltopdf_state() != "ok":
            raise SkipTest("wkhtmltopdf is not installed: the PDF is not rendered")
        folder = os.environ.get("TMS_BILLING_LAYOUT_PNG")
        for layout in self.layouts:
            self._use_layout(layout)
            for lang in ("de_DE", "en_US"):
                self.eu_invoice.partner_id.lang = lang
                pdf, kind = report._render_qweb_pdf("account.account_invoices", self.eu_invoice.ids)
                self.assertEqual(kind, "pdf")
                self.assertTrue(pdf.startswith(b"%PDF"), layout.name)
                if folder and shutil.which("pdftoppm"):
                    name = f"{layout.view_id.xml_id.split('.')[-1]}_{lang}"
                    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
                        file.write(pdf)
                        file.flush()
                        subprocess.run(
                            [
                                "pdftoppm",
                                "-png",
                                "-r",
                                "60",
                                "-f",
                                "1",
                                "-l",
                                "1",
                                "-singlefile",
                                file.name,
                                os.path.join(folder, name),
                            ],
                            check=True,
                        )
