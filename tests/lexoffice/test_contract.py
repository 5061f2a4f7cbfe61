"""The drafts the lexoffice tests map are the drafts Odoo builds: the shared contract."""

from typing import get_type_hints

from tms_billing_contract import DraftAddress, DraftLine, InvoiceDraft


def _fields(shape):
    return set(get_type_hints(shape))


def test_the_test_draft_has_the_contract_shape(draft):
    assert set(draft) == _fields(InvoiceDraft)
    assert set(draft["address"]) == _fields(DraftAddress)
    for line in draft["lines"]:
        assert set(line) == _fields(DraftLine)
