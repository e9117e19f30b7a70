"""Fake email providers for the outbox tests: anymail's test backend, with failures on demand."""

from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused

# Set by tests: how many sends fail next, with which HTTP status; or refuse every recipient.
BEHAVIOUR = {"fail_next": 0, "status": 503, "refuse": False}


class FlakyBackend(AnymailTestBackend):
    def send_messages(self, email_messages):
        if BEHAVIOUR["refuse"]:
            raise AnymailRecipientsRefused("All message recipients were rejected")
        if BEHAVIOUR["fail_next"] > 0:
            BEHAVIOUR["fail_next"] -= 1
            raise AnymailAPIError("The provider is unavailable", status_code=BEHAVIOUR["status"])
        return super().send_messages(email_messages)
