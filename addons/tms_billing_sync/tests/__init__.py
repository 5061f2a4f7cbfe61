from . import test_export_contract
from . import test_export_ledger
from . import test_access_matrix
from . import test_bad_input_table
from . import test_surface
