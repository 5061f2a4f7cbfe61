"""The demo: a German haulier billing a month of transport orders.

Demo data of a German billing module belongs in a German company: euros, the SKR03
chart with its 19 % / 7 % taxes and fiscal positions, German addresses and dates. XML
records would land in whatever company is current while the module installs, and the
chart can only be loaded on a company from code, so the addon builds its demo in
``post_init_hook``, once, when it is installed: it is the demo, and nothing else.
``tools/serve`` installs it with German (``--load-language=de_DE``).
"""

from dateutil.relativedelta import MO, relativedelta

from odoo import fields
from odoo.fields import Command

COMPANY_XMLID = "demo_company_nordlicht"
GERMAN_CHART = "de_skr03"

# Service products, invoiced as ordered (a transport order is billed once delivered,
# nothing is "delivered" in stock terms). list_price in EUR, net.
PRODUCTS = {
    "ftl": {"name": "Komplettladung", "list_price": 450.0, "transport": True},
    "ltl": {"name": "Teilladung", "list_price": 220.0, "transport": True},
    "toll": {"name": "Maut", "list_price": 38.5},
    "waiting": {"name": "Wartezeit", "list_price": 45.0, "uom": "uom.product_uom_hour"},
}

# One customer per billing situation, each with the e-mail address its e-invoices go
# to (XRechnung's buyer electronic address, BT-49, where no Peppol endpoint is known).
# "position" names an SKR03 fiscal position set on the customer. The German ones get
# "Inland" and the Austrian one with a VAT id the EU position automatically; the Swiss
# customer gets "abroad (non-EU)": SKR03 applies none of its own to non-EU.
CUSTOMERS = {
    "nordfracht": {
        "name": "Nordfracht Logistik GmbH",
        "street": "Am Sandtorkai 12",
        "zip": "20457",
        "city": "Hamburg",
        "country": "base.de",
        "vat": "DE123456788",
        "email": "buchhaltung@nordfracht.example.com",
        "settings": {"tms_invoicing_mode": "collective", "tms_billing_interval": "monthly"},
    },
    "sued": {
        "name": "Süd-Spedition Maier KG",
        "street": "Landsberger Str. 88",
        "zip": "80339",
        "city": "München",
        "country": "base.de",
        "email": "rechnung@sued-spedition.example.com",
        "settings": {"tms_invoicing_mode": "single"},
    },
    "west": {
        "name": "West-Kurier Schulz e.K.",
        "street": "Hohenzollernring 5",
        "zip": "50672",
        "city": "Köln",
        "country": "base.de",
        "email": "buero@west-kurier.example.com",
        "settings": {
            "tms_invoicing_mode": "collective",
            "tms_billing_interval": "semi_monthly",
            "tms_line_mode": "aggregated",
            "tms_tax_mode": "gross",
            "tms_unit_name": "Tour",
        },
    },
    "rheinmain": {
        "name": "Rhein-Main Baustoffe GmbH",
        "street": "Hanauer Landstr. 140",
        "zip": "60314",
        "city": "Frankfurt am Main",
        "country": "base.de",
        "email": "kreditoren@rhein-main-baustoffe.example.com",
        "settings": {
            "tms_invoicing_mode": "collective",
            "tms_billing_interval": "weekly",
            "tms_line_mode": "aggregated",
        },
    },
    "donau": {
        "name": "Donau Logistik GmbH",
        "street": "Handelskai 92",
        "zip": "1200",
        "city": "Wien",
        "country": "base.at",
        "vat": "ATU12345675",
        "email": "office@donau-logistik.example.com",
        "settings": {"tms_invoicing_mode": "collective", "tms_billing_interval": "monthly"},
    },
    "basel": {
        "name": "Rheinhafen Basel Handels AG",
        "street": "Hochbergerstrasse 160",
        "zip": "4057",
        "city": "Basel",
        "country": "base.ch",
        "email": "accounting@rheinhafen-basel.example.com",
        "position": "fiscal_position_non_eu_partner",
        "settings": {"tms_invoicing_mode": "single"},
    },
    # Private customers abroad: what their transports cost in VAT depends on where they
    # run (VAT by route, § 3b UStG), not on where they live.
    "gruber": {
        "name": "Anna Gruber",
        "is_company": False,
        "street": "Praterstraße 21",
        "zip": "1020",
        "city": "Wien",
        "country": "base.at",
        "email": "anna.gruber@example.com",
        "settings": {},
    },
    "meier": {
        "name": "Lukas Meier",
        "is_company": False,
        "street": "Seefeldstrasse 45",
        "zip": "8008",
        "city": "Zürich",
        "country": "base.ch",
        "email": "lukas.meier@example.com",
        "settings": {},
    },
}

