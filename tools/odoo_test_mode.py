"""pytest plugin: run the addons' Odoo tests under pytest-odoo as Odoo's runner does.

Odoo's own runner (``odoo.tests.loader.run_suite``) marks the process as testing while
its suites run; code that must not commit inside a test (the export ledger's two-phase
pushes) asks ``odoo.modules.module.current_test``. pytest-odoo does not set it, so this
plugin does, for the whole session:

    PYTHONPATH=tools python3 -m pytest -p odoo_test_mode --odoo-database=... addons/...
"""

import threading


def pytest_sessionstart(session):
    from odoo.modules import module  # noqa: PLC0415 (Odoo is set up by pytest-odoo first)

    module.current_test = True
    threading.current_thread().testing = True


def pytest_sessionfinish(session, exitstatus):
    from odoo.modules import module  # noqa: PLC0415

    threading.current_thread().testing = False
    module.current_test = False
