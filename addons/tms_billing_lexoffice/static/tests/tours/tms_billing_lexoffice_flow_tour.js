import { registry } from "@web/core/registry";

// The haulier's everyday flow as a German dispatcher walks it (README.md, "Accounting
// systems"): every label is checked in German.

registry.category("web_tour.tours").add("tms_billing_lexoffice_setup_tour", {
    steps: () => [
        {
            content: "Add a connection",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name='name'] input",
            run: "edit Lexware Office Tour",
        },
        {
            content: "Choose lexoffice",
            trigger: ".o_field_widget[name='provider'] select",
            run: 'select "lexoffice"',
        },
        {
            content: "Without a key there is nothing to test, and the form says what to do",
            trigger: ".o_form_view:not(:has(button[name='action_test_connection'])) .alert-info:contains('API-Schlüssel')",
        },
        {
            content: "Paste the key",
            trigger: ".o_field_widget[name='api_key'] input",
            run: "edit lxo-secret-key-0123456789",
        },
        {
            content: "Leave the field: the key is taken",
            trigger: ".o_form_sheet .alert-info",
            run: "click",
        },
        {
            content: "Test the connection",
            trigger: "button[name='action_test_connection']:contains('Verbindung testen')",
            run: "click",
        },
        {
            content: "lexoffice answers with the account",
            trigger: ".o_notification:contains('antwortet')",
        },
        {
            content: "Invoices go there as soon as they are created",
            trigger: ".o_field_widget[name='push_timing'] input[data-value='create']:checked",
        },
    ],
});

registry.category("web_tour.tours").add("tms_billing_lexoffice_flow_tour", {
    steps: () => [
        {
            content: "One billing status column, the route and the delivery date",
            trigger: ".o_list_view:not(:has(th[data-name='invoice_status'])) .o_data_row:contains('Kai Logistik') td[name='tms_route']:contains('Hamburg → München')",
        },
        {
            content: "Select all orders",
            trigger: "thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the preview",
            trigger: "button[name='action_tms_open_billing_wizard']:contains('Transportrechnungen erstellen')",
            run: "click",
        },
        {
            content: "The preview names the customer without a contact in lexoffice",
            trigger: ".modal-xl .o_tms_billing_preview .o_data_row:contains('Neu Spedition') td[name='tms_contact_notice']:contains('kein Kontakt in Lexware Office Tour')",
        },
        {
            content: "Link Kai Logistik's contact",
            trigger: ".modal .o_tms_billing_preview .o_data_row:contains('Kai Logistik') button[name='action_tms_link_contact']:contains('Kontakt verknüpfen')",
            run: "click",
        },
        {
            content: "Search lexoffice by the customer's name",
            trigger: ".modal button[name='action_search']:contains('Suchen')",
            run: "click",
        },
        {
            content: "Link the contact found",
            trigger: ".modal .o_data_row:contains('Kai Logistik GmbH') button[name='action_link']",
            run: "click",
        },
        {
            content: "Back in the preview, Kai Logistik is linked",
            trigger: ".modal .o_tms_billing_preview .o_data_row:contains('Kai Logistik'):not(:has(button[name='action_tms_link_contact']))",
        },
        {
            content: "Create Neu Spedition's contact",
            trigger: ".modal .o_tms_billing_preview .o_data_row:contains('Neu Spedition') button[name='action_tms_link_contact']",
            run: "click",
        },
        {
            content: "+ Neuen Kontakt erstellen",
            trigger: ".modal button[name='action_review_contact']:contains('Neuen Kontakt erstellen')",
            run: "click",
        },
        {
            content: "The data to be sent are shown for review",
            trigger: ".modal .o_field_widget[name='contact_name'] input:value('Neu Spedition GmbH')",
        },
        {
            content: "The e-mail address for invoices is missing: enter it",
            trigger: ".modal .o_field_widget[name='contact_email'] input",
            run: "edit rechnung@neu-spedition.example",
        },
        {
            content: "Create the contact",
            trigger: ".modal button[name='action_create_contact']:contains('Kontakt anlegen')",
            run: "click",
        },
        {
            content: "Back in the preview, every customer is linked",
            trigger: ".modal .o_tms_billing_preview:not(:has(button[name='action_tms_link_contact'])) .o_data_row:contains('Neu Spedition')",
        },
        {
            content: "The preview is sorted by customer: Kai Logistik first",
            trigger: ".modal .o_tms_billing_preview .o_data_row:first:contains('Kai Logistik')",
        },
        {
            content: "Adjust Kai Logistik's invoice",
            trigger: ".modal .o_tms_billing_preview .o_data_row:contains('Kai Logistik') button[name='action_tms_adjust']:contains('Anpassen')",
            run: "click",
        },
        {
            content: "Open the first position's price",
            trigger: ".modal .o_tms_billing_adjust_lines .o_data_row:first td[name='price_unit']",
            run: "click",
        },
        {
            content: "Set it to 500",
            trigger: ".modal .o_tms_billing_adjust_lines .o_data_row:first td[name='price_unit'] input",
            run: "edit 500,00",
        },
        {
            content: "Back to the preview",
            trigger: ".modal button[name='action_tms_back']",
            run: "click",
        },
        {
            content: "The adjustment is listed",
            trigger: ".modal .o_tms_billing_preview .o_data_row:contains('Kai Logistik') td[name='adjustment_summary']:contains('500')",
        },
        {
            content: "The preview says the drafts go to lexoffice at once",
            trigger: ".modal .o_field_widget[name='push_info']:contains('sofort')",
        },
        {
            content: "Save and create the invoices",
            trigger: ".modal button[name='action_create_invoices']",
            run: "click",
        },
        {
            content: "The new invoices are shown",
            trigger: "body:not(:has(.modal)) .o_list_view .o_data_row:contains('Kai Logistik')",
        },
    ],
});

registry.category("web_tour.tours").add("tms_billing_lexoffice_follow_tour", {
    steps: () => [
        {
            content: "The draft there locks the invoice, named by date and amount",
            trigger: ".alert-info:contains('Lexware Office Tour (Entwurf vom')",
        },
        {
            content: "Per line units: the waiting time counts in hours",
            trigger: ".o_field_widget[name='invoice_line_ids'] .o_data_row:contains('Wartezeit') td:contains('Stunden')",
        },
        {
            content: "Open the accounting systems tab",
            trigger: ".o_notebook .nav-link:contains('Buchhaltungssysteme')",
            run: "click",
        },
        {
            content: "Read the status there",
            trigger: ".o_field_widget[name='tms_export_ids'] button[name='action_refresh_status']",
            run: "click",
        },
        {
            content: "Finalised there, the invoice is confirmed here with the number there",
            trigger: ".o_statusbar_status button[aria-checked='true']:contains('Gebucht')",
        },
        {
            content: "The number there is shown",
            trigger: ".o_field_widget[name='tms_external_number']:contains('RE')",
        },
    ],
});
