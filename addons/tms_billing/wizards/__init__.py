from . import tms_billing_wizard_line
from . import tms_billing_wizard_invoice
from . import tms_billing_wizard_exclusion
from . import tms_billing_wizard
from . import sale_advance_payment_inv
