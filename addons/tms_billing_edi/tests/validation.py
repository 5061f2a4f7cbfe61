"""E-invoices checked offline as their recipient's validator checks them.

German public recipients check an e-invoice with the KoSIT validator and its official
configuration for XRechnung (``data/validator-configuration-xrechnung-*``): the first
step picks the one *scenario* whose XPath ``match`` the document fulfils, then the
scenario's XML Schema runs, then its Schematron rules in order (EN 16931, then the
XRechnung rules, which include the Peppol BIS Billing rules KoSIT merges into them), and
the scenario's ``customLevel`` entries lower or raise the level of single rules. Rules
flagged ``fatal`` or ``error`` (or not flagged) are errors and reject the invoice;
``warning`` and ``information`` are warnings. A document no scenario matches is
rejected as well.

This module does the same with the shipped artefacts (``data/*/README.md`` names their
sources): ``validate(xml_bytes)`` returns a ``Report``. A Factur-X/ZUGFeRD invoice
whose guideline (BT-24) names a Factur-X profile KoSIT does not know (EXTENDED) is
checked with the Factur-X 1.07.2 schema and Schematron of that profile; with
``facturx=True`` (the XML of a Factur-X PDF) the Factur-X scenarios come first, so the
EN 16931 profile is checked with Factur-X's own rules too.

Needs lxml and saxonche only. Saxon HE runs the XPath and XSLT in a child process
(``SchematronRules``). Command line: ``python validation.py [--facturx] FILE.xml...``
prints a report per file and exits non-zero when a file has errors.
"""

import atexit
import json
import os
import resource
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field

from lxml import etree

try:
    import saxonche
except ImportError:
    saxonche = None

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
KOSIT_CONFIGURATION = os.path.join(DATA, "validator-configuration-xrechnung-2026-01-31")
EN16931_UBL = os.path.join(DATA, "en16931-1.3.16", "EN16931-UBL-validation.xslt")
EN16931_CII = os.path.join(DATA, "en16931-1.3.16", "EN16931-CII-validation.xslt")
_XRECHNUNG = os.path.join(DATA, "xrechnung-schematron-2.5.0", "schematron")
XRECHNUNG_UBL = os.path.join(_XRECHNUNG, "ubl", "XRechnung-UBL-validation.xsl")
XRECHNUNG_CII = os.path.join(_XRECHNUNG, "cii", "XRechnung-CII-validation.xsl")
UBL_INVOICE_XSD = os.path.join(DATA, "ubl-2.1", "maindoc", "UBL-Invoice-2.1.xsd")
UBL_CREDIT_NOTE_XSD = os.path.join(DATA, "ubl-2.1", "maindoc", "UBL-CreditNote-2.1.xsd")
CII_XSD = os.path.join(DATA, "uncefact-cii-d16b", "CrossIndustryInvoice_100pD16B.xsd")
_FACTURX = os.path.join(DATA, "factur-x-1.07.2")
FACTURX_EN16931_XSD = os.path.join(_FACTURX, "EN16931", "FACTUR-X_EN16931.xsd")
FACTURX_EN16931 = os.path.join(_FACTURX, "EN16931", "FACTUR-X_EN16931.xslt")
FACTURX_EXTENDED_XSD = os.path.join(_FACTURX, "EXTENDED", "FACTUR-X_EXTENDED.xsd")
FACTURX_EXTENDED = os.path.join(_FACTURX, "EXTENDED", "FACTUR-X_EXTENDED.xslt")

# Where the resources a KoSIT scenario names (``resources/...``, relative to the
# configuration's repository directory) are shipped here.
RESOURCES = {
    "resources/ubl/2.1/xsd/maindoc/UBL-Invoice-2.1.xsd": UBL_INVOICE_XSD,
    "resources/ubl/2.1/xsd/maindoc/UBL-CreditNote-2.1.xsd": UBL_CREDIT_NOTE_XSD,
    "resources/cii/16b/xsd/CrossIndustryInvoice_100pD16B.xsd": CII_XSD,
    "resources/ubl/2.1/xsl/EN16931-UBL-validation.xsl": EN16931_UBL,
    "resources/cii/16b/xsl/EN16931-CII-validation.xsl": EN16931_CII,
    "resources/xrechnung/3.0.2/xsl/XRechnung-UBL-validation.xsl": XRECHNUNG_UBL,
    "resources/xrechnung/3.0.2/xsl/XRechnung-CII-validation.xsl": XRECHNUNG_CII,
}

