from . import test_invoice_amounts
from . import test_invoicing
from . import test_run_lookups
from . import test_bad_input
from . import test_cron
from . import test_security
from . import test_tour
from . import test_export_ledger
