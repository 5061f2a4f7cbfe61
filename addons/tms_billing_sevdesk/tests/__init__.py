from . import test_sevdesk
from . import test_sevdesk_faults
from . import test_two_providers
from . import test_sevdesk_taxes
