"""Reads for the home page, the navigation and search. Stories come from stories/selectors."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from wagtail.models import Locale, Page

from home.models import HomePage, StandardPage
from stories.models import StoryIndexPage, StoryPage
from stories.public_cache import public_cache_get, public_cache_set
from stories.selectors import (
    StoryFilters,
    funding_totals,
    not_restricted,
    places_with_counts,
    stories_public,
    story_cards,
)

FEATURED_COUNT = 3


def home_featured_stories(*, page: HomePage, language: str) -> list[StoryPage]:
    """The editors' choice, in this language, skipping what is not public; the most recent
    public stories fill the free places."""
    keys = list(page.featured_stories.values_list("story__translation_key", flat=True))
    public = stories_public(locale=language).select_related("storyteller")
    chosen = {story.translation_key: story for story in public.filter(translation_key__in=keys)}
    stories = [chosen[key] for key in keys if key in chosen][:FEATURED_COUNT]
    if len(stories) < FEATURED_COUNT:
        stories += list(
            public.exclude(pk__in=[story.pk for story in stories]).order_by(
                "-first_published_at", "-pk"
            )[: FEATURED_COUNT - len(stories)]
        )
    return stories


def story_index_for(language: str) -> StoryIndexPage | None:
    return (
        StoryIndexPage.objects.live()
        .filter(not_restricted(), locale__language_code=language)
        .order_by("path")
        .first()
    )


@dataclass(frozen=True)
class CampaignLink:
    title: str
    search_description: str
    url: str


@dataclass(frozen=True)
class HomeChoices:
    """What the home page shows: which stories (ids, with what their consent allows the
    cards to say), the story index's address and the featured campaign."""

    stories: list[tuple[int, bool, str]]  # (page id, consent_pseudonym, consent_precision)
    story_index_url: str | None
    campaign: CampaignLink | None


def home_choices(*, page: HomePage, language: str, request) -> HomeChoices:
    """Worked out once, then cached until anything public changes (the public version,
    stories/public_cache.py: publishing the home page, a story, a campaign, a consent):
    choosing among every public story costs more than showing three."""
    key = f"home:choices:{page.pk}:{language}"
    version, choices = public_cache_get(key)
    if choices is None:
        campaign = None
        if page.featured_campaign_id:
            campaign = (
                Page.objects.live().filter(not_restricted(), pk=page.featured_campaign_id).first()
            )
        story_index = story_index_for(language)
        choices = HomeChoices(
            stories=[
                (story.pk, story.consent_pseudonym, story.consent_precision)
                for story in home_featured_stories(page=page, language=language)
            ],
            # Addresses as Wagtail gives them for this home page's site: relative within it.
            story_index_url=story_index.get_url(request=request) if story_index else None,
            campaign=CampaignLink(
                campaign.title, campaign.search_description, campaign.get_url(request=request)
            )
            if campaign
            else None,
        )
        public_cache_set(key, choices, version=version, timeout=60 * 60)
    return choices


def home_page_context(*, page: HomePage, request) -> dict:
    language = translation.get_language()
    choices = home_choices(page=page, language=language, request=request)
    stories = (
        StoryPage.objects.live()
        .select_related("storyteller")
        .in_bulk([story_id for story_id, _pseudonym, _precision in choices.stories])
    )
    featured = []
    for story_id, pseudonym, precision in choices.stories:
        if story := stories.get(story_id):
            story.consent_pseudonym, story.consent_precision = pseudonym, precision
            featured.append(story)
    return {
        "featured": story_cards(featured),
        "places": places_with_counts(locale=language, filters=StoryFilters()),
        "story_index_url": choices.story_index_url,
        "campaign": choices.campaign,
        "totals": funding_totals(),
    }


@dataclass(frozen=True)
class SiteLink:
    title: str
    url: str
    # Set when the page is in another language than the one asked for (WCAG 3.1.2).
    language: str | None = None


@dataclass(frozen=True)
class SiteLinks:
    header: list[SiteLink]
    footer: list[SiteLink]


def site_links(*, language: str) -> SiteLinks:
    """Top-level pages for the header (those shown in menus) and the footer (simple pages),
    each in this language, or in the site's default language while it has no live
    translation (a privacy notice is never missing because it is not yet translated).

    One query, then cached until anything is published or unpublished
    (stories/public_cache.py bumps the version on every publication change).
    """
    key = f"home:site-links:{language}"
    version, links = public_cache_get(key)
    if links is None:
        default = settings.LANGUAGE_CODE
        pages = list(
            Page.objects.live()
            .filter(not_restricted(), depth=3, locale__language_code__in={language, default})
            .filter(Q(show_in_menus=True) | Q(content_type__model=StandardPage._meta.model_name))
            .select_related("content_type", "locale")
            .order_by("path")
        )
        # The default language's tree gives the order; a page found only in this language
        # comes after.
        rank = {
            page.translation_key: n
            for n, page in enumerate(p for p in pages if p.locale.language_code == default)
        }
        chosen: dict = {}
        for page in pages:
            if page.translation_key not in chosen or page.locale.language_code == language:
                chosen[page.translation_key] = page
        ordered = sorted(
            chosen.values(), key=lambda page: (rank.get(page.translation_key, len(rank)), page.path)
        )

        def link(page) -> SiteLink:
            other = page.locale.language_code if page.locale.language_code != language else None
            return SiteLink(page.title, page.url, other)

        links = SiteLinks(
            header=[link(page) for page in ordered if page.show_in_menus],
            footer=[
                link(page)
                for page in ordered
                if page.content_type.model_class() is StandardPage and not page.show_in_menus
            ],
        )
        public_cache_set(key, links, version=version, timeout=60 * 60)
    return links


def pages_search(*, query: str, language: str, limit: int = 50) -> list[Page]:
    """Live, public pages matching ``query`` in this language; stories only while their
    consent is current (the same filter as every other listing).

    Only page fields listed in ``search_fields`` are indexed: nothing from the private
    storyteller records.
    """
    locale = Locale.objects.filter(language_code=language).first() if query else None
    if locale is None:
        return []
    candidates = (
        Page.objects.live()
        .public()
        .filter(locale=locale)
        .exclude(depth__lte=1)
        .search(query, operator="and")[: limit * 2]
    )
    hits = list(candidates)
    story_ids = {page.pk for page in hits if page.content_type_id == _story_content_type_id()}
    allowed = (
        set(stories_public(locale=language).filter(pk__in=story_ids).values_list("pk", flat=True))
        if story_ids
        else set()
    )
    return [
        page
        for page in hits
        if page.content_type_id != _story_content_type_id() or page.pk in allowed
    ][:limit]


def _story_content_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(StoryPage).pk
