import logging
import os
import shutil
import subprocess
import tempfile
from unittest import SkipTest

from odoo import fields
from odoo.tests import HttpCase, tagged

try:  # the official checks shipped with tms_billing_edi's tests
    from odoo.addons.tms_billing_edi.tests.validation import MissingChecker, Validator
except ImportError:
    Validator = None

_logger = logging.getLogger(__name__)

# The e-invoices of the demo's invoices and the scenario that must accept each, as in
# tms_billing_edi's tests: (builder, scenario, validated as the XML of a Factur-X PDF).
FORMATS = (
    ("account.edi.xml.ubl_de", "EN16931 XRechnung (UBL Invoice)", False),
    ("account.edi.xml.cii_xrechnung", "EN16931 XRechnung (CII)", False),
    ("account.edi.xml.cii", "Factur-X 1.07.2 EN16931 (CII)", True),
)


@tagged("post_install", "-at_install")
class TestDemoEInvoices(HttpCase):
    """Every invoice the demo's walk-through creates, as XRechnung (UBL and CII) and
    Factur-X, checked as the recipient checks it: 0 errors each. Runs on a database with
    the demo data and tms_billing_edi (tools/test's demo step), skips elsewhere."""

    def test_every_demo_invoice_validates(self):
        company = self.env.ref("tms_billing_demo.demo_company_nordlicht", raise_if_not_found=False)
        if not company:
            self.skipTest("the German demo data is not loaded")
        if "account.edi.xml.cii_xrechnung" not in self.env:
            self.skipTest("tms_billing_edi is not installed")
        if Validator is None:
            self.skipTest("the e-invoice checks of tms_billing_edi cannot be loaded")
        try:
            validator = Validator()
        except MissingChecker as error:
            raise SkipTest(f"The e-invoice checks need {error}") from error
        self.addCleanup(validator.close)
        env = self.env(
            user=self.env.ref("base.user_admin"), context={"allowed_company_ids": company.ids}
        )
        # As the walk-through does: every order to invoice, invoiced today, confirmed.
        orders = env["sale.order"].search(
            [("company_id", "=", company.id), ("tms_billing_state", "=", "to_invoice")]
        )
        invoices, _plan = orders._tms_create_invoices(
            invoice_date=fields.Date.context_today(orders)
        )
        invoices.action_post()
        self.assertEqual(len(invoices), 16)
        results = []
        for invoice in invoices.sorted("name"):
            for builder, scenario, facturx in FORMATS:
                with self.subTest(invoice=invoice.partner_id.name, format=builder):
                    xml, errors = env[builder]._export_invoice(invoice)
                    self.assertFalse(errors, f"Odoo's own checks of {invoice.name}")
                    report = validator.validate(xml, facturx=facturx)
                    self.assertEqual(
                        (report.scenario, [str(finding) for finding in report.errors]),
                        (scenario, []),
                        f"{report}\n{xml.decode()}",
                    )
                    for finding in report.warnings:
                        _logger.info("%s, %s: warning %s", invoice.name, builder, finding)
                    results.append(
                        f"{invoice.name} {invoice.partner_id.name[:28]:28} "
                        f"{invoice._tms_tax_situation():14} {builder:30} {report.scenario}: "
                        f"{len(report.errors)} errors, {len(report.warnings)} warnings"
                    )
        _logger.info("Demo e-invoices validated:\n%s", "\n".join(results))
        self._demo_picture(invoices)

    def _demo_picture(self, invoices):
        """With TMS_BILLING_DEMO_PNG=/path/page.png: the first page of the Austrian
        customer's PDF (DIN 5008, German), to look at."""
        target = os.environ.get("TMS_BILLING_DEMO_PNG")
        report = self.env["ir.actions.report"]
        if not target or report.get_wkhtmltopdf_state() != "ok" or not shutil.which("pdftoppm"):
            return
        invoice = invoices.filtered(lambda move: move._tms_tax_situation() == "eu_business")
        pdf, _kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "account.account_invoices", invoice.ids
        )
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "invoice.pdf")
            with open(path, "wb") as file:
                file.write(pdf)
            subprocess.run(
                ["pdftoppm", "-png", "-r", "90", "-singlefile", path, target[: -len(".png")]],
                check=True,
            )
