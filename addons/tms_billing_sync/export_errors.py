"""What a provider tells the export ledger when a call goes wrong.

Provider addons turn their clients' exceptions into these; the ledger decides from the
class alone whether to retry, and whether the invoice may already exist remotely.

The clients' own exceptions are ``TranslatableError``: a template marked with ``_lt``,
which Odoo's translation export extracts from every .py file of an addon, and its named
parameters. The Odoo side gives them in the reader's language (``text``).
"""


def _lt(text):
    """Mark ``text`` for the translation export; it is translated where it is shown."""
    return text


class TranslatableError(Exception):
    """An error whose message is ``template`` (``_lt("... %(name)s ...")``) filled with
    ``params``: ``message`` is the English text, ``text(translate)`` the message in the
    language of ``translate(template) -> str``. A parameter that is a TranslatableError
    itself is given in the same language."""

    def __init__(self, template, **params):
        self.template = template
        self.params = params
        self.message = self._fill(None)
        super().__init__(self.message)

    def _fill(self, translate):
        template = translate(self.template) if translate else self.template
        if not self.params:
            return template
        values = {
            name: value.text(translate) if isinstance(value, TranslatableError) else value
            for name, value in self.params.items()
        }
        try:
            return template % values
        except (KeyError, TypeError, ValueError):
            # A translation whose placeholders went wrong: the English text rather than none.
            return self.template % values

    def _suffix(self):
        """What the provider added (status, its own messages), appended as it gave it."""
        return ""

    def text(self, translate=None):
        """The whole message, in the language of ``translate`` (None: English)."""
        return self._fill(translate) + self._suffix()

    def __str__(self):
        return self.text()


class ExportError(Exception):
    """A push or look-up failed; worth retrying later with backoff, or at ``next_at``
    (a naive UTC datetime) when the ledger should look again then."""

    retry = True
    outcome_unknown = False

    def __init__(self, *args, next_at=None):
        super().__init__(*args)
        self.next_at = next_at


class ExportRejected(ExportError):
    """The provider refused the data (validation, conflict, mapping): retrying the same
    payload would fail again, so it waits for a user to fix the cause."""

    retry = False


class ExportAuthFailed(ExportRejected):
    """The credentials were refused; a retry loop could get the key blocked."""


class ExportOutcomeUnknown(ExportError):
    """No answer to a create call (timeout, 504, dropped connection): the invoice may
    exist remotely, so the next attempt looks for it before sending again."""

    outcome_unknown = True


class ExportDeadlineReached(ExportError):
    """A call was not started because its deadline left too little time for it (see
    ``export_http.ApiClient.until``), or the repeat of a call that was refused as not
    performed (429, a connection never made) found too little time left after its wait.
    Either way the provider performed nothing of this call: try it again later, in a run
    with time for it. A call cut short by its deadline once started is no such case: it
    fails as a timeout does, and a create's outcome is then unknown."""

    performed = False


def retry_delay(attempts, base=60, cap=6 * 3600):
    """Seconds to wait before attempt ``attempts + 1``: 1, 2, 4 ... minutes, at most 6 h."""
    return min(cap, base * 2 ** max(0, attempts - 1))
