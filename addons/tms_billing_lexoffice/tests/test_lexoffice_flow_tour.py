from datetime import date

from odoo.tests import HttpCase, tagged

from .common import API_KEY, LexofficeCase


@tagged("post_install", "-at_install")
class TestLexofficeFlowTour(HttpCase, LexofficeCase):
    """The haulier's everyday flow in German, in the browser: set up the connection,
    link and create contacts from the preview, adjust, create (drafts there at once),
    and the invoice here following its document there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_german(also=["uom", "account", "sale"])
        cls.env.ref("base.user_admin").write({"lang": "de_DE", "tz": "Europe/Berlin"})
        # The tour sets up its own connection, pointed at the fake like this one.
        cls.backend.active = False
        cls.env["ir.default"].set("tms.billing.backend", "api_url", cls.fake.base_url)
        cls.hour = cls.env.ref("uom.product_uom_hour")
        cls.waiting = cls.env["product.product"].create(
            {
                "name": "Wartezeit",
                "type": "service",
                "invoice_policy": "order",
                "uom_id": cls.hour.id,
                "uom_po_id": cls.hour.id,
                "taxes_id": [(6, 0, cls.tax.ids)],
            }
        )

    def test_the_haulier_flow_in_german(self):
        known = self._customer("Kai Logistik GmbH")
        # Kai's contact is in lexoffice already; "Neu Spedition" has none.
        self.backend._tms_create_contact(known)
        new = self._customer("Neu Spedition GmbH")
        orders = self._order(
            known,
            delivery_date=date(2026, 10, 5),
            lines=[(self.product, 1.0, 480.0), (self.waiting, 2.0, 45.0)],
            client_order_ref="PO-1",
        )
        orders |= self._order(known, delivery_date=date(2026, 10, 20), client_order_ref="PO-2")
        orders |= self._order(
            new, delivery_date=date(2026, 10, 12), lines=[(self.product, 1.0, 333.33)]
        )

        self.start_tour(
            "/odoo/action-tms_billing_sync.tms_billing_backend_action",
            "tms_billing_lexoffice_setup_tour",
            login="admin",
        )
        backend = self.env["tms.billing.backend"].search([("name", "=", "Lexware Office Tour")])
        self.assertEqual(backend.sudo().api_key, API_KEY)
        self.assertEqual(backend.push_timing, "create")

        self.start_tour(
            "/odoo/action-tms_billing.sale_order_action_tms_billing",
            "tms_billing_lexoffice_flow_tour",
            login="admin",
        )
        # Both customers are linked; the new contact with the e-mail address entered in
        # the review, which the customer keeps here too.
        self.assertEqual(new.email, "rechnung@neu-spedition.example")
        created = self.fake.contacts[new.tms_partner_link_ids.external_id]
        self.assertEqual(created["emailAddresses"]["business"], ["rechnung@neu-spedition.example"])
        self.assertEqual(known.tms_partner_link_ids.external_name, "Kai Logistik GmbH")
        # The preview is the invoice, to the cent.
        wizard = self.env["tms.billing.wizard"].search([], order="id desc", limit=1)
        moves = orders.invoice_ids
        self.assertEqual(len(moves), 2)
        for preview in wizard.preview_invoice_ids:
            [move] = moves.filtered(lambda m, p=preview: m.partner_id == p.partner_id)
            self.assertEqual(
                (move.amount_untaxed, move.amount_total),
                (preview.amount_untaxed, preview.amount_total),
            )
        kai = moves.filtered(lambda m: m.partner_id == known)
        # The adjusted price, and the references of both orders.
        self.assertIn(500.0, kai.invoice_line_ids.mapped("price_unit"))
        self.assertEqual(kai.ref, "PO-1, PO-2")
        # Drafts there at once: the connection's job runs as its cron would.
        self.env["tms.billing.export"]._cron_tms_send_exports()
        self.assertEqual(set(moves.tms_export_ids.mapped("state")), {"sent"})
        draft = self.fake.invoices[kai.tms_export_ids.external_id]
        # Units per line: transports in the customer's unit, waiting time in hours.
        units = sorted(item["unitName"] for item in draft["lineItems"])
        hours = {self.hour.with_context(lang=lang).name for lang in ("en_US", "de_DE")}
        self.assertEqual(units.count("Transport"), 2, units)
        self.assertEqual(len(units), 3, units)
        self.assertIn(next(unit for unit in units if unit != "Transport"), hours)
        self.assertEqual(kai.state, "draft")
        # Finalised there: the tour reads the status back on the invoice.
        self.fake.set_invoice_status(kai.tms_export_ids.external_id, "open")
        self.start_tour(
            f"/odoo/action-account.action_move_out_invoice_type/{kai.id}",
            "tms_billing_lexoffice_follow_tour",
            login="admin",
        )
        self.assertEqual(kai.state, "posted")
        self.assertTrue(kai.tms_external_number)
