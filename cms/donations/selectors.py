"""Reads about donations: funded amounts, totals, labels. Everything public comes from the
ledger, so progress bars and totals are honest sums of what Stripe confirmed.

Public-site entry points (``stories/selectors.py`` calls them):
``need_funded_minor(need_key=…)``, ``needs_funded_minor(need_keys=…)`` (one query for many
needs) and ``totals()``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import BigIntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import translation
from django.utils.translation import gettext as _

from cms.donations.models import Donation, Fund, HopeMessage, LedgerEntry, MonthlyGift

# Entries that change how much a fund holds from outside: gifts in, money given back.
# (Reallocations only move money between funds; fees are the organisation's cost.)
MONEY_IN_AND_BACK = [
    LedgerEntry.Kind.GIFT,
    LedgerEntry.Kind.REFUND,
    LedgerEntry.Kind.DISPUTE,
    LedgerEntry.Kind.DISPUTE_REVERSAL,
]


def _need_currency(outer: str = "fund__key") -> Subquery:
    from stories.models import StoryNeed

    return Subquery(
        StoryNeed.objects.filter(translation_key=OuterRef(outer))
        .order_by("locale_id")
        .values("currency")[:1]
    )


def needs_funded_minor(*, need_keys: Iterable[UUID]) -> dict[UUID, int]:
    """What each need (by translation key) holds now, in the need's own currency. One query."""
    keys = list(need_keys)
    result = dict.fromkeys(keys, 0)
    if not keys:
        return result
    rows = (
        LedgerEntry.objects.filter(fund__kind=Fund.Kind.NEED, fund__key__in=keys)
        .filter(currency=_need_currency())
        .values("fund__key")
        .annotate(total=Sum("amount_minor"))
    )
    for row in rows:
        result[row["fund__key"]] = max(row["total"] or 0, 0)
    return result


def need_funded_expression(*, key: str = "translation_key", currency: str = "currency"):
    """What a need holds, as an expression to annotate ``StoryNeed`` rows with: lets a
    listing read needs and their funding in the same query."""
    total = (
        LedgerEntry.objects.filter(
            fund__kind=Fund.Kind.NEED, fund__key=OuterRef(key), currency=OuterRef(currency)
        )
        .order_by()
        .values("fund__key")
        .annotate(total=Sum("amount_minor"))
        .values("total")[:1]
    )
    # Typed in the SQL (PostgreSQL sums bigint as numeric): read through raw() too.
    return Cast(Greatest(Coalesce(Subquery(total), 0), 0), BigIntegerField())


def need_funded_minor(*, need_key: UUID) -> int:
    return needs_funded_minor(need_keys=[need_key])[need_key]


@dataclass(frozen=True)
class Totals:
    """The site's public totals: raised per currency, needs funded, people supported."""

    raised: list[tuple[str, int]] = field(default_factory=list)  # (currency, minor units)
    needs_funded: int = 0
    people_supported: int = 0

    @property
    def anything_raised(self) -> bool:
        return any(amount for _currency, amount in self.raised)


TOTALS_CACHE_KEY = "donations:totals"
TOTALS_CACHE_SECONDS = 60


def totals() -> Totals:
    """Raised per currency (gifts less refunds and lost disputes), needs whose goal is met,
    and how many storytellers hold money given to their story or needs.

    Cached: a new ledger entry drops it once committed (``ledger._append``), a publication
    change retires it (the public version), and it lasts a minute at most, which also
    bounds what a request racing a ledger commit could leave behind.
    """
    from stories.public_cache import public_cache_get, public_cache_set

    version, cached = public_cache_get(TOTALS_CACHE_KEY)
    if cached is None:
        cached = _totals()
        public_cache_set(TOTALS_CACHE_KEY, cached, version=version, timeout=TOTALS_CACHE_SECONDS)
    return cached


