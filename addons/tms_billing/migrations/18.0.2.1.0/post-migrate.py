from odoo import SUPERUSER_ID, api

from odoo.addons.tms_billing.hooks import post_init_hook


def migrate(cr, version):
    """Companies with a German chart get the fiscal positions of the route's tax
    situations, as on a new installation."""
    post_init_hook(api.Environment(cr, SUPERUSER_ID, {}))
