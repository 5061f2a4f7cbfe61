"""Static checks of the addons: lint, XML, manifests, translations. No Odoo needed."""

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import polib
import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS = sorted(p.parent for p in (REPO / "addons").glob("*/__manifest__.py"))
# Odoo's XML files: not the third-party data of the addons' tests (<addon>/tests/data/:
# schemas, validation rules and the configuration that runs them).
XML_FILES = sorted(
    path
    for path in (REPO / "addons").rglob("*.xml")
    if path.relative_to(REPO / "addons").parts[1:3] != ("tests", "data")
)


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


# The project's own checks (.pylintrc) and OCA's mandatory ones for 18.0
# (.pylintrc-mandatory), as .pre-commit-config.yaml runs them.
@pytest.mark.parametrize("rcfile", [".pylintrc", ".pylintrc-mandatory"])
@pytest.mark.parametrize("addon", ADDONS, ids=lambda p: p.name)
def test_pylint_odoo_mandatory_checks(addon, rcfile):
    pytest.importorskip("pylint_odoo")
    result = _run(sys.executable, "-m", "pylint", f"--rcfile={rcfile}", str(addon))
    assert result.returncode == 0, result.stdout + result.stderr


def _oca_hook(module, *args):
    """Runs a check of oca-odoo-pre-commit-hooks as its console script does."""
    pytest.importorskip("oca_pre_commit_hooks")
    code = f"import sys; from oca_pre_commit_hooks.{module} import main; sys.exit(main())"
    return _run(sys.executable, "-c", code, *args)


def test_oca_checks_odoo_module():
    """OCA's checks of manifests, XML, CSV and data files (.pre-commit-config.yaml)."""
    manifests = [str(addon / "__manifest__.py") for addon in ADDONS]
    result = _oca_hook("cli", *manifests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_oca_checks_po():
    po_files = sorted(str(path) for path in (REPO / "addons").glob("*/i18n/*.po*"))
    assert po_files
    result = _oca_hook("cli_po", "--disable=po-pretty-format", *po_files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_forbidden_files():
    """The local hooks of .pre-commit-config.yaml: no patch rejects, no en.po."""
    listed = _run("git", "ls-files", "--cached", "--others", "--exclude-standard")
    if listed.returncode:
        pytest.skip("not a git work tree")
    names = listed.stdout.splitlines()
    assert "README.md" in names
    assert not [name for name in names if name.endswith((".rej", "/i18n/en.po"))]


def test_addon_readmes_match_their_fragments():
    """README.rst and the Apps page (static/description/index.html) are rendered from
    readme/*.md by tools/gen_addon_readme.py; a changed fragment needs a new rendering."""
    pytest.importorskip("docutils")
    result = _run(sys.executable, "tools/gen_addon_readme.py", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("addon", ADDONS, ids=lambda p: p.name)
def test_addon_readme_fragments(addon):
    for name in ("DESCRIPTION", "CONFIGURE", "USAGE", "CONTRIBUTORS"):
        assert (addon / "readme" / f"{name}.md").is_file(), f"{addon.name}: {name}.md missing"
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    assert manifest.get("summary") and manifest.get("author")


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
        for cls in ast.walk(tree):
            # An abstract model has no records, hence no access rules.
            if not isinstance(cls, ast.ClassDef) or any(
                getattr(base, "attr", None) == "AbstractModel" for base in cls.bases
            ):
                continue
            for node in cls.body:
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "_name" for t in node.targets
                ):
                    model = node.value.value
                    assert f"model_{model.replace('.', '_')}," in csv, f"no access rule for {model}"


@pytest.mark.parametrize("addon", ADDONS, ids=lambda p: p.name)
def test_german_translation_is_complete(addon):
    if not (addon / "i18n").is_dir():
        # An addon without texts of its own (the demo) has nothing to translate.
        sources = [path.read_text() for path in addon.rglob("*.py") if "tests" not in path.parts]
        assert not list(addon.rglob("*.xml")), f"{addon.name}: views or data without i18n/"
        assert not any("_(" in source or "_lt(" in source for source in sources)
        return
    pot = polib.pofile(str(addon / "i18n" / f"{addon.name}.pot"))
    po = polib.pofile(str(addon / "i18n" / "de.po"))
    translated = {entry.msgid for entry in po if entry.msgstr and not entry.obsolete}
    missing = [entry.msgid for entry in pot if entry.msgid not in translated]
    assert len(pot) > 0
    assert not missing, f"{len(missing)} strings without German text, e.g. {missing[:5]}"


def _readme_tool():
    spec = importlib.util.spec_from_file_location(
        "gen_addon_readme", REPO / "tools" / "gen_addon_readme.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_fragments_render_to_rst():
    tool = _readme_tool()
    rst = tool.markdown_to_rst(
        "Intro with `code`, *em* and [a link](https://example.org).\n\n"
        "## Part\n\n1. first\n   line\n2. second\n\n- item_x\n",
        "x.md",
        tool.FRAGMENT_HEADINGS,
    )
    assert rst == (
        "Intro with ``code``, *em* and `a link <https://example.org>`__.\n\n"
        "Part\n~~~~\n\n#. first line\n#. second\n\n- item_x\n"
    )
    # Markdown the converter does not know is refused rather than rendered wrongly.
    for source in ("| a | b |\n", "> quote\n", "<b>bold</b>\n", "```\ncode\n"):
        with pytest.raises(tool.FragmentError):
            tool.markdown_to_rst(source, "x.md", tool.FRAGMENT_HEADINGS)
