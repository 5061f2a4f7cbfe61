import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("tms_billing_lexoffice_link_tour", {
    steps: () => [
        {
            content: "Open the customer's transport billing tab",
            trigger: ".o_notebook .nav-link:contains('Transport Billing')",
            run: "click",
        },
        {
            content: "Link the customer to a lexoffice contact",
            trigger: "button[name='action_tms_link_contact']",
            run: "click",
        },
        {
            content: "Search lexoffice by the customer's name",
            trigger: ".modal button[name='action_search']",
            run: "click",
        },
        {
            content: "Link the contact found",
            trigger: ".modal .o_data_row:contains('Tour Kunde GmbH') button[name='action_link']",
            run: "click",
        },
        {
            content: "The link is shown on the customer",
            trigger: "body:not(:has(.modal)) .o_field_widget[name='tms_partner_link_ids'] .o_data_row:contains('Tour Kunde GmbH'):contains('Lexware Office')",
        },
    ],
});
