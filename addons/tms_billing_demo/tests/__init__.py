from . import test_demo_tour
