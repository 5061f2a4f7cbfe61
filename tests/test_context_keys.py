"""No key of the context switches a rule off.

Every key of an RPC call's context is the client's to choose. The project's code may
read a key only where any value is harmless: what the key names is checked again, or it
only words, formats or pre-fills. This test finds every key the addons read and holds
it to the list below; a new key fails it until it is decided here.
"""

import ast
from pathlib import Path

ADDONS = Path(__file__).resolve().parent.parent / "addons"

# Key read -> why any value a client sends is harmless.
HARMLESS = {
    "active_model": "pre-fills the invoicing wizard's orders, whose read access is checked",
    "active_ids": "pre-fills the invoicing wizard's orders, whose read access is checked",
    "default_partner_id": "pre-fills the contact wizard's customer, whose access is checked",
    "default_currency_id": "part of a speed memo's key: a look-up Odoo makes with it anyway",
    "cron_id": "the cron Odoo runs, triggered again for the rest of the month-end's chunks; "
    "read by a private method (_cron_tms_bill_chunks) no client calls",
}


def _context_reads(tree):
    """The constant keys read from a context: ``context.get(k)``, ``context[k]``."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and _is_context(node.func.value)
            and node.args
        ):
            yield node.args[0]
        elif isinstance(node, ast.Subscript) and _is_context(node.value):
            yield node.slice


def _is_context(node):
    return (isinstance(node, ast.Attribute) and node.attr in ("context", "_context")) or (
        isinstance(node, ast.Name) and node.id in ("context", "ctx")
    )


def test_every_context_key_read_is_harmless():
    found = {}
    for path in ADDONS.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for key in _context_reads(ast.parse(path.read_text(), str(path))):
            assert isinstance(key, ast.Constant), f"{path}: a context key read by expression"
            found.setdefault(key.value, []).append(str(path.relative_to(ADDONS)))
    undecided = {key: paths for key, paths in found.items() if key not in HARMLESS}
    assert not undecided, f"context keys read without a decision: {undecided}"


def test_the_scan_sees_reads():
    tree = ast.parse("x = self.env.context.get('tms_switch'); y = self._context['other']")
    assert [key.value for key in _context_reads(tree)] == ["tms_switch", "other"]
