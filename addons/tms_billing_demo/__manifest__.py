{
    "name": "TMS Billing: German Demo",
    "summary": "A German haulier's month of transport orders to try TMS Billing on",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "TMS Billing",
    "maintainers": ["tms-billing"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["tms_billing", "l10n_de"],
    "post_init_hook": "post_init_hook",
    "assets": {
        "web.assets_tests": ["tms_billing_demo/static/tests/tours/*.js"],
    },
}
