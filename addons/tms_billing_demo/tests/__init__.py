from . import test_demo_tour
from . import test_demo_einvoices
