import itertools
import logging
import os
from datetime import date
from unittest import SkipTest

from lxml import etree

from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.tms_billing.tests.common import TmsGermanCase

from .validation import EN16931_CII, MissingChecker, Validator

UBL = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
CII = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
LEITWEG_ID = "04011000-12345-03"
_logger = logging.getLogger(__name__)

# The e-invoices a customer can receive, with the KoSIT or Factur-X scenario that must
# accept each: (builder, scenario of an invoice, scenario of a credit note, facturx).
FORMATS = {
    "XRechnung UBL": (
        "account.edi.xml.ubl_de",
        "EN16931 XRechnung (UBL Invoice)",
        "EN16931 XRechnung (UBL CreditNote)",
        False,
    ),
    "XRechnung CII": (
        "account.edi.xml.cii_xrechnung",
        "EN16931 XRechnung (CII)",
        "EN16931 XRechnung (CII)",
        False,
    ),
    "Factur-X": (
        "account.edi.xml.cii",
        "Factur-X 1.07.2 EN16931 (CII)",
        "Factur-X 1.07.2 EN16931 (CII)",
        True,
    ),
}
# Every kind of customer a haulier bills, as the tax situations and the e-invoice data
# (Leitweg-ID, VAT ID, electronic address) tell them apart.
CUSTOMER_KINDS = (
    "public_leitweg_id",  # a public buyer: Leitweg-ID, VAT ID, e-mail
    "business_vat_id",  # a German business with VAT ID (its Peppol endpoint), no e-mail
    "business_without_vat_id",  # a German business with e-mail only
    "private_person",  # a German private person
    "gross",  # a German business billed with gross prices
    "eu_business",  # reverse charge: an Austrian business with VAT ID
    "eu_private",  # an Austrian private person, German VAT
    "third_country",  # a Swiss business: not taxable in Germany
)
INVOICE_KINDS = ("single", "collective_per_order", "collective_aggregated", "credit_note")