SCENARIOS = "http://www.xoev.de/de/validator/framework/1/scenarios"
SVRL = "http://purl.oclc.org/dsdl/svrl"
CII_NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
LEVELS = ("error", "warning", "information")


class MissingChecker(Exception):
    """A package the checks need is not installed."""


@dataclass(frozen=True)
class Finding:
    """A message of one validation step. ``flag`` is what the step reported (the
    Schematron flag, ``error`` for the XML Schema), ``level`` what counts: ``error``,
    ``warning`` or ``information``, after the scenario's custom levels."""

    rule: str
    flag: str
    location: str
    text: str
    level: str = "error"
    step: str = ""

    @property
    def blocking(self):
        return self.level == "error"

    def __str__(self):
        return f"[{self.rule}] ({self.level}) at {self.location}: {self.text}"


@dataclass
class Report:
    """The outcome of ``validate``: the matched scenario's name (None: no scenario, which
    is an error itself), the errors (the invoice is to be rejected) and the warnings
    (``warning`` and ``information``), and the steps run, in order (``xsd:<file>``,
    ``schematron:<file>``)."""

    scenario: str | None
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    steps: list = field(default_factory=list)

    @property
    def valid(self):
        return self.scenario is not None and not self.errors

    def rules(self, level=None):
        """The ids of the rules broken (at ``level``, or at any level)."""
        return {
            finding.rule
            for finding in self.errors + self.warnings
            if level is None or finding.level == level
        }

    def __str__(self):
        lines = [
            f"scenario: {self.scenario or '(none)'}",
            f"steps: {', '.join(self.steps) or '(none)'}",
            f"result: {'valid' if self.valid else 'INVALID'} "
            f"({len(self.errors)} errors, {len(self.warnings)} warnings)",
        ]
        lines += [f"  {finding}" for finding in self.errors + self.warnings]
        return "\n".join(lines)


@dataclass(frozen=True)
class Scenario:
    """A KoSIT scenario: the document it is for (``match``, XPath with ``namespaces``),
    its XML Schema, its Schematron XSLT (in order) and the custom levels of rules."""

    name: str
    match: str
    namespaces: dict
    schema: str
    schematrons: tuple
    custom_levels: dict


@dataclass(frozen=True)
class Configuration:
    name: str
    scenarios: tuple


KOSIT_SCENARIOS = os.path.join(KOSIT_CONFIGURATION, "scenarios.xml")


def load_configuration(path=KOSIT_SCENARIOS):
    """The scenarios of a KoSIT ``scenarios.xml``, in their order."""
    root = etree.parse(path).getroot()
    ns = {"s": SCENARIOS}
    scenarios = []
    for node in root.iterfind("s:scenario", ns):
        schemas = node.xpath("s:validateWithXmlSchema/s:resource/s:location/text()", namespaces=ns)
        if len(schemas) != 1:
            raise ValueError(f"{path}: a scenario with {len(schemas)} XML Schemas")
        custom_levels = {}
        for custom in node.iterfind("s:createReport/s:customLevel", ns):
            for rule in custom.text.split():
                custom_levels[rule] = custom.get("level")
        scenarios.append(
            Scenario(
                name=" ".join(node.findtext("s:name", namespaces=ns).split()),
                match=" ".join(node.findtext("s:match", namespaces=ns).split()),
                namespaces={
                    namespace.get("prefix"): namespace.text.strip()
                    for namespace in node.iterfind("s:namespace", ns)
                },
                schema=RESOURCES[schemas[0].strip()],
                schematrons=tuple(
                    RESOURCES[location.strip()]
                    for location in node.xpath(
                        "s:validateWithSchematron/s:resource/s:location/text()", namespaces=ns
                    )
                ),
                custom_levels=custom_levels,
            )
        )
    return Configuration(" ".join(root.findtext("s:name", namespaces=ns).split()), tuple(scenarios))


