"""Signal receivers, connected in ``DonationsConfig.ready()``. They only hand over to
services: the rules live there."""

from django.db import transaction

from cms.donations import services


def story_withdrawn_received(sender, *, storyteller, reason, need_keys, **kwargs):
    """Sent inside the withdrawal transaction: the ledger moves with it, external calls
    (expiring checkouts, refunds, emails) wait for its commit."""
    from stories.models import StoryPage

    story_keys = set(
        StoryPage.objects.filter(storyteller=storyteller).values_list("translation_key", flat=True)
    )
    services.funds_withdraw(need_keys=set(need_keys), story_keys=story_keys, reason=reason)


def story_published_received(sender, instance, **kwargs):
    """Tell a story's donors about new outcome updates, once the publication is committed."""
    page_id = instance.pk

    def announce():
        from stories.models import StoryPage

        page = StoryPage.objects.filter(pk=page_id).select_related("storyteller").first()
        if page is not None:
            with transaction.atomic():
                services.story_updates_announce(page=page)

    transaction.on_commit(announce)


def storyteller_erased_received(sender, *, need_keys, story_keys, **kwargs):
    """Erasure keeps the ledger: its rows hold only opaque fund keys, which now point at
    nothing. Funds still open are closed as on withdrawal (gifts moved or refunded as each
    donor chose); messages of hope to them, which may name the storyteller, are deleted."""
    from cms.donations.models import Fund, HopeMessage

    funds = Fund.objects.filter(key__in=set(need_keys) | set(story_keys))
    open_funds = funds.filter(closed_at__isnull=True)
    services.funds_withdraw(
        need_keys=set(open_funds.filter(kind=Fund.Kind.NEED).values_list("key", flat=True)),
        story_keys=set(open_funds.filter(kind=Fund.Kind.STORY).values_list("key", flat=True)),
        reason="erased",
    )
    HopeMessage.objects.filter(fund__in=funds).delete()
