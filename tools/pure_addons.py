"""Import the addons' Odoo-free code without Odoo, e.g. ``load("tms_billing_lexoffice.api")``.

Inside Odoo the addons are packages of ``odoo.addons``; here ``tms_addons`` stands for
it. Its addon packages and their ``tests`` packages are empty: their ``__init__`` files,
which import Odoo, never run. The pure modules (engine, contract, API clients, fakes)
import each other relatively, e.g. ``from ...tms_billing_sync.export_http import Transport``,
which resolves the same way in both places.
"""

import importlib
import sys
import types
from pathlib import Path

ADDONS = Path(__file__).resolve().parent.parent / "addons"
ROOT = "tms_addons"


def _empty_package(name, path):
    if name not in sys.modules:
        package = types.ModuleType(name)
        package.__path__ = [str(path)]
        sys.modules[name] = package


def load(dotted, alias=None):
    """The module ``addons/<dotted path>``, imported as ``tms_addons.<dotted>`` (and as
    ``alias`` too, when given)."""
    _empty_package(ROOT, ADDONS)
    for manifest in ADDONS.glob("*/__manifest__.py"):
        addon = manifest.parent
        _empty_package(f"{ROOT}.{addon.name}", addon)
        _empty_package(f"{ROOT}.{addon.name}.tests", addon / "tests")
    module = importlib.import_module(f"{ROOT}.{dotted}")
    if alias:
        sys.modules[alias] = module
    return module
