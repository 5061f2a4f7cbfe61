{
    "name": "TMS Billing: E-Invoices (XRechnung, ZUGFeRD)",
    "summary": "Billing period, delivery date, order references and Leitweg-ID in the "
    "XRechnung and Factur-X/ZUGFeRD files of transport invoices",
    "version": "18.0.2.0.0",
    "category": "Accounting/Accounting",
    "author": "TMS Billing",
    "maintainers": ["tms-billing"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["tms_billing", "account_edi_ubl_cii"],
    "data": [
        "data/account_edi_templates.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "auto_install": True,
}
