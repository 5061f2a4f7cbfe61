"""Load the addons' Odoo-free packages by path, under neutral names.

An addon's ``__init__`` imports its Odoo models, so ``import tms_billing`` would
need Odoo. The pure packages use relative imports only, which lets them be
loaded on their own here and as ``odoo.addons.<addon>.<package>`` inside Odoo.
"""

import importlib.util
import sys
from pathlib import Path

ADDONS = Path(__file__).resolve().parent.parent / "addons"

PURE_MODULES = {
    "tms_billing_engine": ADDONS / "tms_billing" / "engine",
    "tms_billing_contract": ADDONS / "tms_billing" / "export_contract.py",
    "lexoffice_api": ADDONS / "tms_billing_lexoffice" / "api",
    "fake_lexoffice": ADDONS / "tms_billing_lexoffice" / "tests" / "fake_lexoffice.py",
    "sevdesk_api": ADDONS / "tms_billing_sevdesk" / "api",
    "fake_sevdesk": ADDONS / "tms_billing_sevdesk" / "tests" / "fake_sevdesk.py",
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


for _name, _path in PURE_MODULES.items():
    _entry = _path / "__init__.py" if _path.is_dir() else _path
    if _name not in sys.modules and _entry.exists():
        _load(_name, _path)
