from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.tms_billing.models.tms_billing_client_access import (
    check_client_create,
    grant_access,
    merge_access,
)

from ..export_errors import ExportError

# Who sends invoices, and so settles a send whose outcome is unknown.
LEDGER_GROUPS = ("account.group_account_invoice", "tms_billing.group_tms_billing_user")


class TmsBillingExportFound(models.TransientModel):
    """A person found there the document whose send had an unknown outcome: link it."""

    _name = "tms.billing.export.found"
    _inherit = ["tms.billing.client.access"]
    _description = "Document Found in an Accounting System"

    export_id = fields.Many2one(
        "tms.billing.export", string="Invoice Export", required=True, readonly=True
    )
    reference = fields.Char(
        string="Document There",
        required=True,
        help="The web address of the document in the accounting system, or its id there.",
    )

    @api.model
    def _tms_write_access(self):
        """Override of `tms_billing.client.access`: the user names the document."""
        return merge_access(
            super()._tms_write_access(),
            {**{group: {"reference"} for group in LEDGER_GROUPS}, "nobody": {"export_id"}},
        )

    @api.model
    def _tms_create_access(self):
        """Override of `tms_billing.client.access`: opened on a ledger row."""
        access = self._tms_write_access()
        for group in LEDGER_GROUPS:
            access = grant_access(access, group, {"export_id"})
        return access

    @api.model
    def _tms_method_access(self):
        """Override of `tms_billing.client.access`: linking what was found is for whoever
        sends invoices."""
        return merge_access(super()._tms_method_access(), {"action_link": set(LEDGER_GROUPS)})

    @api.model_create_multi
    def create(self, vals_list):
        """Override of `base`: only for a row the caller may act on, whose outcome is
        unknown."""
        # The values first: only records that exist are looked at.
        check_client_create(self, vals_list)
        exports = self.env["tms.billing.export"].browse(
            [vals.get("export_id") for vals in vals_list if vals.get("export_id")]
        )
        exports._tms_check_undecided()
        return super().create(vals_list)

    def action_link(self):
        self.ensure_one()
        self.check_access("write")
        self.export_id._tms_check_undecided()
        self.export_id._tms_link_found(self.reference)
        return {"type": "ir.actions.act_window_close"}


class TmsBillingExport(models.Model):
    _inherit = "tms.billing.export"

    def _tms_check_undecided(self):
        """Refuse rows whose send did not end in an unknown outcome, or the caller may
        not act on."""
        self.check_access("write")
        if not self or any(not export.lookup_since for export in self):
            raise UserError(
                self.env._(
                    "Only invoices whose sending ended with an unknown outcome are checked "
                    "there by hand."
                )
            )

    def action_found_there(self):
        """Found there: name the document, which is read there and linked."""
        self.ensure_one()
        self._tms_check_undecided()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Found in %(backend)s", backend=self.backend_id.name),
            "res_model": "tms.billing.export.found",
            "view_mode": "form",
            "target": "new",
            "context": {"default_export_id": self.id},
        }

    def action_send_again(self):
        """Not there: send it again, on the word of whoever checked."""
        self._tms_check_undecided()
        rows = self.sudo()
        rows.write(
            {
                "state": "to_send",
                "lookup_since": False,
                "lookup_misses": 0,
                "lookup_miss_at": False,
                "next_attempt_at": fields.Datetime.now(),
            }
        )
        for export in rows:
            env = export._tms_log_env()
            export._tms_log(
                env._(
                    "%(user)s checked %(backend)s: the invoice is not there. It is sent again.",
                    user=self.env.user.name,
                    backend=export.backend_id.name,
                )
            )
        rows.backend_id._tms_trigger()
        return True

    def _tms_link_found(self, text):
        """Record the document ``text`` names as what this row sent, once read there and
        seen to carry this row's marker."""
        self._tms_check_undecided()
        export = self.sudo()
        try:
            result, carries = export.backend_id._tms_read_found_document(
                export._tms_document_ref(), text
            )
        except ExportError as error:
            raise UserError(
                self.env._("%(backend)s: %(error)s", backend=export.backend_id.name, error=error)
            ) from None
        if not carries:
            raise UserError(
                self.env._(
                    "%(document)s in %(backend)s does not carry our reference %(marker)s: it "
                    "is not the document of this invoice.",
                    document=result.get("number") or result["external_id"],
                    backend=export.backend_id.name,
                    marker=export.marker,
                )
            )
        export._tms_record_success(result)
        return True
