import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("tms_billing_tour", {
    steps: () => [
        {
            content: "The transport orders to invoice are listed",
            trigger: ".o_list_view .o_data_row:contains('Tour Spedition')",
        },
        {
            content: "Show not delivered orders too",
            trigger: ".o_searchview_facet:contains('Transport: to invoice') .o_facet_remove",
            run: "click",
        },
        {
            content: "The undelivered order is listed",
            trigger: ".o_list_view .o_data_row:contains('Not delivered')",
        },
        {
            content: "Select all orders",
            trigger: "thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the invoicing wizard",
            trigger: "button:contains('Create transport invoices')",
            run: "click",
        },
        {
            content: "The preview lists the invoices to create",
            trigger: ".modal .o_tms_billing_preview .o_data_row:contains('Tour Spedition')",
        },
        {
            content: "The preview explains why an order is on a separate invoice",
            trigger: ".modal .o_tms_billing_preview td:contains('delivery date in another billing period')",
        },
        {
            content: "The totals cover the whole preview",
            trigger: ".modal .o_field_widget[name='amount_untaxed']:contains('750.00')",
        },
        {
            content: "Open one invoice of the preview",
            trigger: ".modal .o_tms_billing_preview .o_data_row:contains('Tour Spedition') td[name='partner_id']",
            run: "click",
        },
        {
            content: "It shows its orders and lines, not technical fields",
            trigger: ".modal .o_form_view .o_field_widget[name='lines_preview']:contains('×')",
        },
        {
            content: "Close it",
            trigger: ".modal:last .modal-footer button:contains('Close'), .modal:last .modal-footer button:contains('Discard')",
            run: "click",
        },
        {
            content: "The preview explains why an order is left out",
            trigger: ".modal .o_tms_billing_exclusions td:contains('no delivery date')",
        },
        {
            content: "Create the invoices",
            trigger: ".modal button[name='action_create_invoices']",
            run: "click",
        },
        {
            content: "The new invoices are shown",
            trigger: ".o_list_view .o_data_row:contains('Tour Spedition'), .o_form_view .o_field_widget[name='partner_id']:contains('Tour Spedition')",
        },
    ],
});
