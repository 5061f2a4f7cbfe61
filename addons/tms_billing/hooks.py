from .models.account_chart_template import GERMAN_CHARTS


def post_init_hook(env):
    """Give the companies that already have a German chart the fiscal positions of the
    route's tax situations (models/account_chart_template.py)."""
    chart = env["account.chart.template"]
    for company in env["res.company"].search([("chart_template", "in", list(GERMAN_CHARTS))]):
        chart._tms_add_route_fiscal_positions(company, company.chart_template)
