from . import tms_billing_backend
from . import tms_billing_tax_mapping
from . import tms_billing_lexoffice_event