# Where the demo's places are: postcode and country, for the route of every order.
PLACES = {
    "Aachen": ("52062", "base.de"),
    "Augsburg": ("86150", "base.de"),
    "Basel": ("4057", "base.ch"),
    "Berlin": ("10115", "base.de"),
    "Bonn": ("53111", "base.de"),
    "Bremen": ("28195", "base.de"),
    "Darmstadt": ("64283", "base.de"),
    "Dortmund": ("44135", "base.de"),
    "Dresden": ("01067", "base.de"),
    "Düsseldorf": ("40213", "base.de"),
    "Essen": ("45127", "base.de"),
    "Frankfurt am Main": ("60311", "base.de"),
    "Freiburg im Breisgau": ("79098", "base.de"),
    "Hamburg": ("20457", "base.de"),
    "Hanau": ("63450", "base.de"),
    "Hannover": ("30159", "base.de"),
    "Kiel": ("24103", "base.de"),
    "Köln": ("50667", "base.de"),
    "Konstanz": ("78462", "base.de"),
    "Leipzig": ("04109", "base.de"),
    "Linz": ("4020", "base.at"),
    "Lübeck": ("23552", "base.de"),
    "Mainz": ("55116", "base.de"),
    "München": ("80331", "base.de"),
    "Nürnberg": ("90402", "base.de"),
    "Offenbach": ("63065", "base.de"),
    "Regensburg": ("93047", "base.de"),
    "Stuttgart": ("70173", "base.de"),
    "Wien": ("1020", "base.at"),
    "Wiesbaden": ("65183", "base.de"),
    "Zürich": ("8005", "base.ch"),
}

# (customer, loading place, unloading place, delivery day, lines, extra values).
# The delivery day counts from the first of last month (0 = the 1st), ("week", n, d)
# is day d of the n-th week starting on a Monday in last month (so a weekly customer's
# orders fall in known weeks whatever the month), "this month" the first of this
# month, None an order not delivered yet. Lines are (product, quantity, unit price or
# None for the list price).
ORDERS = [
    ("nordfracht", "Hamburg", "Berlin", 2, [("ftl", 1, 480.0), ("toll", 1, 41.2)], {}),
    ("nordfracht", "Hamburg", "Hannover", 6, [("ftl", 1, 320.0)], {"client_order_ref": "PO-2231"}),
    (
        "nordfracht",
        "Bremen",
        "Leipzig",
        11,
        [("ftl", 1, 560.0), ("toll", 1, 52.8), ("waiting", 2, None)],
        {"tms_pod_url": "https://pod.example.com/nord-3"},
    ),
    ("nordfracht", "Hamburg", "Dresden", 17, [("ftl", 1, 610.0), ("toll", 1, 63.1)], {}),
    (
        "nordfracht",
        "Lübeck",
        "Kiel",
        23,
        [("ltl", 1, 190.0)],
        {"payment_term": "account.account_payment_term_30days"},
    ),
    ("nordfracht", "Hamburg", "München", "this month", [("ftl", 1, 890.0)], {}),
    ("nordfracht", "Hamburg", "Köln", None, [("ftl", 1, 540.0)], {}),
    ("sued", "München", "Stuttgart", 3, [("ftl", 1, 390.0)], {"client_order_ref": "AUF-7781"}),
    ("sued", "Augsburg", "Nürnberg", 14, [("ltl", 1, 260.0), ("waiting", 1, None)], {}),
    ("sued", "München", "Frankfurt am Main", 20, [("ftl", 1, 720.0), ("toll", 1, 58.4)], {}),
    ("west", "Köln", "Düsseldorf", 1, [("ltl", 1, 150.0)], {}),
    ("west", "Köln", "Dortmund", 8, [("ltl", 1, 150.0)], {}),
    ("west", "Köln", "Essen", 15, [("ltl", 1, 150.0)], {}),
    ("west", "Bonn", "Aachen", 22, [("ltl", 1, 150.0), ("waiting", 1, None)], {}),
    (
        "rheinmain",
        "Frankfurt am Main",
        "Mainz",
        ("week", 0, 1),
        [("ftl", 1, 410.0), ("toll", 1, 12.6)],
        {},
    ),
    ("rheinmain", "Hanau", "Darmstadt", ("week", 0, 3), [("ftl", 1, 410.0), ("toll", 1, 12.6)], {}),
    ("rheinmain", "Frankfurt am Main", "Wiesbaden", ("week", 2, 0), [("ftl", 1, 410.0)], {}),
    ("rheinmain", "Offenbach", "Mainz", ("week", 2, 2), [("ftl", 1, 410.0)], {}),
    ("donau", "Hamburg", "Wien", 9, [("ftl", 1, 1450.0), ("toll", 1, 96.3)], {}),
    ("donau", "Regensburg", "Linz", 21, [("ltl", 1, 380.0)], {"client_order_ref": "DL-4471"}),
    ("basel", "Hamburg", "Basel", 12, [("ftl", 1, 1280.0), ("toll", 1, 88.9)], {}),
    # Nordfracht ships machines to Switzerland: a transport of exported goods for their
    # sender, tax-free (§ 4 Nr. 3 Buchst. a UStG), on an invoice of its own.
    (
        "nordfracht",
        "Hamburg",
        "Zürich",
        25,
        [("ftl", 1, 1650.0), ("toll", 1, 112.4)],
        {"tms_customer_goods_role": "consignor", "client_order_ref": "EX-0815"},
    ),
    # An Austrian private customer's move from Munich to Vienna begins in Germany:
    # German VAT (§ 3b Abs. 3 UStG).
    ("gruber", "München", "Wien", 16, [("ltl", 1, 340.0)], {}),
    # A Swiss private customer: within Germany German VAT (§ 3b Abs. 1 UStG); from
    # Zürich to Stuttgart the imported goods' transport is tax-free (§ 4 Nr. 3 UStG).
    ("meier", "Konstanz", "Freiburg im Breisgau", 18, [("ltl", 1, 280.0)], {}),
    ("meier", "Zürich", "Stuttgart", 27, [("ltl", 1, 460.0), ("waiting", 1, None)], {}),
]


