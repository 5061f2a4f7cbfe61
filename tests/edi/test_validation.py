"""The e-invoice validator of tms_billing_edi's tests (``tests/validation.py``), checked
against official samples and against mutations that each break one known rule.

Each mutation names the step that finds it: the XML Schema, the EN 16931 rules, the
XRechnung rules for UBL or CII, the Peppol rules KoSIT merges into them, the custom levels
of the KoSIT scenarios. A validator that skipped one of them fails here.
"""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("lxml")
pytest.importorskip("saxonche")

from lxml import etree
from pure_addons import load

validation = load("tms_billing_edi.tests.validation")

DATA = Path(__file__).resolve().parent / "data"
TESTSUITE = DATA / "xrechnung-testsuite-2026-01-31"
UBL_INVOICE = TESTSUITE / "01.01a-INVOICE_ubl.xml"
CII_INVOICE = TESTSUITE / "01.01a-INVOICE_uncefact.xml"
UBL_CREDIT_NOTE = DATA / "xrechnung-schematron-2.5.0" / "ubl-cn-br-de-1-test.xml"

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
XRECHNUNG_UBL_STEPS = [
    "xsd:ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "schematron:en16931-1.3.16/EN16931-UBL-validation.xslt",
    "schematron:xrechnung-schematron-2.5.0/schematron/ubl/XRechnung-UBL-validation.xsl",
]
XRECHNUNG_CII_STEPS = [
    "xsd:uncefact-cii-d16b/CrossIndustryInvoice_100pD16B.xsd",
    "schematron:en16931-1.3.16/EN16931-CII-validation.xslt",
    "schematron:xrechnung-schematron-2.5.0/schematron/cii/XRechnung-CII-validation.xsl",
]
FACTURX_GUIDELINE = "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended"


@pytest.fixture(scope="module")
def validator():
    with validation.Validator() as checker:
        yield checker


def mutated(path, xpath, change):
    """The document at ``path`` with ``change`` applied to each node ``xpath`` selects."""
    tree = etree.parse(str(path))
    nodes = tree.xpath(xpath, namespaces=NS)
    assert nodes, f"{xpath} selects nothing in {path.name}"
    for node in nodes:
        change(node)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def remove(node):
    node.getparent().remove(node)


def set_text(text):
    def change(node):
        node.text = text

    return change


def test_kosit_configuration_is_read_in_its_order():
    scenarios = validation.XRECHNUNG.scenarios
    assert [scenario.name for scenario in scenarios] == [
        "EN16931 XRechnung (UBL Invoice)",
        "EN16931 XRechnung Extension (UBL Invoice)",
        "EN16931 XRechnung CVD (UBL Invoice)",
        "EN16931 XRechnung (UBL CreditNote)",
        "EN16931 XRechnung CVD (UBL CreditNote)",
        "EN16931 XRechnung (CII)",
        "EN16931 XRechnung Extension (CII)",
        "EN16931 XRechnung CVD (CII)",
        "EN16931 (UBL Invoice)",
        "EN16931 (UBL CreditNote)",
        "EN16931 (CII)",
    ]
    ubl, cii = scenarios[0], scenarios[5]
    assert "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0" in ubl.match
    assert ubl.schematrons == (validation.EN16931_UBL, validation.XRECHNUNG_UBL)
    assert cii.schematrons == (validation.EN16931_CII, validation.XRECHNUNG_CII)
    assert ubl.custom_levels == {
        "BR-CL-23": "warning",
        "BR-CL-21": "warning",
        "UBL-CR-646": "error",
    }
    assert cii.custom_levels["CII-SR-452"] == "error"


