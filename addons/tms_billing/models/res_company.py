from odoo import api, fields, models

from ..engine.vocabulary import BILLING_INTERVALS, INVOICING_MODES, LINE_MODES, TAX_MODES
from .tms_billing_client_access import check_client_create, check_client_write, merge_access


class ResCompany(models.Model):
    _inherit = "res.company"

    tms_invoicing_mode = fields.Selection(
        INVOICING_MODES, string="Invoicing Mode", default="collective", required=True
    )
    tms_billing_interval = fields.Selection(
        BILLING_INTERVALS, string="Billing Interval", default="monthly", required=True
    )
    tms_line_mode = fields.Selection(
        LINE_MODES, string="Invoice Lines", default="per_order", required=True
    )
    tms_tax_mode = fields.Selection(
        TAX_MODES, string="Net/Gross Mode", default="net", required=True
    )
    tms_unit_name = fields.Char(
        string="Transport Unit Name", default="Transport", required=True, translate=True
    )
    tms_invoice_note = fields.Html(string="Transport Invoice Note", translate=True)
    tms_small_business = fields.Boolean(
        string="Small Business (§ 19 UStG)",
        help="The company charges no VAT as a small business (Kleinunternehmer): its "
        "invoices reach the accounting systems as VAT-free.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base` to refuse what the caller may not create with (the
        project's fields: ``_tms_write_access``)."""
        check_client_create(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        """Override of `base` to refuse what the caller may not write (the project's
        fields: ``_tms_write_access``)."""
        check_client_write(self, vals)
        return super().write(vals)

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the company's billing defaults are
        company configuration, set in the Settings."""
        return merge_access(
            super()._tms_write_access(),
            {
                "base.group_system": {
                    "tms_invoicing_mode",
                    "tms_billing_interval",
                    "tms_line_mode",
                    "tms_tax_mode",
                    "tms_unit_name",
                    "tms_invoice_note",
                    "tms_small_business",
                }
            },
        )

    def _tms_log_lang(self):
        """The language of this company's billing events and chatter notes.

        They are written once and read by everyone, so they are worded in the company's
        language (its partner's), not in that of whoever or whatever triggered them: a
        German haulier reads German events, also those of the nightly cron (run as
        OdooBot, in English) or of a colleague who works in English.
        """
        self.ensure_one()
        return self.partner_id.lang or self.env.lang or "en_US"

    def _tms_log_env(self, env):
        """``env`` in this company's log language (``env`` itself when it speaks it)."""
        lang = self._tms_log_lang()
        return env if env.lang == lang else env(context=dict(env.context, lang=lang))
