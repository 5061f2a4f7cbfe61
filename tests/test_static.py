"""Static checks of the addons: lint, XML, manifests, translations. No Odoo needed."""

import ast
import importlib.util
import re
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


# The messages of the provider API packages (and of the HTTP layer they share), which
# reach people through the connections: each is a template marked with _lt, which Odoo's
# translation export takes into the addon's translations, and which the addon's Odoo side
# gives in the reader's language (export_errors.TranslatableError.text).
API_SOURCES = {
    "tms_billing_lexoffice": sorted((REPO / "addons/tms_billing_lexoffice/api").glob("*.py")),
    "tms_billing_sevdesk": sorted((REPO / "addons/tms_billing_sevdesk/api").glob("*.py")),
    "tms_billing_sync": [
        REPO / "addons/tms_billing_sync/export_errors.py",
        REPO / "addons/tms_billing_sync/export_http.py",
    ],
}
API_ERROR_FILES = [
    REPO / "addons/tms_billing_lexoffice/api/errors.py",
    REPO / "addons/tms_billing_sevdesk/api/errors.py",
]
# Exceptions raised there whose text is for no person: an answer to lexoffice's callback
# (its HTTP 400 body), a call given back untried (the ledger shows nothing of it), and
# what urllib3 and a programmer get.
NOT_FOR_PEOPLE = {"WebhookEventError", "ExportDeadlineReached", "MaxRetryError", "TypeError"}
# What the HTTP layer raises a provider's exceptions as (export_http.ApiClient).
CLIENT_ERROR_CLASSES = {"error_class", "unknown_class", "unreachable_class"}
# Arguments of the exceptions' constructors, not parameters of their messages.
ERROR_ARGUMENTS = {"status", "details", "exception_uuid"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _api_error_classes():
    return {
        node.name
        for path in API_ERROR_FILES
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
    }


def _callee(call):
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _lt_literal(node):
    """The template of ``_lt("...")``, or None."""
    if (
        isinstance(node, ast.Call)
        and _callee(node) == "_lt"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def _template_tables(tree):
    """Module-level dicts whose every value is an _lt literal, e.g. NOT_A_NUMBER."""
    tables = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Dict)
            and node.value.values
            and all(_lt_literal(value) is not None for value in node.value.values)
        ):
            tables[node.targets[0].id] = [_lt_literal(value) for value in node.value.values]
    return tables


def _api_message_calls():
    """Every construction of a message-carrying exception in the API sources, as
    ``(where, call, templates)``; ``templates`` is None when its first argument is no
    _lt literal (nor a table of them)."""
    classes = _api_error_classes()
    found = []
    for paths in API_SOURCES.values():
        for path in paths:
            tree = ast.parse(path.read_text())
            tables = _template_tables(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = _callee(node)
                if name not in classes | CLIENT_ERROR_CLASSES:
                    continue
                where = f"{path.relative_to(REPO)}:{node.lineno}"
                first = node.args[0] if node.args else None
                templates = None
                if _lt_literal(first) is not None:
                    templates = [_lt_literal(first)]
                elif (
                    isinstance(first, ast.Subscript)
                    and isinstance(first.value, ast.Name)
                    and first.value.id in tables
                ):
                    templates = tables[first.value.id]
                elif ast.unparse(first) == "self.template" if first else False:
                    # SevdeskError.recast: the same message as another class.
                    templates = []
                found.append((where, node, templates))
    return found


def test_api_messages_are_translatable_templates():
    calls = _api_message_calls()
    # Both clients, both mappers and the HTTP layer raise them.
    assert len(calls) > 80
    untranslatable = [where for where, _call, templates in calls if templates is None]
    assert not untranslatable, f"messages without an _lt(...) template: {untranslatable}"
    wrong = []
    for where, call, templates in calls:
        if any(keyword.arg is None for keyword in call.keywords):
            continue  # **params: given at run time
        given = {keyword.arg for keyword in call.keywords} - ERROR_ARGUMENTS
        for template in templates:
            if set(PLACEHOLDER.findall(template)) != given or ("%" in template and not given):
                wrong.append(f"{where}: {template!r} given {sorted(given)}")
    assert not wrong, "templates whose parameters do not match:\n" + "\n".join(wrong)


def test_api_packages_raise_nothing_else_for_people():
    classes = _api_error_classes()
    others = []
    for paths in API_SOURCES.values():
        for path in paths:
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                    name = _callee(node.exc)
                    if name in classes | CLIENT_ERROR_CLASSES | NOT_FOR_PEOPLE | {"recast"}:
                        continue
                    others.append(f"{path.relative_to(REPO)}:{node.lineno} {name}")
    assert not others, f"exceptions outside the translated ones: {others}"


@pytest.mark.parametrize("module", sorted(API_SOURCES))
def test_api_messages_have_german_text(module):
    templates = {
        _lt_literal(node)
        for path in API_SOURCES[module]
        for node in ast.walk(ast.parse(path.read_text()))
        if _lt_literal(node) is not None
    }
    assert templates
    i18n = REPO / "addons" / module / "i18n"
    pot = {entry.msgid for entry in polib.pofile(str(i18n / f"{module}.pot"))}
    german = {
        entry.msgid: entry
        for entry in polib.pofile(str(i18n / "de.po"))
        if entry.msgstr and not entry.obsolete
    }
    assert not templates - pot, f"not in {module}.pot: {sorted(templates - pot)[:5]}"
    missing = sorted(templates - set(german))
    assert not missing, f"{len(missing)} messages without German text, e.g. {missing[:5]}"
    for template in templates:
        entry = german[template]
        # Odoo reads code translations only from entries marked as Python's.
        assert "odoo-python" in entry.comment, template
        assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(PLACEHOLDER.findall(template)), (
            entry.msgstr
        )
        assert entry.msgstr.count("%%") == template.count("%%"), entry.msgstr


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
