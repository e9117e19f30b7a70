"""What a visitor may give to, resolved from the keys in donate URLs.

Only live story pages whose consent is valid (``stories.consent.publication_blockers(page)
== []``) take gifts, for the story's general needs or one of its needs; campaign pages take
gifts while live; the general survivor fund always does. Anything else is "not found", with
no hint of why.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.utils import translation
from wagtail.models import Page

from cms.donations.models import Fund


@dataclass(frozen=True)
class Target:
    kind: str  # a Fund.Kind
    key: UUID | None = None
    page: Page | None = None  # the story or campaign page, in the visitor's language if any
    need: object | None = None  # the StoryNeed, in the visitor's language if any

    @property
    def fixed_currency(self) -> str | None:
        """A need is given to in its own currency, so that its progress adds up."""
        return self.need.currency if self.need is not None else None

    @property
    def is_story(self) -> bool:
        return self.kind in {Fund.Kind.STORY, Fund.Kind.NEED}


GENERAL = Target(kind=Fund.Kind.GENERAL)


def _in_language(rows: list, language: str | None):
    """The row in the visitor's language if there is one, else the first (the original)."""
    for row in rows:
        if row.locale.language_code == language:
            return row
    return rows[0] if rows else None


def _donatable_story(story_key: UUID, language: str | None):
    from stories.consent import publication_blockers
    from stories.models import StoryPage

    pages = [
        page
        for page in StoryPage.objects.filter(translation_key=story_key, live=True)
        .select_related("locale", "storyteller")
        .order_by("locale_id")
        if not publication_blockers(page)
    ]
    return _in_language(pages, language)


def target_for_story(story_key: UUID, *, language: str | None = None) -> Target | None:
    language = language or translation.get_language()
    page = _donatable_story(story_key, language)
    if page is None:
        return None
    return Target(kind=Fund.Kind.STORY, key=story_key, page=page)


def target_for_need(need_key: UUID, *, language: str | None = None) -> Target | None:
    from stories.models import StoryNeed

    language = language or translation.get_language()
    rows = list(
        StoryNeed.objects.filter(translation_key=need_key)
        .select_related("locale", "page")
        .order_by("locale_id")
    )
    if not rows:
        return None
    page = _donatable_story(rows[0].page.translation_key, language)
    if page is None:
        return None
    need = next((row for row in rows if row.page_id == page.pk), None) or _in_language(
        rows, language
    )
    return Target(kind=Fund.Kind.NEED, key=need_key, page=page, need=need)


def target_for_campaign(campaign_key: UUID, *, language: str | None = None) -> Target | None:
    """A live page of the campaigns app (its page types arrive with that app)."""
    language = language or translation.get_language()
    pages = list(
        Page.objects.live()
        .filter(translation_key=campaign_key, content_type__app_label="campaigns")
        .select_related("locale")
        .order_by("locale_id")
    )
    page = _in_language(pages, language)
    if page is None:
        return None
    return Target(kind=Fund.Kind.CAMPAIGN, key=campaign_key, page=page.specific)


def target_resolve(kind: str, key: UUID | None) -> Target | None:
    if kind == Fund.Kind.GENERAL:
        return GENERAL
    resolver = {
        Fund.Kind.STORY: target_for_story,
        Fund.Kind.NEED: target_for_need,
        Fund.Kind.CAMPAIGN: target_for_campaign,
    }.get(kind)
    return resolver(key) if resolver and key else None
