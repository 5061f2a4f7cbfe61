DEFAULT_BASE_URL = "https://api.lexware.io"
DEFAULT_APP_URL = "https://app.lexware.de"
# The API allows 2 requests per second per client over all endpoints.
RATE_LIMIT = 2.0
MAX_LINE_ITEMS = 300
TITLE_MAX = 25
TEXT_MAX = 2000
NAME_MAX = 255
TAX_TYPES = (
    "net",
    "gross",
    "vatfree",
    "intraCommunitySupply",
    "constructionService13b",
    "externalService13b",
    "thirdPartyCountryService",
    "thirdPartyCountryDelivery",
)
