from . import test_lexoffice
from . import test_lexoffice_faults
from . import test_lexoffice_events
from . import test_lexoffice_tour
from . import test_lexoffice_taxes
from . import test_lexoffice_access
from . import test_lexoffice_rate_limit
from . import test_lexoffice_bad_input
