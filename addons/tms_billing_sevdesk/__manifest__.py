{
    "name": "TMS Billing: sevDesk",
    "summary": "Send transport invoices to sevDesk as drafts and link customers",
    "version": "18.0.2.0.0",
    "category": "Accounting/Accounting",
    "author": "TMS Billing",
    "maintainers": ["tms-billing"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["tms_billing_sync"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/tms_billing_sevdesk_security.xml",
        "views/tms_billing_backend_views.xml",
    ],
}
