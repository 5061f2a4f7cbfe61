from . import tms_billing_backend
from . import tms_billing_tax_mapping
