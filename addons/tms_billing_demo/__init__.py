from .demo_data import post_init_hook
