from django.apps import AppConfig


class DonationsConfig(AppConfig):
    """Stripe gateway, donation services, webhooks and the ledger."""

    name = "cms.donations"
    label = "donations"
    verbose_name = "Donations"
