from . import tms_billing_contact_wizard_line
from . import tms_billing_contact_wizard
from . import tms_billing_wizard
from . import tms_billing_wizard_invoice
from . import tms_billing_export_found
