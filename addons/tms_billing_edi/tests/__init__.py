from . import test_einvoice