def post_init_hook(env):
    """Create the demo company Spedition Nordlicht GmbH, its customers and a month
    of transport orders, and make it the admin's company (demo data only)."""
    if env.ref(f"tms_billing_demo.{COMPANY_XMLID}", raise_if_not_found=False):
        return
    company = _demo_company(env)
    admin = env.ref("base.user_admin")
    admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id})
    if env["res.lang"]._lang_get("de_DE"):
        admin.lang = "de_DE"
    demo = env(
        context=dict(
            env.context,
            allowed_company_ids=company.ids,
            tracking_disable=True,
            mail_notrack=True,
        )
    )
    products = _demo_products(demo, company)
    customers = _demo_customers(demo, company)
    _demo_orders(demo, company, products, customers)


def _demo_xmlid(env, name, record):
    env["ir.model.data"]._update_xmlids(
        [{"xml_id": f"tms_billing_demo.{name}", "record": record, "noupdate": True}]
    )


def _demo_company(env):
    euro = env.ref("base.EUR")
    euro.active = True
    company = env["res.company"].create(
        {
            "name": "Spedition Nordlicht GmbH",
            "street": "Großer Grasbrook 17",
            "zip": "20457",
            "city": "Hamburg",
            "country_id": env.ref("base.de").id,
            "currency_id": euro.id,
            "vat": "DE462612124",
            "state_id": env.ref("base.state_de_hh").id,
            # What an invoice states of its issuer (§ 14 Abs. 4 Nr. 2 UStG) and XRechnung
            # requires of the seller: tax number, register entry (BT-30).
            "company_registry": "HRB 123456",
            "phone": "+49 40 1234567",
            "email": "rechnung@nordlicht-spedition.example.com",
            "tms_invoicing_mode": "collective",
            "tms_billing_interval": "monthly",
            "tms_line_mode": "per_order",
            "tms_tax_mode": "net",
        }
    )
    _demo_xmlid(env, COMPANY_XMLID, company)
    env.user.company_ids = [Command.link(company.id)]
    # _load, not try_loading: try_loading warns while modules are still being
    # installed unless it also loads account's own demo entries, which a billing demo
    # does not want. l10n_de is installed with this addon, so _load installs nothing.
    env["account.chart.template"]._load(GERMAN_CHART, company, install_demo=False)
    # Odoo's German tax number ("St.-Nr."), checked against the company's state.
    company.l10n_de_stnr = "47/123/45678"
    # The account invoices are paid to (XRechnung's payment instructions, BG-16).
    env["res.partner.bank"].create(
        {
            "partner_id": company.partner_id.id,
            "acc_number": "DE89 3704 0044 0532 0130 00",
            "allow_out_payment": True,
            "company_id": company.id,
        }
    )
    _demo_service_positions(env, company)
    return company


# A transport for a business abroad is a service: the German chart's EU position maps
# the 19 % and 7 % taxes to "0% EU D", a tax-free supply of goods (§ 4 Nr. 1b UStG),
# and its non-EU position to "0% EX", an export. The demo maps them to the services'
# taxes and revenue accounts instead: "0% EU" (reverse charge, account 8336) and "0% S T"
# (not taxable in Germany, account 8338), as the README's Taxes section advises.
SERVICE_POSITIONS = {
    "fiscal_position_eu_vat_id_partner_skr03": ("tax_free_eu_skr03", "account_8336"),
    "fiscal_position_non_eu_partner_skr03": ("tax_free_third_country_skr03", "account_8338"),
}


