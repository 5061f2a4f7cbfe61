from . import test_sevdesk
from . import test_sevdesk_faults
from . import test_two_providers
from . import test_sevdesk_taxes
from . import test_sevdesk_access
from . import test_sevdesk_bad_input
from . import test_sevdesk_credit_notes
from . import test_sevdesk_documents
