from . import tms_billing_backend
from . import tms_billing_sevdesk_unit
from . import tms_billing_sevdesk_user
from . import tms_billing_tax_mapping
