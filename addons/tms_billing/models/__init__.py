from . import res_company
from . import res_config_settings
from . import res_partner
from . import tms_billing_event
from . import sale_order
from . import sale_order_line
from . import account_move
from . import account_move_line
