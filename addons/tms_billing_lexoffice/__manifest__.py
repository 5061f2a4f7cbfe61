{
    "name": "TMS Billing: Lexware Office (lexoffice)",
    "summary": "Send transport invoices to Lexware Office as drafts and link customers",
    "version": "18.0.2.0.0",
    "category": "Accounting/Accounting",
    "author": "TMS Billing",
    "maintainers": ["tms-billing"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["tms_billing_sync", "base_vat"],
    "external_dependencies": {"python": ["requests", "cryptography"]},
    "data": [
        "security/ir.model.access.csv",
        "security/tms_billing_lexoffice_security.xml",
        "views/tms_billing_backend_views.xml",
    ],
    "assets": {
        "web.assets_tests": ["tms_billing_lexoffice/static/tests/tours/*.js"],
    },
}
