from odoo.exceptions import UserError


class ContactFaultsMixin:
    """Two-phase contact creation, checked against a provider's fake server."""

    def _assert_lost_answer_never_duplicates(
        self, fake, create_path, fault, customer, created=True
    ):
        """The answer to a contact's creation is lost: the link stays "being created",
        and the next attempt finds that contact instead of making another, or creates
        it when the request had not created it (``created=False``) once the evidence
        rule (settle.py) says so: two misses, the first 15 minutes after the attempt
        could have ended, the second five minutes later."""
        before = len(fake.contacts)
        fake.inject("POST", create_path, [fault])
        with self.assertRaisesRegex(UserError, "may have been created"):
            self._contact_wizard(customer).action_create_contact()
        link = customer.tms_partner_link_ids
        self.assertEqual((link.state, link.external_id), ("creating", False))
        self.assertTrue(link.last_error)
        self.assertEqual(len(fake.contacts), before + created)
        # An invoice cannot use a contact being created.
        self.assertFalse(self.backend._tms_external_ref(customer))
        if not created:
            for minutes in (0, 25):
                self._pass_time(minutes * 60)
                with self.assertRaisesRegex(UserError, "not found there yet"):
                    self._contact_wizard(customer).action_create_contact()
            self.assertEqual(len(fake.contacts), before, "not created again on one miss")
            self._pass_time(5 * 60)
        self._contact_wizard(customer).action_create_contact()
        link.invalidate_recordset()
        [created_id] = set(fake.contacts) - self._known_contacts
        self.assertEqual((link.state, link.external_id), ("linked", str(created_id)))
        self.assertFalse(link.last_error)
        self.assertEqual(len(fake.contacts), before + 1, "no second contact")
        # Once linked, the button refuses instead of creating again.
        with self.assertRaisesRegex(UserError, "already linked"):
            self._contact_wizard(customer).action_create_contact()

    def _assert_refused_creation_leaves_nothing(self, fake, customer):
        before = len(fake.contacts)
        key = self.backend.api_key
        self.backend.api_key = "refused"
        with self.assertRaises(UserError):
            self._contact_wizard(customer).action_create_contact()
        self.assertFalse(customer.tms_partner_link_ids, "no intent left behind")
        self.backend.api_key = key
        self._contact_wizard(customer).action_create_contact()
        self.assertEqual(customer.tms_partner_link_ids.state, "linked")
        self.assertEqual(len(fake.contacts), before + 1)
