from . import tms_billing_wizard_invoice
from . import tms_billing_wizard_exclusion
from . import tms_billing_wizard
