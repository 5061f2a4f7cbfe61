"""A value handed from a call to the hooks it reaches, on one database cursor.

Odoo's hooks (``_prepare_invoice``, ``_get_tax_unece_codes``...) take no argument for
what the project must tell them. A context key would reach them, but any RPC client can
send any context key; a ``CallScope`` cannot be sent. It holds its value for the span
of a ``with`` block (also ended by an error), and only for the cursor that set it::

    POSTING = CallScope("posting")
    with POSTING.enter(env, moves.ids):
        ...                       # hooks below ask POSTING.get(env)

Nothing here imports ``odoo``.
"""

from contextlib import contextmanager
from contextvars import ContextVar


class CallScope:
    def __init__(self, name):
        self._current = ContextVar(f"tms_billing_{name}", default=None)

    @contextmanager
    def enter(self, env, value):
        """Hold ``value`` for ``env``'s cursor until the block ends."""
        token = self._current.set((env.cr, value))
        try:
            yield value
        finally:
            self._current.reset(token)

    def get(self, env):
        """The value held for ``env``'s cursor, or None."""
        current = self._current.get()
        return current[1] if current is not None and current[0] is env.cr else None
