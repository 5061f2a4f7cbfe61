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
import random
import sys
import types
from datetime import date
from pathlib import Path

import pytest

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


@pytest.fixture
def invoice_draft():
    """An invoice draft as both providers' mappers take it (``InvoiceDraft`` of
    ``tms_billing/export_contract.py``): a collective invoice of two orders."""
    return {
        "kind": "invoice",
        "marker": "TMS-abc-1",
        "language": "de",
        "tax_situation": "domestic",
        "fiscal_position": None,
        "reference": "S00001, S00002",
        "customer_reference": None,
        "invoice_date": date(2026, 11, 2),
        "currency": "EUR",
        "tax_mode": "net",
        "period_start": date(2026, 10, 1),
        "period_end": date(2026, 10, 31),
        "delivery_date": date(2026, 10, 28),
        "title": "Sammelrechnung",
        "introduction": "Transporte Oktober",
        "remark": "Vielen Dank für Ihre Aufträge.",
        "payment_term": {"label": "30 Tage netto", "days": 30},
        "timezone": "Europe/Berlin",
        "contact_id": None,
        "address": {
            "name": "Nordfracht GmbH",
            "supplement": None,
            "street": "Am Kai 1",
            "zip": "20457",
            "city": "Hamburg",
            "country_code": "DE",
            "country_name": "Deutschland",
        },
        "lines": [
            {
                "name": "S00001 Hamburg → Berlin",
                "description": "zugestellt 03.10.2026\nPOD: https://pod.example.com/1",
                "quantity": 1.0,
                "unit_name": "Transport",
                "unit_price": 480.0,
                "tax_rate": 19.0,
                "discount": 0.0,
            },
            {
                "name": "S00002 Bremen → Leipzig",
                "description": None,
                "quantity": 2.0,
                "unit_name": "Transport",
                "unit_price": 250.5,
                "tax_rate": 19.0,
                "discount": 10.0,
            },
        ],
    }


@pytest.fixture
def fault_storm():
    """Runs ``push(draft)`` for 200 drafts, a third of them through a fault injected
    into the fake's ``create_call``, and asserts every invoice exists there once."""

    def run(fake, push, draft, create_call, faults, seed):
        rng = random.Random(seed)
        fake.fault_delay = 0.4
        ids = {}
        for number in range(200):
            one = dict(draft, marker=f"TMS-fault-{number}")
            if rng.random() < 0.35:
                fake.inject(*create_call, [rng.choice(faults)])
            ids[one["marker"]] = push(one)
        for marker, invoice_id in ids.items():
            assert [invoice["id"] for invoice in fake.invoices_with_marker(marker)] == [invoice_id]
        assert len(fake.invoices) == 200

    return run
