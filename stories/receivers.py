"""Keep public caches and prepared images in step with what is public.

Connected in ``StoriesConfig.ready()``. Receivers only schedule work after the transaction
commits, so nothing is rebuilt from data that could still roll back.

The version bump must never be skipped: Django drops the on-commit callbacks that follow
one that raises, unless that one was registered with ``robust=True``. So every other
callback a takedown or an erasure registers (refunds, expired checkouts, emails, the CDN
purge, the page preparation below) is robust: its failure is logged, and the bump runs.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.models.pages import COMMENTS_RELATION_NAME
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
    transaction.on_commit(lambda: page_prepare.enqueue(page_id), robust=True)


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


# Writes to a page row that change nothing a visitor sees: saving a draft, locking, adding a
# child. Any other write may (see page_saved_received).
PAGE_FIELDS_NOT_PUBLIC = frozenset(
    {
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        COMMENTS_RELATION_NAME,
        "locked",
        "locked_by",
        "locked_at",
        "numchild",
    }
)


@receiver(post_save, dispatch_uid="stories_public_page_saved")
def page_saved_received(sender, instance, update_fields=None, **kwargs):
    """Not every change to a live page sends one of Wagtail's signals: wagtail-localize's
    "convert to alias" copies ``live`` and the content with a plain save, ``create_alias``
    makes a live page with none. So any write to a page row other than a draft's
    bookkeeping bumps the version too."""
    if isinstance(instance, Page) and not (
        update_fields and update_fields <= PAGE_FIELDS_NOT_PUBLIC
    ):
        _public_changed()


@receiver(post_delete, dispatch_uid="stories_public_page_deleted")
def page_deleted_received(sender, instance, **kwargs):
    if isinstance(instance, Page):
        _public_changed()
