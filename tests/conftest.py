"""Load the addons' Odoo-free code under neutral names (``tools/pure_addons.py``).

An addon's ``__init__`` imports its Odoo models, so ``import tms_billing`` would need
Odoo. The pure packages and the fakes are loaded on their own here, and as
``odoo.addons.<addon>.<package>`` inside Odoo.
"""

import random
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from pure_addons import load

PURE_MODULES = {
    "tms_billing_engine": "tms_billing.engine",
    "tms_billing_contract": "tms_billing_sync.export_contract",
    "tms_billing_errors": "tms_billing_sync.export_errors",
    "lexoffice_api": "tms_billing_lexoffice.api",
    "sevdesk_api": "tms_billing_sevdesk.api",
    "fake_lexoffice": "tms_billing_lexoffice.tests.fake_lexoffice",
    "fake_sevdesk": "tms_billing_sevdesk.tests.fake_sevdesk",
    "tms_billing_leitweg": "tms_billing_edi.leitweg",
    "tms_billing_settle": "tms_billing_sync.settle",
    "tms_billing_lanes": "tms_billing_sync.lanes",
}

for _alias, _dotted in PURE_MODULES.items():
    if _alias not in sys.modules:
        load(_dotted, alias=_alias)


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
        "customer_name": "Nordfracht GmbH",
        "buyer_reference": None,
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
                "unit_code": "transport",
                "unit_price": 480.0,
                "tax_rate": 19.0,
                "discount": 0.0,
            },
            {
                "name": "S00002 Bremen → Leipzig",
                "description": None,
                "quantity": 2.0,
                "unit_name": "Transport",
                "unit_code": "transport",
                "unit_price": 250.5,
                "tax_rate": 19.0,
                "discount": 10.0,
            },
        ],
        "totals": {"net": 930.9, "tax": 176.87, "gross": 1107.77},
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
