"""Taking a storyteller's story down everywhere at once (withdrawal and expiry).

In the caller's transaction: every page of the storyteller in every locale (aliases and the
updates inline on them included) is unpublished, open workflows are cancelled, scheduled
go-lives are cleared, and other apps are told through ``stories.signals.story_withdrawn``
(donations expire checkouts and reallocate or refund gifts). After commit: the story's image
renditions are deleted (their URLs then answer 404), the frontend cache is purged for every
URL that showed the story and for those renditions, the pages leave the search index, and
staff are told without any identifying detail. Every page gets an audit-log entry.
"""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page, ReferenceIndex, Revision, WorkflowState
from wagtail.search.index import remove_object

from cms.core.models import CustomImage
from stories.models import StoryNeed, StoryPage, Storyteller
from stories.models.pages import FeaturedStory
from stories.signals import story_withdrawn

logger = logging.getLogger(__name__)

LOG_ACTIONS = {
    "withdrawn": "stories.withdrawn",
    "expired": "stories.consent_expired",
    "out of scope": "stories.consent_narrowed",
}


def story_pages(storyteller: Storyteller) -> list[StoryPage]:
    """Every page of the storyteller, in every locale, aliases included."""
    return list(StoryPage.objects.filter(storyteller=storyteller).select_related("locale"))


def _featuring_pages(pages: list[StoryPage]) -> list[Page]:
    """Pages that feature these stories (home pages, campaigns: every concrete
    ``FeaturedStory``), with their translations."""
    featuring = set()
    for model in FeaturedStory.__subclasses__():
        if not model._meta.abstract:
            featuring |= set(
                model.objects.filter(story__in=pages).values_list("page_id", flat=True)
            )
    translation_keys = Page.objects.filter(pk__in=featuring).values("translation_key")
    return list(Page.objects.filter(translation_key__in=translation_keys, live=True))


def affected_urls(pages: list[StoryPage]) -> set[str]:
    """Every URL that shows (or lists) these stories: the pages, their parents and homes,
    the pages featuring them (campaigns) and the sitemap, in every locale. The map data is
    never kept by a CDN (``Cache-Control: private``): nothing to purge there."""
    urls: set[str] = set()
    for page in pages:
        for related in [page, *page.get_ancestors().filter(depth__gt=1).specific()]:
            if url := related.get_full_url():
                urls.add(url)
    for page in _featuring_pages(pages):
        if url := page.get_full_url():
            urls.add(url)
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    urls.add(f"{base}/sitemap.xml")
    return urls


def _story_images(pages: list[StoryPage]) -> set[CustomImage]:
    images = set()
    for page in pages:
        for block in page.body or []:
            if block.block_type == "image" and block.value.get("image") is not None:
                images.add(block.value["image"])
    return images


def _used_by_other_live_pages(image: CustomImage, page_ids: set[int]) -> bool:
    page_type = ContentType.objects.get_for_model(Page)
    referring = {
        int(object_id)
        for object_id in ReferenceIndex.get_references_to(image)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
    }
    return Page.objects.filter(pk__in=referring - page_ids, live=True).exists()


def _renditions_delete(image: CustomImage) -> set[str]:
    """Delete the image's renditions and their files now; return their absolute URLs.

    Wagtail would delete the files later, in a background task: a CDN purged before that
    could fetch and keep one again. Its task then finds nothing left to delete.
    """
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    urls = set()
    for rendition in image.renditions.all():
        url = rendition.url
        urls.add(f"{base}{url}" if url.startswith("/") else url)
        rendition.file.storage.delete(rendition.file.name)
    image.renditions.all().delete()
    return urls


def _after_commit(*, page_ids: set[int], urls: set[str], image_ids: set[int], case_code, reason):
    rendition_urls: set[str] = set()
    for image in CustomImage.objects.filter(pk__in=image_ids):
        if not _used_by_other_live_pages(image, page_ids):
            # The story's image URLs answer 404 from now on, at the CDN too (purged below).
            rendition_urls |= _renditions_delete(image)
    batch = PurgeBatch()
    batch.add_urls(sorted(urls | rendition_urls))
    batch.purge()
    for page in Page.objects.filter(pk__in=page_ids).specific():
        remove_object(page)
    recipients = sorted(
        {
            email
            for email in Storyteller.objects.filter(case_code=case_code).values_list(
                "case_workers__email", flat=True
            )
            if email
        }
    )
    if recipients:
        # The case code is opaque: the message says nothing that identifies anyone.
        send_mail(
            _("Story %(code)s has been taken down") % {"code": case_code},
            _(
                "Every page of the story %(code)s has been taken down (%(reason)s), in every "
                "language. Support for the storyteller continues from the general fund."
            )
            % {"code": case_code, "reason": reason},
            None,
            recipients,
            fail_silently=True,
        )
    logger.info("Story %s taken down (%s): %d pages", case_code, reason, len(page_ids))


def story_takedown(
    *, storyteller: Storyteller, by, reason: str, only: list[StoryPage] | None = None
) -> list[StoryPage]:
    """Unpublish everything of this storyteller now (or the ``only`` pages given); returns
    the pages taken down.

    Must run inside a transaction (the caller's): the external effects wait for its commit.
    """
    pages = story_pages(storyteller) if only is None else only
    page_ids = {page.pk for page in pages}
    images = _story_images(pages)
    urls = affected_urls([page for page in pages if page.live])
    for page in pages:
        if page.live:
            # Taking a story down is the storyteller's right, not a page permission.
            UnpublishPageAction(page, user=by, log_action=LOG_ACTIONS[reason]).execute(
                skip_permission_checks=True
            )
    for state in WorkflowState.objects.active().filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id__in=[str(pk) for pk in page_ids],
    ):
        state.cancel(user=by)
    Revision.page_revisions.filter(object_id__in=[str(pk) for pk in page_ids]).update(
        approved_go_live_at=None
    )
    story_withdrawn.send(
        sender=Storyteller,
        storyteller=storyteller,
        by=by,
        reason=reason,
        need_keys=set(
            StoryNeed.objects.filter(page__in=page_ids).values_list("translation_key", flat=True)
        ),
    )
    transaction.on_commit(
        lambda: _after_commit(
            page_ids=page_ids,
            urls=urls,
            image_ids={image.pk for image in images},
            case_code=storyteller.case_code,
            reason=reason,
        ),
        robust=True,
    )
    return pages


def story_takedown_out_of_scope(*, storyteller: Storyteller, by) -> list[StoryPage]:
    """After consent changes: take down the pages it no longer covers (a language dropped,
    a region now too precise, photos no longer allowed…), leave the others live."""
    from cms.workflows.models import CONSENT_CODES

    uncovered = [
        page
        for page in story_pages(storyteller)
        if page.live and {b.code for b in page.publication_blockers()} & CONSENT_CODES
    ]
    if not uncovered:
        return []
    return story_takedown(storyteller=storyteller, by=by, reason="out of scope", only=uncovered)
