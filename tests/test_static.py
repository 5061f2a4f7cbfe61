"""Static checks of the addons: lint, XML, manifests, translations. No Odoo needed."""

import ast
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import polib
import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS = sorted(p.parent for p in (REPO / "addons").glob("*/__manifest__.py"))
XML_FILES = sorted((REPO / "addons").rglob("*.xml"))


def _run(*command):
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


def test_addons_are_found():
    assert {addon.name for addon in ADDONS} >= {"tms_billing"}


def test_ruff_lint():
    pytest.importorskip("ruff")
    result = _run(sys.executable, "-m", "ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    pytest.importorskip("ruff")
    result = _run(sys.executable, "-m", "ruff", "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("addon", ADDONS, ids=lambda p: p.name)
def test_pylint_odoo_mandatory_checks(addon):
    pytest.importorskip("pylint_odoo")
    result = _run(sys.executable, "-m", "pylint", "--rcfile=.pylintrc", str(addon))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: str(p.relative_to(REPO / "addons")))
def test_xml_is_well_formed(path):
    root = ElementTree.parse(path).getroot()
    assert root.tag == "odoo"
    # Odoo 18 views: <list>, and visibility by expression instead of attrs/states.
    assert root.find(".//tree") is None
    assert not [node for node in root.iter() if "attrs" in node.attrib or "states" in node.attrib]


@pytest.mark.parametrize("addon", ADDONS, ids=lambda p: p.name)
def test_manifest_lists_existing_files(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    assert manifest["version"].startswith("18.0.")
    assert manifest["license"] == "LGPL-3"
    for key in ("data", "demo"):
        for name in manifest.get(key, []):
            assert (addon / name).is_file(), f"{addon.name}: {name} listed in {key} is missing"
    assert (addon / "readme" / "DESCRIPTION.md").is_file()
    assert (addon / "static" / "description" / "icon.png").is_file()
    listed = set(manifest.get("data", [])) | set(manifest.get("demo", []))
    on_disk = {
        str(path.relative_to(addon))
        for folder in ("data", "views", "security", "wizards", "demo")
        for path in (addon / folder).glob("*")
        if path.suffix in (".xml", ".csv")
    }
    assert on_disk <= listed, f"files not loaded by the manifest: {on_disk - listed}"


@pytest.mark.parametrize("addon", ADDONS, ids=lambda p: p.name)
def test_every_model_has_access_rules(addon):
    csv_path = addon / "security" / "ir.model.access.csv"
    csv = csv_path.read_text() if csv_path.exists() else ""
    for path in [*addon.glob("models/*.py"), *addon.glob("wizards/*.py")]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "_name" for t in node.targets
            ):
                model = node.value.value
                assert f"model_{model.replace('.', '_')}," in csv, f"no access rule for {model}"


@pytest.mark.parametrize("addon", ADDONS, ids=lambda p: p.name)
def test_german_translation_is_complete(addon):
    pot = polib.pofile(str(addon / "i18n" / f"{addon.name}.pot"))
    po = polib.pofile(str(addon / "i18n" / "de.po"))
    translated = {entry.msgid for entry in po if entry.msgstr and not entry.obsolete}
    missing = [entry.msgid for entry in pot if entry.msgid not in translated]
    assert len(pot) > 0
    assert not missing, f"{len(missing)} strings without German text, e.g. {missing[:5]}"
