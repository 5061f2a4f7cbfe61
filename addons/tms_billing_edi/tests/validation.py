"""Independent checks of e-invoices, offline: the Factur-X/ZUGFeRD XML schemas (the
``factur-x`` package) and the EN 16931 and XRechnung Schematron rules (the official XSLT
in ``data/``, run with Saxon HE from ``saxonche``)."""

import json
import os
import resource
import subprocess
import sys
from dataclasses import asdict, dataclass

from lxml import etree

try:
    import facturx
except ImportError:
    facturx = None
try:
    import saxonche
except ImportError:
    saxonche = None

DATA = os.path.join(os.path.dirname(__file__), "data")
EN16931_UBL = os.path.join(DATA, "en16931-1.3.16", "EN16931-UBL-validation.xslt")
EN16931_CII = os.path.join(DATA, "en16931-1.3.16", "EN16931-CII-validation.xslt")
XRECHNUNG_UBL = os.path.join(DATA, "xrechnung-schematron-2.5.0", "XRechnung-UBL-validation.xsl")

SVRL = "http://purl.oclc.org/dsdl/svrl"
# Flags of rules a valid invoice may still break: the rule files mark recommendations
# "warning" (EN 16931 and XRechnung alike); everything else ("fatal", "error", or no
# flag) makes an invoice invalid.
ADVISORY_FLAGS = frozenset({"warning", "information"})


class MissingChecker(Exception):
    """A package the checks need is not installed."""


@dataclass(frozen=True)
class Finding:
    rule: str
    flag: str
    location: str
    text: str

    @property
    def blocking(self):
        return self.flag not in ADVISORY_FLAGS

    def __str__(self):
        return f"[{self.rule}] ({self.flag}) at {self.location}: {self.text}"


def cii_schema_errors(xml):
    """The Factur-X/ZUGFeRD XSD errors of a CII invoice (an empty list when valid); the
    profile is the one the invoice names in its guideline (BT-24)."""
    if facturx is None:
        raise MissingChecker("the factur-x package (pip install factur-x)")
    try:
        facturx.xml_check_xsd(xml)
    except Exception as error:  # factur-x raises a plain Exception with the lxml log
        return [str(error)]
    return []


class SchematronRules:
    """Schematron XSLT run by Saxon in a child process, each file compiled once.

    Saxon HE (saxonche) is a GraalVM native image: it reserves more address space than
    the hard memory limit Odoo sets on its own process (``limit_memory_hard``), so it
    runs in a child that lifts that limit for itself. Close it with ``close()``."""

    def __init__(self):
        if saxonche is None:
            raise MissingChecker("the saxonche package (pip install saxonche)")
        self._child = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def findings(self, path, xml):
        """The rules of the XSLT at ``path`` that ``xml`` (bytes) breaks."""
        self._child.stdin.write(json.dumps({"rules": path, "xml": xml.decode("utf-8")}) + "\n")
        self._child.stdin.flush()
        answer = json.loads(self._child.stdout.readline() or '{"error": "checker stopped"}')
        if "error" in answer:
            raise RuntimeError(f"Schematron check with {path} failed: {answer['error']}")
        return [Finding(**finding) for finding in answer["findings"]]

    def close(self):
        self._child.stdin.close()
        self._child.wait(timeout=30)


def _serve():
    """The child: one JSON request a line on stdin, one JSON answer a line on stdout."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    processor = saxonche.PySaxonProcessor(license=False)
    compiled = {}
    for request in sys.stdin:
        request = json.loads(request)
        try:
            path = request["rules"]
            if path not in compiled:
                compiled[path] = processor.new_xslt30_processor().compile_stylesheet(
                    stylesheet_file=path
                )
            document = processor.parse_xml(xml_text=request["xml"])
            report = compiled[path].transform_to_string(xdm_node=document)
            answer = {"findings": [asdict(finding) for finding in _svrl_findings(report)]}
        except Exception as error:  # reported to the parent, which raises it
            answer = {"error": repr(error)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def _svrl_findings(report):
    tree = etree.fromstring(report.encode("utf-8"))
    return [
        Finding(
            rule=node.get("id") or "",
            flag=node.get("flag") or "",
            location=node.get("location") or "",
            text=" ".join(node.findtext(f"{{{SVRL}}}text", "").split()),
        )
        for node in tree.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report")
    ]


if __name__ == "__main__":
    _serve()
