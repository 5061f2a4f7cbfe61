"""Load the addons' Odoo-free packages by path, under neutral names.

An addon's ``__init__`` imports its Odoo models, so ``import tms_billing`` would
need Odoo. The pure packages use relative imports only, which lets them be
loaded on their own here and as ``odoo.addons.<addon>.<package>`` inside Odoo.

The fakes import what they share (``tms_billing/tests/fake_http.py``) across addons,
as ``...tms_billing.tests.fake_http``. They are loaded inside ``tms_addons``, a
package standing for ``odoo.addons`` whose addon and ``tests`` packages are empty:
their ``__init__`` files, which need Odoo, are never run.
"""

import importlib
import importlib.util
import sys
import types
from pathlib import Path

ADDONS = Path(__file__).resolve().parent.parent / "addons"

PURE_MODULES = {
    "tms_billing_engine": ADDONS / "tms_billing" / "engine",
    "tms_billing_contract": ADDONS / "tms_billing" / "export_contract.py",
    "lexoffice_api": ADDONS / "tms_billing_lexoffice" / "api",
    "sevdesk_api": ADDONS / "tms_billing_sevdesk" / "api",
}
FAKES = {
    "fake_lexoffice": "tms_billing_lexoffice",
    "fake_sevdesk": "tms_billing_sevdesk",
}


def _load(name, path):
    if path.is_dir():
        spec = importlib.util.spec_from_file_location(
            name, path / "__init__.py", submodule_search_locations=[str(path)]
        )
    else:
        spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _empty_package(name, path):
    package = types.ModuleType(name)
    package.__path__ = [str(path)]
    sys.modules.setdefault(name, package)


for _name, _path in PURE_MODULES.items():
    _entry = _path / "__init__.py" if _path.is_dir() else _path
    if _name not in sys.modules and _entry.exists():
        _load(_name, _path)

_empty_package("tms_addons", ADDONS)
for _addon in ("tms_billing", *FAKES.values()):
    _empty_package(f"tms_addons.{_addon}", ADDONS / _addon)
    _empty_package(f"tms_addons.{_addon}.tests", ADDONS / _addon / "tests")
for _name, _addon in FAKES.items():
    if _name not in sys.modules and (ADDONS / _addon / "tests" / f"{_name}.py").exists():
        sys.modules[_name] = importlib.import_module(f"tms_addons.{_addon}.tests.{_name}")
