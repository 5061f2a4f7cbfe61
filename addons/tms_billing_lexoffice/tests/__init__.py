from . import test_lexoffice
from . import test_lexoffice_faults