def _facturx_scenario(profile, guideline, schema, rules):
    return Scenario(
        name=f"Factur-X 1.07.2 {profile} (CII)",
        match="exists(/rsm:CrossIndustryInvoice[rsm:ExchangedDocumentContext/ram:"
        f"GuidelineSpecifiedDocumentContextParameter/ram:ID/text() = '{guideline}'])",
        namespaces=CII_NAMESPACES,
        schema=schema,
        schematrons=(rules,),
        custom_levels={},
    )


XRECHNUNG = load_configuration()
# Factur-X 1.07.2 = ZUGFeRD 2.3.2: the profile's schema, then its Schematron, as
# Factur-X's own validators do. Its EN 16931 profile has the guideline of KoSIT's
# "EN16931 (CII)" scenario; it is only reached when this configuration comes first.
FACTURX = Configuration(
    "Factur-X 1.07.2 / ZUGFeRD 2.3.2",
    (
        _facturx_scenario(
            "EXTENDED",
            "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
            FACTURX_EXTENDED_XSD,
            FACTURX_EXTENDED,
        ),
        _facturx_scenario(
            "EN16931", "urn:cen.eu:en16931:2017", FACTURX_EN16931_XSD, FACTURX_EN16931
        ),
    ),
)


def kosit_level(flag, role=""):
    """A Schematron message's level as KoSIT's report (``default-report.xsl``) sets it."""
    given = {flag, role}
    if given & {"fatal", "error"}:
        return "error"
    if given & {"warning", "warn"}:
        return "warning"
    if given & {"information", "info"}:
        return "information"
    return "error"


