from django.apps import AppConfig


class EmailsConfig(AppConfig):
    """Sending plumbing and the outbox; each app owns its own messages."""

    name = "cms.emails"
    label = "emails"
    verbose_name = "Emails"
