"""Reads for campaign pages: featured stories (only public ones), the supporter counter, the
wall of messages of hope, the campaign's fund."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from uuid import UUID

from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone, translation

from campaigns.models import CampaignPage, Supporter
from campaigns.scanning import blocking_kinds
from campaigns.share import share_kit_links, share_links
from cms.donations.models import Fund, HopeMessage, LedgerEntry
from cms.donations.selectors import MONEY_IN_AND_BACK
from stories.selectors import stories_public, story_cards

COUNT_CACHE_SECONDS = 60
WALL_SIZE = 30


# --------------------------------------------------------------------------------------
# Supporters
# --------------------------------------------------------------------------------------


def _count_key(campaign_key: UUID) -> str:
    return f"campaigns:supporters:{campaign_key}"


def supporters_counted(*, campaign_key: UUID):
    """Confirmed supporters who have not left."""
    return Supporter.objects.filter(
        campaign_key=campaign_key, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    )


def supporters_confirmed_count(*, campaign_key: UUID) -> int:
    """The public counter, cached briefly; sign-ups and departures clear it."""
    key = _count_key(campaign_key)
    count = cache.get(key)
    if count is None:
        count = supporters_counted(campaign_key=campaign_key).count()
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


def supporters_count_forget(*, campaign_key: UUID) -> None:
    cache.delete(_count_key(campaign_key))


# --------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------


def campaign_in_language(*, campaign_key: UUID, language: str | None):
    """The live page of a campaign in ``language``, else its original, else ``None``."""
    pages = list(
        CampaignPage.objects.live()
        .filter(translation_key=campaign_key)
        .select_related("locale")
        .order_by("locale_id")
        .specific()
    )
    chosen = next((page for page in pages if page.locale.language_code == language), None)
    return chosen or (pages[0] if pages else None)


def campaign_featured_stories(*, page: CampaignPage, language: str) -> list:
    """The chosen stories that are public today, in this language, in the editors' order.

    A story that is withdrawn, expires or is unpublished drops out silently; as the page
    cache is keyed on the public-content version, it disappears from cached pages at once.
    """
    keys = list(
        page.featured_stories.order_by("sort_order").values_list(
            "story__translation_key", flat=True
        )
    )
    if not keys:
        return []
    public = stories_public(locale=language).select_related("storyteller")
    chosen = {story.translation_key: story for story in public.filter(translation_key__in=keys)}
    return story_cards([chosen[key] for key in keys if key in chosen])


@dataclass(frozen=True)
class Goal:
    kind: str
    target: int
    reached: int
    currency: str = ""

    @property
    def percent(self) -> int:
        if not self.target:
            return 0
        return min(100, int(self.reached * 100 / self.target))


def campaign_raised_minor(*, campaign_key: UUID, currency: str) -> int:
    """Gifts to the campaign fund less refunds and lost disputes, from the ledger."""
    total = LedgerEntry.objects.filter(
        fund__kind=Fund.Kind.CAMPAIGN,
        fund__key=campaign_key,
        currency=currency,
        kind__in=MONEY_IN_AND_BACK,
    ).aggregate(total=Sum("amount_minor"))["total"]
    return max(total or 0, 0)


def campaign_goal(*, page: CampaignPage, supporters: int) -> Goal | None:
    if page.goal_kind == CampaignPage.Goal.MONEY and page.goal_minor and page.goal_currency:
        raised = campaign_raised_minor(
            campaign_key=page.translation_key, currency=page.goal_currency
        )
        return Goal("money", page.goal_minor, raised, page.goal_currency)
    if page.goal_kind == CampaignPage.Goal.SUPPORTERS and page.goal_supporters:
        return Goal("supporters", page.goal_supporters, supporters)
    return None


# --------------------------------------------------------------------------------------
# The wall
# --------------------------------------------------------------------------------------


def hope_messages_wall(*, campaign_key: UUID, limit: int = WALL_SIZE) -> list[HopeMessage]:
    """Approved messages to the campaign's fund, newest first. A message with a blocking
    finding is never shown, whatever its status says (the moderation service also refuses
    to approve it)."""
    rows = HopeMessage.objects.filter(
        fund__kind=Fund.Kind.CAMPAIGN,
        fund__key=campaign_key,
        status=HopeMessage.Status.APPROVED,
    ).order_by("-moderated_at", "-pk")[: limit * 2]
    return [row for row in rows if not blocking_kinds(row.findings)][:limit]


# --------------------------------------------------------------------------------------
# Everything a campaign page shows
# --------------------------------------------------------------------------------------


def campaign_page_context(*, page: CampaignPage, request) -> dict:
    from campaigns.forms import HopeMessageForm, SignupForm

    language = translation.get_language()
    url = page.get_full_url(request)
    supporters = supporters_confirmed_count(campaign_key=page.translation_key)
    context = {
        "featured": campaign_featured_stories(page=page, language=language),
        "share_kit": share_kit_links(page=page, url=url),
        "wall": hope_messages_wall(campaign_key=page.translation_key),
        "message_form": getattr(request, "campaign_message_form", None) or HopeMessageForm(),
        "message_sent": request.GET.get("sent") == "message",
        "supporters": supporters,
        "goal": campaign_goal(page=page, supporters=supporters),
        "is_over": page.ends_on < timezone.localdate(),
        "rate_limited": getattr(request, "campaign_rate_limited", False),
    }
    moment = getattr(page, "moment", None)
    if moment is not None:
        context.update(
            {
                "signup_form": getattr(request, "campaign_signup_form", None)
                or SignupForm(initial={"language": language}),
                "signed_up": request.GET.get("sent") == "signup",
                "moment_passed": page.moment_passed,
                "moment_utc": moment.astimezone(UTC),
                "moment_share": share_links(
                    text=page.moment_message, hashtag=page.hashtag_text, url=url
                ),
            }
        )
    errors = []
    for form in (context["message_form"], context.get("signup_form")):
        if form is not None and form.is_bound:
            errors += form.error_list()
    context["errors"] = errors
    return context
