from odoo import api, fields, models

from ..const import LINE_MODES, TAX_MODES


class AccountMove(models.Model):
    _inherit = "account.move"

    tms_billing_group = fields.Char(
        string="Transport Billing Group",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The grouping key of the orders on this invoice.",
    )
    tms_period_start = fields.Date(string="Billing Period Start", copy=False)
    tms_period_end = fields.Date(string="Billing Period End", copy=False)
    tms_tax_mode = fields.Selection(TAX_MODES, string="Net/Gross Mode", copy=False)
    tms_line_mode = fields.Selection(LINE_MODES, string="Invoice Lines", copy=False)
    tms_unit_name = fields.Char(string="Transport Unit Name", copy=False)
    tms_order_ids = fields.Many2many(
        "sale.order",
        string="Transport Orders",
        compute="_compute_tms_order_ids",
    )
    tms_order_count = fields.Integer(compute="_compute_tms_order_ids")

    @api.depends("line_ids.sale_line_ids")
    def _compute_tms_order_ids(self):
        for move in self:
            move.tms_order_ids = move.line_ids.sale_line_ids.order_id
            move.tms_order_count = len(move.tms_order_ids)

    def _tms_transport_moves(self):
        return self.filtered("tms_billing_group")

    def button_cancel(self):
        moves = self._tms_transport_moves().filtered(lambda move: move.state != "cancel")
        result = super().button_cancel()
        if moves:
            self.env["sale.order"]._tms_log_reset(
                moves, self.env._("Invoice cancelled: the orders are to invoice again.")
            )
        return result

    def unlink(self):
        moves = self._tms_transport_moves()
        if moves:
            # The link to the orders disappears with the lines: log while it exists.
            self.env["sale.order"]._tms_log_reset(
                moves, self.env._("Invoice deleted: the orders are to invoice again.")
            )
        return super().unlink()

    def action_tms_view_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Transport Orders"),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.tms_order_ids.ids)],
        }
