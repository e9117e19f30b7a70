"""Keep public caches and prepared images in step with what is public.

Connected in ``StoriesConfig.ready()``. Receivers only schedule work after the transaction
commits, so nothing is rebuilt from data that could still roll back.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
)

from stories.models import ConsentRecord, Storyteller
from stories.public_cache import public_version_bump
from stories.signals import story_withdrawn


def _public_changed(**kwargs) -> None:
    transaction.on_commit(public_version_bump)


@receiver(page_published, dispatch_uid="stories_public_published")
def page_published_received(sender, instance, **kwargs):
    from home.tasks import page_prepare

    _public_changed()
    page_id = instance.pk
    transaction.on_commit(lambda: page_prepare.enqueue(page_id))


page_unpublished.connect(_public_changed, dispatch_uid="stories_public_unpublished")
post_page_move.connect(_public_changed, dispatch_uid="stories_public_moved")
page_slug_changed.connect(_public_changed, dispatch_uid="stories_public_slug_changed")
post_save.connect(_public_changed, sender=Site, dispatch_uid="stories_site_saved")
post_delete.connect(_public_changed, sender=Site, dispatch_uid="stories_site_deleted")
post_save.connect(_public_changed, sender=Locale, dispatch_uid="stories_locale_saved")
post_delete.connect(_public_changed, sender=Locale, dispatch_uid="stories_locale_deleted")
# Whether the storyteller is a child decides their consent, faces and map precision.
post_save.connect(_public_changed, sender=Storyteller, dispatch_uid="stories_storyteller_saved")
story_withdrawn.connect(_public_changed, dispatch_uid="stories_public_withdrawn")
post_save.connect(_public_changed, sender=ConsentRecord, dispatch_uid="stories_consent_saved")
post_save.connect(
    _public_changed, sender=PageViewRestriction, dispatch_uid="stories_restriction_saved"
)
post_delete.connect(
    _public_changed, sender=PageViewRestriction, dispatch_uid="stories_restriction_deleted"
)


@receiver(post_delete, dispatch_uid="stories_public_page_deleted")
def page_deleted_received(sender, instance, **kwargs):
    if isinstance(instance, Page):
        _public_changed()