def _demo_service_positions(env, company):
    chart = env["account.chart.template"].with_company(company)
    sale_taxes = chart.ref("tax_ust_19_skr03") | chart.ref("tax_ust_7_skr03")
    revenue = chart.ref("account_8400") | chart.ref("account_8300")
    for position_name, (tax_name, account_name) in SERVICE_POSITIONS.items():
        position = chart.ref(position_name)
        position.tax_ids.filtered(
            lambda line: line.tax_src_id in sale_taxes
        ).tax_dest_id = chart.ref(tax_name)
        position.account_ids.filtered(
            lambda line: line.account_src_id in revenue
        ).account_dest_id = chart.ref(account_name)


def _demo_products(env, company):
    products = {}
    for key, values in PRODUCTS.items():
        vals = {
            "name": values["name"],
            "type": "service",
            "invoice_policy": "order",
            "list_price": values["list_price"],
            "company_id": company.id,
            "taxes_id": [Command.set(company.account_sale_tax_id.ids)],
            "supplier_taxes_id": [Command.clear()],
            "tms_transport_service": values.get("transport", False),
        }
        if values.get("uom"):
            uom = env.ref(values["uom"])
            vals.update(uom_id=uom.id, uom_po_id=uom.id)
        products[key] = env["product.product"].create(vals)
        _demo_xmlid(env, f"demo_product_{key}", products[key])
    return products


def _demo_customers(env, company):
    customers = {}
    for key, values in CUSTOMERS.items():
        partner = env["res.partner"].create(
            {
                "name": values["name"],
                "is_company": values.get("is_company", True),
                "street": values["street"],
                "zip": values["zip"],
                "city": values["city"],
                "country_id": env.ref(values["country"]).id,
                "vat": values.get("vat"),
                "email": values.get("email"),
            }
        )
        # The billing settings are per company: these are Nordlicht's.
        vals = dict(values["settings"])
        position = values.get("position") and env.ref(
            f"account.{company.id}_{values['position']}_skr03", raise_if_not_found=False
        )
        if position:
            vals["property_account_position_id"] = position.id
        partner.with_company(company).write(vals)
        customers[key] = partner
        _demo_xmlid(env, f"demo_partner_{key}", partner)
    return customers


def _demo_orders(env, company, products, customers):
    pricelist = env["product.pricelist"].create(
        {
            "name": "Preisliste (EUR)",
            "currency_id": company.currency_id.id,
            "company_id": company.id,
        }
    )
    this_month = fields.Date.context_today(env["sale.order"]).replace(day=1)
    last_month = this_month - relativedelta(months=1)
    admin = env.ref("base.user_admin")
    orders = env["sale.order"]
    for index, (customer, loading, unloading, day, lines, extra) in enumerate(ORDERS, 1):
        vals = {
            "company_id": company.id,
            "partner_id": customers[customer].id,
            "pricelist_id": pricelist.id,
            "user_id": admin.id,
            **_demo_route(env, "tms_loading", loading),
            **_demo_route(env, "tms_unloading", unloading),
            "client_order_ref": extra.get("client_order_ref"),
            "tms_pod_url": extra.get("tms_pod_url"),
            "tms_customer_goods_role": extra.get("tms_customer_goods_role"),
            "order_line": [
                Command.create(
                    {
                        "product_id": products[product].id,
                        "product_uom_qty": quantity,
                        "price_unit": price or products[product].list_price,
                    }
                )
                for product, quantity, price in lines
            ],
        }
        if extra.get("payment_term"):
            vals["payment_term_id"] = env.ref(extra["payment_term"]).id
        if day is not None:
            delivered = _demo_date(day, last_month, this_month)
            vals.update(
                tms_loading_date=delivered - relativedelta(days=1),
                tms_unloading_date=delivered,
                tms_delivery_date=delivered,
            )
        order = env["sale.order"].create(vals)
        _demo_xmlid(env, f"demo_order_{index}", order)
        orders |= order
    orders.action_confirm()
    # Confirming dates an order today; the demo's were booked before loading.
    for order in orders.filtered("tms_loading_date"):
        order.date_order = fields.Datetime.to_datetime(order.tms_loading_date) + relativedelta(
            days=-3, hours=9
        )


def _demo_route(env, prefix, place):
    """One end of an order's route: its place, postcode, city and country."""
    zip_code, country = PLACES[place]
    return {
        f"{prefix}_place": place,
        f"{prefix}_zip": zip_code,
        f"{prefix}_city": place,
        f"{prefix}_country_id": env.ref(country).id,
    }


def _demo_date(day, last_month, this_month):
    if day == "this month":
        return this_month
    if isinstance(day, tuple):
        _week, weeks, weekday = day
        first_monday = last_month + relativedelta(weekday=MO)
        return first_monday + relativedelta(weeks=weeks, days=weekday)
    return last_month + relativedelta(days=day)
