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
            content: "Adjust the first invoice of the preview",
            trigger: ".modal .o_tms_billing_preview .o_data_row:first button[name='action_tms_adjust']",
            run: "click",
        },
        {
            content: "Its positions are listed to edit",
            trigger: ".modal .o_tms_billing_adjust_lines .o_data_row:first td[name='price_unit']",
            run: "click",
        },
        {
            content: "Raise the first position's price",
            trigger: ".modal .o_tms_billing_adjust_lines .o_data_row:first [name='price_unit'] input",
            run: "edit 300",
        },
        {
            content: "Leave the position",
            trigger: ".modal .o_form_view .alert-info",
            run: "click",
        },
        {
            content: "The invoice total follows the edit",
            trigger: ".modal .o_field_widget[name='amount_untaxed']:contains('550.00'), .modal .o_field_widget[name='amount_untaxed']:contains('300.00')",
        },
        {
            content: "Back to the preview",
            trigger: ".modal button[name='action_tms_back']",
            run: "click",
        },
        {
            content: "The totals of the run follow the adjustment",
            trigger: ".modal .o_field_widget[name='amount_untaxed']:contains('800.00')",
        },
        {
            content: "The preview says what was adjusted",
            trigger: ".modal .o_tms_billing_preview td[name='adjustment_summary']:contains('250.00')",
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
            trigger: ".o_breadcrumb .active:contains('Invoices')",
        },
        {
            content: "The address names no order by the wizard's id, so a reload shows the same",
            trigger: ".o_list_view .o_data_row:contains('Tour Spedition')",
            run() {
                const path = window.location.pathname;
                if (/^\/odoo\/action-[^/]+\/\d+\//.test(path)) {
                    throw new Error(`The URL names a record after the order list: ${path}`);
                }
            },
        },
    ],
});