@tagged("post_install", "-at_install")
class TestEInvoices(TmsGermanCase):
    """XRechnung (UBL) and Factur-X/ZUGFeRD (CII) files of transport invoices, checked as
    their recipients check them (validation.py): the XRechnung with the KoSIT
    configuration (XML Schema, EN 16931, XRechnung and the Peppol rules merged into it),
    the Factur-X with the schema and the rules of its profile, and the EN 16931 rules."""

    @classmethod
    def setUpClass(cls):
        try:
            cls.validator = Validator()
        except MissingChecker as error:
            raise SkipTest(f"The e-invoice checks need {error}") from error
        cls.addClassCleanup(cls.validator.close)
        super().setUpClass()
        cls.company.write({"phone": "+49 40 123456", "email": "rechnung@elbe.example"})
        cls.company.partner_id.bank_ids = [
            Command.create({"acc_number": "DE02120300000000202051", "allow_out_payment": True})
        ]
        customers = cls.situation_customers
        cls.customer_per_order = customers["domestic_net"]
        cls.customer_gross = customers["domestic_gross"]
        cls.customer_eu = customers["eu_business"]
        cls.customer_aggregated = cls._customer("Sammel Logistik GmbH", tms_line_mode="aggregated")
        cls.customer_single = cls._customer("Einzel AG", tms_invoicing_mode="single")
        for customer in cls.env["res.partner"].union(
            cls.customer_per_order,
            cls.customer_gross,
            cls.customer_eu,
            cls.customer_aggregated,
            cls.customer_single,
        ):
            customer.write({"email": "einkauf@kunde.example", "tms_buyer_reference": LEITWEG_ID})
        cls.customer_gross.tms_tax_mode = "gross"
        # A transport for a business in another EU country is a service taxed where the
        # customer is (reverse charge); Odoo's German chart has the 0 % tax for it.
        eu_service = cls.env["account.fiscal.position"].create(
            {
                "name": "EU-Ausland (Leistung)",
                "company_id": cls.company.id,
                "tax_ids": [
                    Command.create(
                        {
                            "tax_src_id": cls.tax.id,
                            "tax_dest_id": cls._chart_ref("tax_free_eu_skr03").id,
                        }
                    )
                ],
            }
        )
        cls.customer_eu.property_account_position_id = eu_service
        tax_included = cls.tax.copy({"name": "19% incl.", "price_include_override": "tax_included"})
        cls.gross_product = cls.env["product.product"].create(
            {
                "name": "Freight (gross)",
                "type": "service",
                "invoice_policy": "order",
                "taxes_id": [Command.set(tax_included.ids)],
            }
        )
        cls.eu_service = eu_service
        cls.company.write({"state_id": cls.env.ref("base.state_de_hh").id})
        cls.company.l10n_de_stnr = "47/123/45678"
        cls.company.company_registry = "HRB 123456, Amtsgericht Hamburg"

    def _invoice(self, customer, days, lines=None, invoice_date=date(2026, 11, 2), month=10):
        orders = self.env["sale.order"]
        for day in days:
            orders |= self._order(customer, delivery_date=date(2026, month, day), lines=lines)
        moves, _plan = orders._tms_create_invoices(invoice_date=invoice_date)
        moves.action_post()
        return moves, orders

    # -- every kind of customer and of invoice, in every format ----------------------

    def _kind_customer(self, kind, invoice_kind):
        """A customer of ``kind`` (CUSTOMER_KINDS) billed as ``invoice_kind`` wants."""
        austria, switzerland = self.env.ref("base.at"), self.env.ref("base.ch")
        values = {"email": "einkauf@kunde.example"}
        abroad = {"street": "Ringstraße 1", "zip": "1010", "city": "Wien", "country_id": austria.id}
        if kind == "public_leitweg_id":
            values.update(vat="DE123456788", tms_buyer_reference=LEITWEG_ID)
        elif kind == "business_vat_id":
            values.update(vat="DE123456788", email=False)
        elif kind == "private_person":
            values.update(is_company=False)
        elif kind == "gross":
            values.update(tms_tax_mode="gross")
        elif kind == "eu_business":
            values.update(abroad, vat="ATU13585627")
            values["property_account_position_id"] = self.eu_service.id
        elif kind == "eu_private":
            values.update(abroad, is_company=False)
        elif kind == "third_country":
            values.update(
                street="Bahnhofstrasse 5",
                zip="8001",
                city="Zürich",
                country_id=switzerland.id,
                property_account_position_id=self._chart_ref(
                    "fiscal_position_non_eu_partner_skr03"
                ).id,
            )
        if invoice_kind == "single":
            values["tms_invoicing_mode"] = "single"
        else:
            values["tms_invoicing_mode"] = "collective"
            values["tms_line_mode"] = (
                "aggregated" if invoice_kind == "collective_aggregated" else "per_order"
            )
        return self._customer(f"{kind} {invoice_kind}", **values)

    def _kind_invoice(self, kind, invoice_kind):
        customer = self._kind_customer(kind, invoice_kind)
        if kind == "gross":
            lines = [(self.gross_product, 3.0, 33.33), (self.gross_product, 1.0, 119.0)]
        else:
            lines = [(self.product, 1.0, 100.0), (self.surcharge, 2.0, 40.0)]
        days = {"single": (5,), "collective_aggregated": (1, 3, 20)}.get(invoice_kind, (5, 28))
        move, _orders = self._invoice(customer, days, lines=lines)
        self.assertEqual(len(move), 1)
        if invoice_kind == "credit_note":
            move = move._reverse_moves([{"invoice_date": date(2026, 11, 10)}])
            move.action_post()
        return move

    def _export(self, move, format_name):
        """The e-invoice of ``move`` in ``format_name`` (FORMATS), validated as its
        recipient validates it: errors fail, warnings are logged. Its report."""
        builder, scenario, credit_scenario, facturx = FORMATS[format_name]
        xml, errors = self.env[builder]._export_invoice(move)
        self.assertFalse(errors, f"Odoo's own checks of the {format_name} file")
        report = self.validator.validate(xml, facturx=facturx)
        expected = credit_scenario if move.move_type == "out_refund" else scenario
        self.assertEqual(
            (report.scenario, [str(finding) for finding in report.errors]),
            (expected, []),
            f"{report}\n{xml.decode()}",
        )
        for finding in report.warnings:
            _logger.info("%s, %s: warning %s", move.partner_id.name, format_name, finding)
        return report, etree.fromstring(xml)

    def test_every_customer_and_invoice_kind_in_every_format(self):
        """Customer kinds x invoice kinds x formats, each accepted by the validator."""
        expected_category = {"eu_business": "AE", "third_country": "O"}
        results = []
        for kind, invoice_kind in itertools.product(CUSTOMER_KINDS, INVOICE_KINDS):
            move = self._kind_invoice(kind, invoice_kind)
            for format_name in FORMATS:
                with self.subTest(customer=kind, invoice=invoice_kind, format=format_name):
                    report, tree = self._export(move, format_name)
                    results.append(
                        f"{kind:24} {invoice_kind:22} {format_name:14} {report.scenario}: "
                        f"{len(report.errors)} errors, {len(report.warnings)} warnings "
                        f"{sorted(report.rules('warning') | report.rules('information'))}"
                    )
                    if format_name == "XRechnung UBL":
                        categories = tree.xpath(
                            "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID/text()",
                            namespaces=UBL,
                        )
                        self.assertEqual(categories, [expected_category.get(kind, "S")])
                        self.assertTrue(tree.xpath("cbc:BuyerReference/text()", namespaces=UBL))
                        self.assertTrue(
                            tree.xpath(
                                "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/text()",
                                namespaces=UBL,
                            )
                        )
                        end = tree.xpath("cac:InvoicePeriod/cbc:EndDate/text()", namespaces=UBL)
                        self.assertLessEqual(end, ["2026-11-02"])
                    else:
                        categories = tree.xpath(
                            "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                            "ram:CategoryCode/text()",
                            namespaces=CII,
                        )
                        self.assertEqual(categories, [expected_category.get(kind, "S")])
        _logger.info("E-invoices validated:\n%s", "\n".join(results))

    def _ubl(self, move):
        xml, errors = self.env["account.edi.xml.ubl_de"]._export_invoice(move)
        self.assertFalse(errors, "Odoo's own checks of the XRechnung")
        kind = "CreditNote" if move.move_type == "out_refund" else "Invoice"
        self._assert_valid(xml, f"EN16931 XRechnung (UBL {kind})")
        return etree.fromstring(xml)

    def _cii(self, move):
        xml, errors = self.env["account.edi.xml.cii"]._export_invoice(move)
        self.assertFalse(errors, "Odoo's own checks of the Factur-X file")
        # A transport invoice states Factur-X's EN 16931 profile (BT-24), Odoo's others
        # EXTENDED, whose rules relax some of EN 16931's: checked here all the same.
        self._assert_valid(xml, "Factur-X 1.07.2 EN16931 (CII)", facturx=True)
        findings = self.validator.findings(EN16931_CII, xml)
        self.assertEqual(
            [str(finding) for finding in findings if finding.blocking],
            [],
            f"{os.path.basename(EN16931_CII)}:\n{xml.decode()}",
        )
        return etree.fromstring(xml)

    def _assert_valid(self, xml, scenario, facturx=False):
        report = self.validator.validate(xml, facturx=facturx)
        self.assertEqual(
            (report.scenario, [str(finding) for finding in report.errors]),
            (scenario, []),
            f"{report}\n{xml.decode()}",
        )

    def _assert_period(self, ubl, cii, start, end):
        if start:
            self.assertEqual(
                ubl.xpath("cac:InvoicePeriod/cbc:StartDate/text()", namespaces=UBL), [start]
            )
            self.assertEqual(
                ubl.xpath("cac:InvoicePeriod/cbc:EndDate/text()", namespaces=UBL), [end]
            )
        else:
            self.assertFalse(ubl.xpath("cac:InvoicePeriod", namespaces=UBL))
        period = "//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod"
        self.assertEqual(
            cii.xpath(f"{period}/ram:StartDateTime/udt:DateTimeString/text()", namespaces=CII),
            [start.replace("-", "")] if start else [],
        )
        self.assertEqual(
            cii.xpath(f"{period}/ram:EndDateTime/udt:DateTimeString/text()", namespaces=CII),
            [end.replace("-", "")] if end else [],
        )

    def _assert_delivery_date(self, ubl, cii, day):
        self.assertEqual(
            ubl.xpath("cac:Delivery/cbc:ActualDeliveryDate/text()", namespaces=UBL),
            [day] if day else [],
        )
        self.assertEqual(
            cii.xpath(
                "//ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString/text()",
                namespaces=CII,
            ),
            [day.replace("-", "")] if day else [],
        )

    def _assert_buyer_reference(self, ubl, cii):
        self.assertEqual(ubl.xpath("cbc:BuyerReference/text()", namespaces=UBL), [LEITWEG_ID])
        self.assertEqual(cii.xpath("//ram:BuyerReference/text()", namespaces=CII), [LEITWEG_ID])

    def _line_orders(self, ubl, cii):
        """Per line: (order in BT-128, line period) in the UBL and the CII file."""
        ubl_lines = [
            (
                line.xpath(
                    "cac:DocumentReference[cbc:DocumentTypeCode='130']/cbc:ID/text()",
                    namespaces=UBL,
                ),
                line.xpath("cac:InvoicePeriod/cbc:StartDate/text()", namespaces=UBL),
                line.xpath("cac:InvoicePeriod/cbc:EndDate/text()", namespaces=UBL),
            )
            for line in ubl.xpath("cac:InvoiceLine", namespaces=UBL)
        ]
        cii_lines = [
            (
                line.xpath(
                    "ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument"
                    "[ram:TypeCode='130'][ram:ReferenceTypeCode='VN']/ram:IssuerAssignedID/text()",
                    namespaces=CII,
                ),
                [
                    f"{d[:4]}-{d[4:6]}-{d[6:]}"
                    for d in line.xpath(
                        "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/"
                        "ram:StartDateTime/udt:DateTimeString/text()",
                        namespaces=CII,
                    )
                ],
                [
                    f"{d[:4]}-{d[4:6]}-{d[6:]}"
                    for d in line.xpath(
                        "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/"
                        "ram:EndDateTime/udt:DateTimeString/text()",
                        namespaces=CII,
                    )
                ],
            )
            for line in cii.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=CII)
        ]
        self.assertEqual(ubl_lines, cii_lines)
        return ubl_lines

    def test_collective_per_order(self):
        move, orders = self._invoice(self.customer_per_order, (5, 28))
        ubl, cii = self._ubl(move), self._cii(move)
        self._assert_period(ubl, cii, "2026-10-01", "2026-10-31")
        self._assert_delivery_date(ubl, cii, None)
        self._assert_buyer_reference(ubl, cii)
        first, second = orders.sorted("tms_delivery_date").mapped("name")
        self.assertEqual(
            self._line_orders(ubl, cii),
            [
                ([first], ["2026-10-05"], ["2026-10-05"]),
                ([second], ["2026-10-28"], ["2026-10-28"]),
            ],
        )
        self.assertEqual(
            ubl.xpath("cac:OrderReference/cbc:SalesOrderID/text()", namespaces=UBL),
            [f"{first},{second}"],
        )

    def test_collective_aggregated(self):
        move, orders = self._invoice(self.customer_aggregated, (1, 3, 20))
        self.assertEqual(len(move.invoice_line_ids), 1)
        ubl, cii = self._ubl(move), self._cii(move)
        self._assert_period(ubl, cii, "2026-10-01", "2026-10-31")
        self._assert_delivery_date(ubl, cii, None)
        self._assert_buyer_reference(ubl, cii)
        # Three orders on one line: no single object (BT-128), they are in the note.
        self.assertEqual(self._line_orders(ubl, cii), [([], ["2026-10-01"], ["2026-10-20"])])
        names = orders.sorted("tms_delivery_date").mapped("name")
        note = f"Orders: {names[0]} (10/1/2026), {names[1]} (10/3/2026), {names[2]} (10/20/2026)"
        self.assertEqual(ubl.xpath("cac:InvoiceLine/cbc:Note/text()", namespaces=UBL), [note])
        self.assertEqual(
            cii.xpath(
                "//ram:AssociatedDocumentLineDocument/ram:IncludedNote/ram:Content/text()",
                namespaces=CII,
            ),
            [note],
        )

    def test_single(self):
        move, orders = self._invoice(self.customer_single, (5,))
        self.assertTrue(move._tms_is_single_invoice())
        ubl, cii = self._ubl(move), self._cii(move)
        self._assert_period(ubl, cii, None, None)
        self._assert_delivery_date(ubl, cii, "2026-10-05")
        self._assert_buyer_reference(ubl, cii)
        self.assertEqual(
            self._line_orders(ubl, cii), [([orders.name], ["2026-10-05"], ["2026-10-05"])]
        )

    def test_eu_reverse_charge(self):
        move, _orders = self._invoice(self.customer_eu, (5, 12))
        self.assertEqual(move.fiscal_position_id.name, "EU-Ausland (Leistung)")
        self.assertFalse(move.amount_tax)
        ubl, cii = self._ubl(move), self._cii(move)
        # Reverse charge (AE, VATEX-EU-AE), where Odoo alone states an intra-Community
        # supply of goods (K) for any 0 % tax of a customer elsewhere in the EU.
        category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"
        self.assertEqual(ubl.xpath(f"{category}/cbc:ID/text()", namespaces=UBL), ["AE"])
        self.assertEqual(
            ubl.xpath(f"{category}/cbc:TaxExemptionReasonCode/text()", namespaces=UBL),
            ["VATEX-EU-AE"],
        )
        self.assertEqual(
            ubl.xpath(
                "//cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID/text()", namespaces=UBL
            ),
            ["AE", "AE"],
        )
        trade_tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
        self.assertEqual(cii.xpath(f"{trade_tax}/ram:CategoryCode/text()", namespaces=CII), ["AE"])
        self.assertEqual(
            cii.xpath(f"{trade_tax}/ram:ExemptionReasonCode/text()", namespaces=CII),
            ["VATEX-EU-AE"],
        )
        self.assertEqual(
            ubl.xpath("cac:AccountingCustomerParty//cbc:CompanyID/text()", namespaces=UBL)[:1],
            ["ATU13585627"],
        )
        # BR-IC-11: the period (BG-14) rather than the invoice date Odoo states as BT-72.
        self._assert_period(ubl, cii, "2026-10-01", "2026-10-31")
        self._assert_delivery_date(ubl, cii, None)
        self._assert_buyer_reference(ubl, cii)

    def test_gross(self):
        move, _orders = self._invoice(
            self.customer_gross,
            (5, 6),
            lines=[(self.gross_product, 3.0, 33.33), (self.gross_product, 1.0, 119.0)],
        )
        self.assertEqual(move.tms_tax_mode, "gross")
        self.assertTrue(move.invoice_line_ids.tax_ids.price_include)
        self.assertAlmostEqual(move.amount_total, 2 * (3 * 33.33 + 119.0))
        ubl, cii = self._ubl(move), self._cii(move)
        self._assert_period(ubl, cii, "2026-10-01", "2026-10-31")
        self.assertEqual(
            ubl.xpath("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount/text()", namespaces=UBL),
            [f"{move.amount_total:.2f}"],
        )
        self.assertEqual(
            cii.xpath("//ram:GrandTotalAmount/text()", namespaces=CII), [f"{move.amount_total:.2f}"]
        )

    def test_leitweg_id_on_the_customer_replaces_odoos_reference(self):
        self.customer_single.ref = "K-4711"
        move, _orders = self._invoice(self.customer_single, (7,))
        self._assert_buyer_reference(self._ubl(move), self._cii(move))
        self.customer_single.tms_buyer_reference = False
        xml, _errors = self.env["account.edi.xml.ubl_de"]._export_invoice(move)
        self.assertEqual(
            etree.fromstring(xml).xpath("cbc:BuyerReference/text()", namespaces=UBL), ["K-4711"]
        )

    # -- what every customer's e-invoice states ----------------------------------------

    def _buyer_reference(self, move):
        ubl, cii = self._ubl(move), self._cii(move)
        references = (
            ubl.xpath("cbc:BuyerReference/text()", namespaces=UBL),
            cii.xpath("//ram:BuyerReference/text()", namespaces=CII),
        )
        self.assertEqual(references[0], references[1])
        return references[0][0]

    def test_buyer_reference_without_leitweg_id(self):
        customer = self._customer("Ohne Leitweg GmbH", email="einkauf@kunde.example")
        order_ref = self._order(customer, date(2026, 10, 5), client_order_ref="PO-4711")
        order_ref |= self._order(customer, date(2026, 10, 9), client_order_ref="PO-4711")
        move, _plan = order_ref._tms_create_invoices(invoice_date=date(2026, 11, 2))
        move.action_post()
        # The order reference the customer gave, the same on all orders of the invoice.
        self.assertEqual(self._buyer_reference(move), "PO-4711")
        refund = move._reverse_moves([{"invoice_date": date(2026, 11, 10)}])
        refund.action_post()
        self.assertEqual(self._buyer_reference(refund), "PO-4711")
        # Orders with different references: the customer number, its Reference field,
        # else its id in Odoo.
        other = self._order(customer, date(2026, 10, 12), client_order_ref="PO-1")
        other |= self._order(customer, date(2026, 10, 13), client_order_ref="PO-2")
        move, _plan = other._tms_create_invoices(invoice_date=date(2026, 11, 2))
        move.action_post()
        self.assertEqual(self._buyer_reference(move), str(customer.id))
        customer.ref = "K-4711"
        self.assertEqual(self._buyer_reference(move), "K-4711")
        # The company may choose the customer number always.
        self.company.tms_buyer_reference_source = "customer_number"
        self.assertEqual(self._buyer_reference(refund), "K-4711")
        # A Leitweg-ID comes first.
        customer.tms_buyer_reference = LEITWEG_ID
        self.assertEqual(self._buyer_reference(refund), LEITWEG_ID)

    def test_xrechnung_needs_the_buyers_electronic_address(self):
        customer = self._customer("Ohne Adresse GmbH", tms_invoicing_mode="single")
        move, _orders = self._invoice(customer, (5,))
        for builder in ("account.edi.xml.ubl_de", "account.edi.xml.cii_xrechnung"):
            _xml, errors = self.env[builder]._export_invoice(move)
            self.assertIn(
                "Ohne Adresse GmbH has no electronic address for XRechnung: enter its Peppol "
                "endpoint or an e-mail address on the customer.",
                errors,
            )
        # The e-mail of the customer (scheme EM), where Odoo takes the invoice contact's.
        customer.email = "rechnung@kunde.example"
        ubl = self._ubl(move)
        self.assertEqual(
            ubl.xpath(
                "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID[@schemeID='EM']/text()",
                namespaces=UBL,
            ),
            ["rechnung@kunde.example"],
        )
        cii = self._cii(move)
        self.assertEqual(
            cii.xpath(
                "//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID[@schemeID='EM']"
                "/text()",
                namespaces=CII,
            ),
            ["rechnung@kunde.example"],
        )

    def test_period_ends_on_the_invoice_date(self):
        """An invoice written on the 7th for an order of the 1st claims no later days."""
        move, _orders = self._invoice(
            self.customer_per_order, (1,), invoice_date=date(2026, 12, 7), month=12
        )
        self.assertEqual((move.tms_period_start, move.tms_period_end)[1], date(2026, 12, 31))
        ubl, cii = self._ubl(move), self._cii(move)
        self._assert_period(ubl, cii, "2026-12-01", "2026-12-07")

    def _assert_exemption(self, move, code, reason_code, reason):
        category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"
        ubl, cii = self._ubl(move), self._cii(move)
        self.assertEqual(ubl.xpath(f"{category}/cbc:ID/text()", namespaces=UBL), [code])
        self.assertEqual(
            ubl.xpath(f"{category}/cbc:TaxExemptionReasonCode/text()", namespaces=UBL),
            [reason_code] if reason_code else [],
        )
        self.assertEqual(
            ubl.xpath(f"{category}/cbc:TaxExemptionReason/text()", namespaces=UBL), [reason]
        )
        self.assertEqual(
            cii.xpath("//ram:ApplicableTradeTax/ram:ExemptionReason/text()", namespaces=CII),
            [reason],
        )
        return ubl

    def test_exemption_reasons_in_the_customers_language(self):
        """English for customers abroad, German for German ones."""
        self._load_german()
        move = self._kind_invoice("eu_business", "single")
        self.assertEqual(move._tms_tax_situation(), "eu_business")
        self._assert_exemption(move, "AE", "VATEX-EU-AE", "Reverse charge")
        move = self._kind_invoice("third_country", "single")
        self.assertEqual(move._tms_tax_situation(), "third_country")
        ubl = self._assert_exemption(move, "O", "VATEX-EU-O", "Not taxable in Germany")
        # Not subject to VAT: neither the seller's nor the buyer's VAT ID, but the
        # seller's tax number (BT-32).
        self.assertEqual(
            ubl.xpath("//cac:PartyTaxScheme/cac:TaxScheme/cbc:ID/text()", namespaces=UBL), ["FC"]
        )
        self.assertEqual(
            ubl.xpath("//cac:PartyTaxScheme/cbc:CompanyID/text()", namespaces=UBL),
            ["47/123/45678"],
        )
        # Own small business (§ 19 UStG), for a German customer: no VAT, category E.
        self.company.tms_small_business = True
        zero = self._chart_ref("tax_free_eu_skr03")
        exempt = self.env["product.product"].create(
            {
                "name": "Freight (small business)",
                "type": "service",
                "invoice_policy": "order",
                "taxes_id": [Command.set(zero.ids)],
            }
        )
        customer = self._kind_customer("business_without_vat_id", "single")
        move, _orders = self._invoice(customer, (5,), lines=[(exempt, 1, 80)])
        self.assertEqual(move._tms_tax_situation(), "small_business")
        self._assert_exemption(
            move, "E", None, "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet."
        )

    def test_xrechnung_cii_is_a_customers_format(self):
        customer = self.customer_single
        customer.invoice_edi_format = "tms_xrechnung_cii"
        builder = customer._get_edi_builder(customer.invoice_edi_format)
        self.assertEqual(builder._name, "account.edi.xml.cii_xrechnung")
        move, _orders = self._invoice(customer, (5,))
        self.assertTrue(move._need_ubl_cii_xml("tms_xrechnung_cii"))
        self.assertTrue(builder._export_invoice_filename(move).endswith("_xrechnung_cii.xml"))
        xml, errors = builder._export_invoice(move)
        self.assertFalse(errors)
        self._assert_valid(xml, "EN16931 XRechnung (CII)")

    # -- VAT by route: the categories of the route's situations --------------------

    def _route_invoice(self, loading, unloading, **values):
        self._load_german()  # the exemption reason of a German customer is German
        countries = {code: self.env.ref(f"base.{code.lower()}") for code in ("DE", "CH")}
        order = self._order(
            self.customer_per_order,
            delivery_date=date(2026, 10, 5),
            tms_loading_country_id=countries[loading].id,
            tms_unloading_country_id=countries[unloading].id,
            **values,
        )
        move, _plan = order._tms_create_invoices(invoice_date=date(2026, 11, 2))
        move.action_post()
        return move

    def _tax_categories(self, ubl, cii):
        """``(category, exemption code, exemption text)`` of the VAT breakdown, in the UBL
        and in the CII file."""
        category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"
        trade_tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
        return (
            [
                tuple(
                    (ubl.xpath(f"{category}/cbc:{name}/text()", namespaces=UBL) or [None])[0]
                    for name in ("ID", "TaxExemptionReasonCode", "TaxExemptionReason")
                )
            ],
            [
                tuple(
                    (cii.xpath(f"{trade_tax}/ram:{name}/text()", namespaces=CII) or [None])[0]
                    for name in ("CategoryCode", "ExemptionReasonCode", "ExemptionReason")
                )
            ],
        )

    def test_export_to_a_third_country_is_exempt(self):
        move = self._route_invoice("DE", "CH", tms_customer_goods_role="consignor")
        self.assertEqual(move._tms_tax_situation(), "export_import_exempt")
        self.assertFalse(move.amount_tax)
        reason = "Steuerfreie grenzüberschreitende Güterbeförderung (§ 4 Nr. 3 Buchst. a UStG)"
        ubl, cii = self._ubl(move), self._cii(move)
        expected = [("E", "VATEX-EU-146-1E", reason)]
        self.assertEqual(self._tax_categories(ubl, cii), (expected, expected))
        self.assertEqual(
            ubl.xpath(
                "//cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID/text()", namespaces=UBL
            ),
            ["E"],
        )

    def test_import_from_a_third_country_is_exempt(self):
        move = self._route_invoice("CH", "DE")
        ubl, cii = self._ubl(move), self._cii(move)
        reason = "Steuerfreie grenzüberschreitende Güterbeförderung (§ 4 Nr. 3 Buchst. a UStG)"
        expected = [("E", "VATEX-EU-144", reason)]
        self.assertEqual(self._tax_categories(ubl, cii), (expected, expected))

    def test_transport_within_a_third_country_is_not_subject_to_german_vat(self):
        move = self._route_invoice("CH", "CH")
        self.assertEqual(move._tms_tax_situation(), "third_country_route")
        # Validated as the recipient does (_ubl, _cii): category O without VAT IDs
        # (BR-O-02), the seller's tax number instead.
        ubl, cii = self._ubl(move), self._cii(move)
        reason = "Nicht im Inland steuerbare Leistung (Beförderung im Drittlandsgebiet)"
        expected = [("O", "VATEX-EU-O", reason)]
        self.assertEqual(self._tax_categories(ubl, cii), (expected, expected))