@pytest.mark.parametrize(
    ("sample", "scenario", "steps"),
    [
        (UBL_INVOICE, "EN16931 XRechnung (UBL Invoice)", XRECHNUNG_UBL_STEPS),
        (TESTSUITE / "02.01a-INVOICE_ubl.xml", "EN16931 XRechnung (UBL Invoice)", None),
        (CII_INVOICE, "EN16931 XRechnung (CII)", XRECHNUNG_CII_STEPS),
        (TESTSUITE / "02.01a-INVOICE_uncefact.xml", "EN16931 XRechnung (CII)", None),
        (
            UBL_CREDIT_NOTE,
            "EN16931 XRechnung (UBL CreditNote)",
            ["xsd:ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd", *XRECHNUNG_UBL_STEPS[1:]],
        ),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else None,
)
def test_official_samples_are_valid(validator, sample, scenario, steps):
    report = validator.validate(sample.read_bytes())
    assert report.scenario == scenario
    assert report.errors == []
    assert report.valid
    assert report.steps == (steps or report.steps)
    assert len(report.steps) == 3


@pytest.mark.parametrize(
    ("sample", "xpath"),
    [
        (UBL_INVOICE, "/*/cbc:BuyerReference"),
        (UBL_CREDIT_NOTE, "/*/cbc:BuyerReference"),
        (CII_INVOICE, "//ram:ApplicableHeaderTradeAgreement/ram:BuyerReference"),
    ],
    ids=["ubl-invoice", "ubl-credit-note", "cii"],
)
def test_missing_buyer_reference_breaks_br_de_15(validator, sample, xpath):
    report = validator.validate(mutated(sample, xpath, remove))
    assert report.rules("error") == {"BR-DE-15"}
    (finding,) = report.errors
    assert finding.step == report.steps[-1]
    assert "XRechnung" in finding.step


@pytest.mark.parametrize(
    ("sample", "xpath"),
    [
        (UBL_INVOICE, "/*/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID"),
        (UBL_CREDIT_NOTE, "/*/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID"),
        (CII_INVOICE, "//ram:BuyerTradeParty/ram:URIUniversalCommunication"),
    ],
    ids=["ubl-invoice", "ubl-credit-note", "cii"],
)
def test_missing_buyer_electronic_address_breaks_the_merged_peppol_rule(validator, sample, xpath):
    """BT-49 is optional in EN 16931 and XRechnung's own rules; only the Peppol rule that
    KoSIT's build merges into the XRechnung rules asks for it."""
    report = validator.validate(mutated(sample, xpath, remove))
    assert "PEPPOL-EN16931-R010" in report.rules("error")
    assert all("XRechnung" in finding.step for finding in report.errors)


def test_schema_violation_is_an_xsd_error_and_stops_the_check(validator):
    def misplace(node):
        node.addnext(etree.Element(f"{{{NS['cbc']}}}NoSuchElement"))

    report = validator.validate(mutated(UBL_INVOICE, "/*/cbc:IssueDate", misplace))
    assert report.scenario == "EN16931 XRechnung (UBL Invoice)"
    assert report.errors
    assert {finding.step for finding in report.errors} == {"xsd"}
    assert "NoSuchElement" in report.errors[0].text
    # As KoSIT: no Schematron on a document its schema refuses.
    assert report.steps == XRECHNUNG_UBL_STEPS[:1]


def test_cii_schema_is_checked(validator):
    def misplace(node):
        node.addprevious(etree.Element(f"{{{NS['ram']}}}NoSuchElement"))

    report = validator.validate(mutated(CII_INVOICE, "//ram:BuyerReference", misplace))
    assert {finding.step for finding in report.errors} == {"xsd"}
    assert report.steps == XRECHNUNG_CII_STEPS[:1]


def test_en16931_rule_is_checked(validator):
    """BR-06: the seller's name, an EN 16931 rule (the first Schematron step)."""
    xpath = "/*/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName"
    report = validator.validate(mutated(UBL_INVOICE, xpath, remove))
    assert "BR-06" in report.rules("error")
    assert any("EN16931-UBL" in finding.step for finding in report.errors)


def test_scenario_custom_level_turns_a_fatal_rule_into_a_warning(validator):
    """BR-CL-23 (unit code) is fatal in EN 16931; KoSIT's XRechnung scenarios lower it
    to a warning, its plain EN 16931 scenario does not."""
    unit = "//cac:InvoiceLine/cbc:InvoicedQuantity"
    xml = mutated(UBL_INVOICE, unit, lambda node: node.set("unitCode", "NO-SUCH-UNIT"))
    report = validator.validate(xml)
    assert report.valid
    lowered = [finding for finding in report.warnings if finding.rule == "BR-CL-23"]
    assert lowered
    assert {(finding.flag, finding.level) for finding in lowered} == {("fatal", "warning")}

    plain = etree.fromstring(xml)
    plain.find("cbc:CustomizationID", NS).text = "urn:cen.eu:en16931:2017"
    report = validator.validate(etree.tostring(plain))
    assert report.scenario == "EN16931 (UBL Invoice)"
    assert "BR-CL-23" in report.rules("error")
    assert report.steps == XRECHNUNG_UBL_STEPS[:2]


def test_document_without_scenario_is_an_error(validator):
    xml = mutated(UBL_INVOICE, "/*/cbc:CustomizationID", set_text("urn:example:unknown"))
    report = validator.validate(xml)
    assert report.scenario is None
    assert not report.valid
    assert [finding.rule for finding in report.errors] == ["SCENARIO"]
    assert report.steps == []


def test_not_well_formed_document_is_an_error(validator):
    report = validator.validate(b"<Invoice><cbc:ID>1</Invoice>")
    assert report.scenario is None
    assert [finding.rule for finding in report.errors] == ["XML"]


def test_two_matching_scenarios_are_an_error():
    scenario = validation.XRECHNUNG.scenarios[0]
    twice = validation.Configuration("twice", (scenario, scenario))
    with validation.Validator(configurations=(twice,)) as checker:
        report = checker.validate(UBL_INVOICE.read_bytes())
    assert report.scenario is None
    assert "More than one scenario" in report.errors[0].text


def test_facturx_extended_goes_through_facturx_rules(validator):
    guideline = "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    xml = mutated(CII_INVOICE, guideline, set_text(FACTURX_GUIDELINE))
    report = validator.validate(xml)
    assert report.scenario == "Factur-X 1.07.2 EXTENDED (CII)"
    assert report.steps == [
        "xsd:factur-x-1.07.2/EXTENDED/FACTUR-X_EXTENDED.xsd",
        "schematron:factur-x-1.07.2/EXTENDED/FACTUR-X_EXTENDED.xslt",
    ]
    assert report.errors == []

    xml = etree.fromstring(xml)
    name = xml.xpath("//ram:SellerTradeParty/ram:Name", namespaces=NS)[0]
    name.getparent().remove(name)
    report = validator.validate(etree.tostring(xml))
    assert report.scenario == "Factur-X 1.07.2 EXTENDED (CII)"
    assert any(finding.text.startswith("[BR-06]") for finding in report.errors)
    assert all(finding.rule.startswith("FX-SCH-A-") for finding in report.errors)


def test_facturx_en16931_profile_when_the_xml_comes_from_a_facturx_pdf(validator):
    guideline = "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    xml = mutated(CII_INVOICE, guideline, set_text("urn:cen.eu:en16931:2017"))
    # As a bare XML, KoSIT's configuration has a scenario for it.
    assert validator.validate(xml).scenario == "EN16931 (CII)"
    report = validator.validate(xml, facturx=True)
    assert report.scenario == "Factur-X 1.07.2 EN16931 (CII)"
    assert report.errors == []
    assert report.steps == [
        "xsd:factur-x-1.07.2/EN16931/FACTUR-X_EN16931.xsd",
        "schematron:factur-x-1.07.2/EN16931/FACTUR-X_EN16931.xslt",
    ]

    seller = "//ram:SellerTradeParty/ram:Name"
    report = validator.validate(mutated(CII_INVOICE, seller, remove), facturx=True)
    assert report.scenario == "EN16931 XRechnung (CII)"  # XRechnung stays with KoSIT
    xml = etree.fromstring(xml)
    name = xml.xpath(seller, namespaces=NS)[0]
    name.getparent().remove(name)
    report = validator.validate(etree.tostring(xml), facturx=True)
    assert any(finding.text.startswith("[BR-06]") for finding in report.errors)


def test_command_line(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(mutated(UBL_INVOICE, "/*/cbc:BuyerReference", remove))
    script = Path(validation.__file__)
    result = subprocess.run(
        [sys.executable, str(script), str(UBL_INVOICE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "scenario: EN16931 XRechnung (UBL Invoice)" in result.stdout
    result = subprocess.run(
        [sys.executable, str(script), str(UBL_INVOICE), str(broken)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "[BR-DE-15] (error)" in result.stdout
