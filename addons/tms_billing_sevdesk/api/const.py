"""What the sevDesk API documents, in one place.

Source of every value: sevDesk's OpenAPI file (``api.sevdesk.de/openapi.yaml``; the public
copy GitHub ``j-mastr/sevdesk-api``, ``external/openapi.yaml``, is what the ``L`` numbers
refer to). Where that file is silent, the comment says so.
"""

# servers[0].url, "Our main application instance" (L9).
DEFAULT_BASE_URL = "https://my.sevdesk.de/api/v1"
# The web app. The file documents no web app addresses at all; this one and the invoice
# page below are the ones public clients use.
DEFAULT_APP_URL = "https://my.sevdesk.de"
INVOICE_WEB_PATH = "/fi/detail/type/RE/id/{invoice_id}"
# What a rendered document may weigh, decoded; the file names no limit (getPdf,
# L5086-5139).
MAX_PDF_BYTES = 20 * 1024 * 1024
# Model_InvoicePos.unity.id: "Unique identifier of the unit", example 1 (L13436-13440).
# Which unit that is, the file does not say ("Stk" in the accounts public clients show);
# it is sent when no unit was chosen.
DEFAULT_UNIT_ID = 1
# Pagination (L4, "API Requests > Pagination"): "The limit must be between 1 and 1000";
# best practice: "Keep limit values reasonable (between 10-100)". A list read page by
# page stops after MAX_LIST_PAGES pages and fails rather than keep a partial list.
LIST_PAGE_SIZE = 100
MAX_LIST_PAGES = 50
# The look-up of a draft by its marker reads its list at the largest limit allowed.
MAX_LIST_LIMIT = 1000
# Odoo's units of measure and the sevDesk unit of the same kind, by the unit's
# translationCode. GET /Unity is documented in neither OpenAPI file (Unity is named only
# as the type of Model_InvoicePos.unity, L13431-13445); translationCode is read as public
# clients read it. A unit not listed here, or whose code the account lacks, is sent as the
# connection's chosen unit.
UOM_UNITY_CODES = {
    "uom.product_uom_unit": "UNITY_PIECE",
    "uom.product_uom_hour": "UNITY_HOUR",
    "uom.product_uom_km": "UNITY_KILOMETER",
}
