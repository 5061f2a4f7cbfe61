"""pytest plugin: run the addons' Odoo tests under pytest-odoo as Odoo's runner does.

Odoo's own runner (``odoo.tests.loader.run_suite``) marks the process as testing while
its suites run, and names the test that runs (``odoo.tests.suite.TestSuite.run``):
code that must not commit inside a test (the export ledger's two-phase pushes) asks
``odoo.modules.module.current_test``, and an ``HttpCase``'s test cursor checks that it
belongs to that test. pytest-odoo 2.3 sets ``current_test`` from Odoo 19 on only, so
this plugin sets it here.

The whole suite, on a database of its own:

    pip install pytest-odoo && source tools/odoo-env.sh && pg_start "$TMS_STATE_DIR"
    odoo_run -d tms_pytest -i "$(project_modules),l10n_de" --without-demo=all --stop-after-init
    printf '[options]\naddons_path = %s\ndb_host = %s\ndb_port = %s\ndb_user = %s\n' \
        "$(odoo_addons_path)" "$PG_SOCKET_DIR" "$TMS_PG_PORT" "$TMS_DB_USER" \
        > "$TMS_STATE_DIR/odoo.conf"
    PYTHONPATH="tools${PYTHONPATH:+:$PYTHONPATH}" \
        python3 -m pytest -p odoo_test_mode -p no:cacheprovider \
        --odoo-config="$TMS_STATE_DIR/odoo.conf" --odoo-database=tms_pytest --odoo-http \
        addons/

``--odoo-http`` runs the ``HttpCase`` tests (pytest-odoo skips them otherwise); one
file or ``file::Class::test`` instead of ``addons/`` runs less. The demo tour is
skipped here: it needs the German demo database ``tools/test`` makes for it. pytest-odoo
sets Odoo's log level to ``critical`` (``--odoo-log-level``), so warnings of the code
are not shown; ``tools/test`` keeps Odoo's own runner, whose log it checks for them.
"""

import threading

import pytest


def pytest_sessionstart(session):
    from odoo.modules import module  # noqa: PLC0415 (Odoo is set up by pytest-odoo first)

    module.current_test = True
    threading.current_thread().testing = True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Name the test about to run (before its class is set up), as Odoo's suite does
    (``odoo.tests.suite.TestSuite.run``): an ``HttpCase``'s test cursor checks that it
    belongs to the current test (``BaseCase.check_test_cursor``)."""
    from odoo.modules import module  # noqa: PLC0415
    from odoo.tests import BaseCase  # noqa: PLC0415

    instance = getattr(item, "instance", None)
    if isinstance(instance, BaseCase):
        module.current_test = instance


def pytest_sessionfinish(session, exitstatus):
    from odoo.modules import module  # noqa: PLC0415

    threading.current_thread().testing = False
    module.current_test = False