def _totals() -> Totals:
    from stories.models import StoryNeed, StoryPage

    raised = (
        LedgerEntry.objects.filter(kind__in=MONEY_IN_AND_BACK)
        .values("currency")
        .annotate(total=Sum("amount_minor"))
        .order_by("currency")
    )
    held = (
        LedgerEntry.objects.filter(fund__kind__in=[Fund.Kind.NEED, Fund.Kind.STORY])
        .values("fund__kind", "fund__key", "currency")
        .annotate(total=Sum("amount_minor"))
    )
    balances: dict[tuple[str, UUID], dict[str, int]] = defaultdict(dict)
    for row in held:
        if row["total"] > 0:
            balances[(row["fund__kind"], row["fund__key"])][row["currency"]] = row["total"]
    need_keys = [key for kind, key in balances if kind == Fund.Kind.NEED]
    story_keys = [key for kind, key in balances if kind == Fund.Kind.STORY]
    needs_funded = 0
    storytellers: set[int] = set()
    seen_needs: set[UUID] = set()
    for need in StoryNeed.objects.filter(translation_key__in=need_keys).select_related("page"):
        if need.translation_key in seen_needs:
            continue  # one row per locale; count each need once
        seen_needs.add(need.translation_key)
        held_minor = balances[(Fund.Kind.NEED, need.translation_key)].get(need.currency, 0)
        if held_minor >= need.goal_minor:
            needs_funded += 1
        if held_minor > 0:
            storytellers.add(need.page.storyteller_id)
    storytellers |= set(
        StoryPage.objects.filter(translation_key__in=story_keys).values_list(
            "storyteller_id", flat=True
        )
    )
    return Totals(
        raised=[(row["currency"], row["total"]) for row in raised if row["total"] > 0],
        needs_funded=needs_funded,
        people_supported=len(storytellers),
    )


# --------------------------------------------------------------------------------------
# Labels: finance sees titles of public pages and needs, never a pseudonym or case code;
# donors' emails name the need generically.
# --------------------------------------------------------------------------------------


def fund_labels(funds: Iterable[Fund]) -> dict[int, str]:
    """A readable label per fund id, from public titles (default-locale copies)."""
    from wagtail.models import Page

    from stories.models import StoryNeed

    funds = list(funds)
    need_keys = [fund.key for fund in funds if fund.kind == Fund.Kind.NEED]
    page_keys = [fund.key for fund in funds if fund.kind in {Fund.Kind.STORY, Fund.Kind.CAMPAIGN}]
    needs = {}
    for need in (
        StoryNeed.objects.filter(translation_key__in=need_keys)
        .select_related("page")
        .order_by("-locale_id")
    ):
        needs[need.translation_key] = need  # the lowest locale id (the original) wins
    pages = {}
    for page in Page.objects.filter(translation_key__in=page_keys).order_by("-locale_id"):
        pages[page.translation_key] = page
    labels = {}
    for fund in funds:
        if fund.kind == Fund.Kind.GENERAL:
            label = _("General survivor fund")
        elif fund.kind == Fund.Kind.NEED and fund.key in needs:
            need = needs[fund.key]
            label = _("Need: %(need)s (story: %(story)s)") % {
                "need": need.title,
                "story": need.page.title,
            }
        elif fund.kind == Fund.Kind.STORY and fund.key in pages:
            label = _("Story's general needs: %(story)s") % {"story": pages[fund.key].title}
        elif fund.kind == Fund.Kind.CAMPAIGN and fund.key in pages:
            label = _("Campaign: %(campaign)s") % {"campaign": pages[fund.key].title}
        else:
            label = _("%(kind)s (no longer on the site)") % {"kind": fund.get_kind_display()}
        if fund.is_closed:
            label += " — " + _("closed")
        labels[fund.pk] = label
    return labels


def fund_label(fund: Fund) -> str:
    return fund_labels([fund])[fund.pk]


