from . import tms_billing_backend
