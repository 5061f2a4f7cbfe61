import { registry } from "@web/core/registry";

// The walk through the German demo (README.md): select all transport orders to invoice,
// read the preview, create the invoices. Texts are the demo's names, not UI labels, so
// the tour runs in any language.
registry.category("web_tour.tours").add("tms_billing_demo_tour", {
    steps: () => [
        {
            content: "The demo's delivered orders are listed",
            trigger: ".o_list_view .o_data_row:contains('Nordfracht Logistik')",
        },
        {
            content: "Select all orders",
            trigger: "thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the invoicing wizard",
            trigger: "button[name='action_tms_open_billing_wizard']",
            run: "click",
        },
        {
            content: "A collective invoice bills several orders of the month",
            trigger: ".modal .o_tms_billing_preview .o_data_row:contains('Nordfracht Logistik') td[name='order_ids'] .o_tag + .o_tag",
        },
        {
            content: "A single-invoice customer gets one invoice per order",
            trigger: ".modal .o_tms_billing_preview .o_data_row:contains('Süd-Spedition Maier')",
        },
        {
            content: "An order is on a separate invoice, and the preview says why",
            trigger: ".modal .o_tms_billing_preview td[name='split_reason']:contains('abweichende Zahlungsbedingungen'), .modal .o_tms_billing_preview td[name='split_reason']:contains('different payment terms')",
        },
        {
            content: "A tax-free export is on an invoice of its own, and the preview says why",
            trigger: ".modal .o_tms_billing_preview td[name='split_reason']:contains('abweichende Steuersituation'), .modal .o_tms_billing_preview td[name='split_reason']:contains('different tax situation')",
        },
        {
            content: "Open the aggregated invoice of the weekly customer",
            trigger: ".modal .o_tms_billing_preview .o_data_row:contains('Rhein-Main Baustoffe') td[name='partner_id']",
            run: "click",
        },
        {
            content: "Its positions merge the orders' equal lines",
            trigger: ".modal .o_form_view .o_field_widget[name='lines_preview']:contains('2 × Komplettladung')",
        },
        {
            content: "Close it",
            trigger: ".modal:last .modal-header .btn-close",
            run: "click",
        },
        {
            content: "Create the invoices",
            trigger: ".modal button[name='action_create_invoices']",
            run: "click",
        },
        {
            content: "The new invoices are shown",
            trigger: ".o_list_view .o_data_row:contains('Donau Logistik')",
        },
    ],
});