class SchematronRules:
    """Saxon HE in a child process: the scenarios' XPath and the Schematron XSLT, each
    stylesheet compiled once.

    Saxon HE (saxonche) is a GraalVM native image: it reserves more address space than
    the hard memory limit Odoo sets on its own process (``limit_memory_hard``), so it
    runs in a child that lifts that limit for itself. Close it with ``close()``."""

    def __init__(self):
        if saxonche is None:
            raise MissingChecker("the saxonche package (pip install saxonche)")
        self._child = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _ask(self, **request):
        self._child.stdin.write(json.dumps(request) + "\n")
        self._child.stdin.flush()
        answer = json.loads(self._child.stdout.readline() or '{"error": "checker stopped"}')
        if "error" in answer:
            raise RuntimeError(f"Saxon failed on {request.get('op')}: {answer['error']}")
        return answer

    def _load(self, xml):
        """Makes ``xml`` (bytes) the document the next requests work on."""
        with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as file:
            file.write(xml)
        try:
            self._ask(op="load", file=file.name)
        finally:
            os.unlink(file.name)

    def findings(self, path, xml):
        """The messages of the Schematron XSLT at ``path`` for ``xml`` (bytes), at the
        level their flag gives."""
        self._load(xml)
        return self._rules(path)

    def _rules(self, path):
        answer = self._ask(op="rules", rules=path)
        return [Finding(**finding) for finding in answer["findings"]]

    def _matches(self, scenarios):
        answer = self._ask(
            op="match", tests=[[scenario.match, scenario.namespaces] for scenario in scenarios]
        )
        return [scenario for scenario, hit in zip(scenarios, answer["matches"], strict=True) if hit]

    def close(self):
        self._child.stdin.close()
        self._child.wait(timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()


class Validator(SchematronRules):
    """KoSIT's check of a document: scenario, XML Schema, Schematron, custom levels."""

    def __init__(self, configurations=(XRECHNUNG, FACTURX)):
        super().__init__()
        self.configurations = configurations
        self._schemas = {}

    def validate(self, xml, facturx=False):
        """The ``Report`` of ``xml`` (bytes). The configurations are tried in order;
        within one, exactly one scenario must match (KoSIT's rule). ``facturx``: the
        XML comes from a Factur-X/ZUGFeRD PDF, whose own configuration goes first."""
        try:
            etree.fromstring(xml)
        except etree.XMLSyntaxError as error:
            return Report(None, [_error("XML", f"line {error.lineno}", str(error), "xml")])
        self._load(xml)
        configurations = self.configurations
        if facturx and FACTURX in configurations:
            configurations = (FACTURX, *(c for c in configurations if c is not FACTURX))
        for configuration in configurations:
            matched = self._matches(configuration.scenarios)
            if len(matched) > 1:
                names = ", ".join(scenario.name for scenario in matched)
                text = f"More than one scenario of {configuration.name} matches: {names}"
                return Report(None, [_error("SCENARIO", "/", text, "scenario")])
            if matched:
                return self._run(matched[0], xml)
        text = "None of the loaded scenarios matches the document"
        return Report(None, [_error("SCENARIO", "/", text, "scenario")])

    def _run(self, scenario, xml):
        report = Report(scenario.name)
        report.steps.append(f"xsd:{_short(scenario.schema)}")
        report.errors += self._schema_errors(scenario.schema, xml)
        if report.errors:
            return report  # KoSIT runs no Schematron on a document its schema refuses
        for path in scenario.schematrons:
            report.steps.append(f"schematron:{_short(path)}")
            for finding in self._rules(path):
                level = scenario.custom_levels.get(finding.rule, finding.level)
                finding = Finding(**{**asdict(finding), "level": level})
                (report.errors if level == "error" else report.warnings).append(finding)
        return report

    def _schema_errors(self, path, xml):
        if path not in self._schemas:
            self._schemas[path] = etree.XMLSchema(etree.parse(path))
        schema = self._schemas[path]
        if schema.validate(etree.fromstring(xml)):
            return []
        return [
            _error(error.type_name, f"line {error.line}, column {error.column}", error.message)
            for error in schema.error_log
        ]


def _error(rule, location, text, step="xsd"):
    return Finding(rule=rule, flag="error", location=location, text=text, step=step)


def _short(path):
    return os.path.relpath(path, DATA)


_shared = None


def validate(xml, facturx=False):
    """``Validator().validate(xml)`` with one validator for the whole process."""
    global _shared
    if _shared is None:
        _shared = Validator()
        atexit.register(_shared.close)
    return _shared.validate(xml, facturx=facturx)


def _serve():
    """The child: one JSON request a line on stdin, one JSON answer a line on stdout."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    processor = saxonche.PySaxonProcessor(license=False)
    compiled = {}
    document = None
    for request in sys.stdin:
        request = json.loads(request)
        try:
            if request["op"] == "load":
                document = processor.parse_xml(xml_file_name=request["file"])
                answer = {}
            elif request["op"] == "match":
                matches = []
                for xpath, namespaces in request["tests"]:
                    selector = processor.new_xpath_processor()
                    for prefix, uri in namespaces.items():
                        selector.declare_namespace(prefix, uri)
                    selector.set_context(xdm_item=document)
                    matches.append(selector.effective_boolean_value(xpath))
                answer = {"matches": matches}
            else:
                path = request["rules"]
                if path not in compiled:
                    compiled[path] = processor.new_xslt30_processor().compile_stylesheet(
                        stylesheet_file=path
                    )
                svrl = compiled[path].transform_to_string(xdm_node=document)
                step = f"schematron:{_short(path)}"
                answer = {"findings": [asdict(f) for f in _svrl_findings(svrl, step)]}
        except Exception as error:  # reported to the parent, which raises it
            answer = {"error": repr(error)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def _svrl_findings(report, step):
    tree = etree.fromstring(report.encode("utf-8"))
    findings = []
    for node in tree.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        flag = node.get("flag") or ""
        findings.append(
            Finding(
                rule=node.get("id") or "UNSPECIFIC",
                flag=flag,
                location=node.get("location") or "",
                text=" ".join(node.findtext(f"{{{SVRL}}}text", "").split()),
                level=kosit_level(flag, node.get("role") or ""),
                step=step,
            )
        )
    return findings


def main(argv):
    if argv[:1] == ["--serve"]:
        _serve()
        return 0
    facturx = "--facturx" in argv
    files = [arg for arg in argv if arg != "--facturx"]
    if not files or any(arg.startswith("-") for arg in files):
        sys.stderr.write("usage: python validation.py [--facturx] FILE.xml...\n")
        return 2
    failed = False
    with Validator() as validator:
        for path in files:
            with open(path, "rb") as file:
                report = validator.validate(file.read(), facturx=facturx)
            sys.stdout.write(f"{path}\n{report}\n\n")
            failed = failed or not report.valid
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
