from django.apps import AppConfig


class DonationsConfig(AppConfig):
    """Stripe gateway, donation services, webhooks and the ledger."""

    name = "cms.donations"
    label = "donations"
    verbose_name = "Donations"

    def ready(self):
        from wagtail.signals import page_published

        from cms.donations import receivers
        from stories.models import StoryPage
        from stories.signals import story_withdrawn, storyteller_erased

        story_withdrawn.connect(
            receivers.story_withdrawn_received, dispatch_uid="donations_story_withdrawn"
        )
        storyteller_erased.connect(
            receivers.storyteller_erased_received, dispatch_uid="donations_storyteller_erased"
        )
        page_published.connect(
            receivers.story_published_received,
            sender=StoryPage,
            dispatch_uid="donations_story_published",
        )
