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

    def _invoice(self, customer, days, lines=None):
        orders = self.env["sale.order"]
        for day in days:
            orders |= self._order(customer, delivery_date=date(2026, 10, day), lines=lines)
        moves, _plan = orders._tms_create_invoices(invoice_date=date(2026, 11, 2))
        moves.action_post()
        return moves, orders

    def _ubl(self, move):
        xml, errors = self.env["account.edi.xml.ubl_de"]._export_invoice(move)
        self.assertFalse(errors, "Odoo's own checks of the XRechnung")
        self._assert_valid(xml, "EN16931 XRechnung (UBL Invoice)")
        return etree.fromstring(xml)

    def _cii(self, move):
        xml, errors = self.env["account.edi.xml.cii"]._export_invoice(move)
        self.assertFalse(errors, "Odoo's own checks of the Factur-X file")
        # Odoo states the EXTENDED profile (BT-24); its rules relax some of EN 16931's,
        # which the file has to keep all the same.
        self._assert_valid(xml, "Factur-X 1.07.2 EXTENDED (CII)", facturx=True)
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

    # -- VAT by route: the categories of the route's situations --------------------

    def _route_invoice(self, loading, unloading, **values):
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
        xml, errors = self.env["account.edi.xml.ubl_de"]._export_invoice(move)
        self.assertFalse(errors)
        ubl = etree.fromstring(xml)
        category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"
        self.assertEqual(ubl.xpath(f"{category}/cbc:ID/text()", namespaces=UBL), ["O"])
        self.assertEqual(
            ubl.xpath(f"{category}/cbc:TaxExemptionReasonCode/text()", namespaces=UBL),
            ["VATEX-EU-O"],
        )
        # Category O forbids the VAT identifiers of seller and buyer (BR-O-02) and a VAT
        # rate on its lines (BR-O-05), which Odoo states for every invoice; the e-invoice
        # rework states the seller's tax number instead. Nothing else is wrong with it.
        report = self.validator.validate(xml)
        self.assertEqual(report.scenario, "EN16931 XRechnung (UBL Invoice)")
        self.assertLessEqual(
            {finding.rule for finding in report.errors},
            {"BR-O-02", "BR-O-05", "BR-O-09", "BR-O-10", "BR-CO-09", "PEPPOL-EN16931-R043"},
            str(report),
        )