def fund_purpose(fund: Fund) -> str:
    """What a gift to this fund is for, in words that never name or describe a person
    (receipts and donor emails; translated in the active language)."""
    from stories.models import StoryNeed

    if fund.kind == Fund.Kind.NEED:
        need = StoryNeed.objects.filter(translation_key=fund.key).order_by("locale_id").first()
        if need is not None:
            return _("a survivor's need: %(category)s") % {
                "category": str(need.get_category_display()).lower()
            }
        return _("a survivor's need")
    if fund.kind == Fund.Kind.STORY:
        return _("a survivor's general needs")
    if fund.kind == Fund.Kind.CAMPAIGN:
        return _("an igivehope campaign")
    return _("the general survivor fund")


# --------------------------------------------------------------------------------------
# Finance and donors
# --------------------------------------------------------------------------------------


def donations_for_finance() -> QuerySet[Donation]:
    return Donation.objects.select_related("target").order_by("-created_at")


def ledger_for_finance() -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.select_related("fund").order_by("-created_at", "-pk")


def donation_refundable_minor(donation: Donation) -> int:
    """How much of a paid donation can still be refunded."""
    taken = (
        LedgerEntry.objects.filter(
            donation=donation, kind__in=[LedgerEntry.Kind.REFUND, LedgerEntry.Kind.DISPUTE]
        ).aggregate(total=Sum("amount_minor"))["total"]
        or 0
    )
    returned = (
        LedgerEntry.objects.filter(
            donation=donation, kind=LedgerEntry.Kind.DISPUTE_REVERSAL
        ).aggregate(total=Sum("amount_minor"))["total"]
        or 0
    )
    if not donation.is_paid:
        return 0
    return max(donation.amount_minor + taken + returned, 0)


def story_donor_addresses(*, story_key: UUID, need_keys: Iterable[UUID]) -> dict[str, str]:
    """Donors who asked for news of a story, with their language: ``{email: language}``.

    Everyone whose paid, not fully refunded gift went to the story or one of its needs.
    """
    funds = Fund.objects.filter(kind=Fund.Kind.STORY, key=story_key) | Fund.objects.filter(
        kind=Fund.Kind.NEED, key__in=list(need_keys)
    )
    rows = (
        Donation.objects.filter(
            target__in=funds,
            updates_opt_in=True,
            status__in=[Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED],
        )
        .order_by("paid_at")
        .values_list("email", "language")
    )
    addresses: dict[str, str] = {}
    for email, language in rows:
        addresses[email.lower()] = language  # the latest gift's language wins
    return addresses


def monthly_gifts_for_email(email: str) -> QuerySet[MonthlyGift]:
    return MonthlyGift.objects.filter(
        email__iexact=email.strip(),
        status=MonthlyGift.Status.ACTIVE,
    ).exclude(stripe_customer_id="")


def hope_messages_for_moderation() -> QuerySet[HopeMessage]:
    """Messages whose gift is paid (and not refunded): nobody sees the others, moderators
    included. Messages left on a campaign wall without a gift (``campaigns``) too."""
    return HopeMessage.objects.filter(
        Q(donation__status__in=[Donation.Status.PAID, Donation.Status.PARTIALLY_REFUNDED])
        | Q(monthly_gift__status__in=[MonthlyGift.Status.ACTIVE, MonthlyGift.Status.CANCELLED])
        | Q(donation__isnull=True, monthly_gift__isnull=True, fund__kind=Fund.Kind.CAMPAIGN)
    )


def story_follow_url(*, story_key: UUID) -> str | None:
    """Where ``/donate/follow/<key>/`` sends a donor: the live story in the active language,
    else its original, else nowhere."""
    from stories.consent import publication_blockers
    from stories.models import StoryPage

    language = translation.get_language()
    pages = [
        page
        for page in StoryPage.objects.filter(translation_key=story_key, live=True)
        .select_related("locale")
        .order_by("locale_id")
        if not publication_blockers(page)
    ]
    chosen = next((page for page in pages if page.locale.language_code == language), None)
    chosen = chosen or (pages[0] if pages else None)
    return chosen.get_url() if chosen else None
