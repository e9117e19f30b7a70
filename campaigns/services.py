"""Everything that happens to supporters, moments, wall messages and campaign data.

Keyword-only, ``<entity>_<action>``. Emails go through the outbox (``cms.emails``), written
in the same transaction as the change that causes them and rendered in the supporter's
language; each carries a signed link to leave.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, timedelta
from enum import StrEnum
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from campaigns import tokens
from campaigns.models import CampaignPage, IGiveHopePage, MomentRun, Supporter
from campaigns.scanning import message_findings
from campaigns.selectors import (
    campaign_in_language,
    supporters_count_forget,
    supporters_counted,
)
from campaigns.share import share_links
from cms.donations import ledger
from cms.donations.emails import absolute_url, url_in
from cms.donations.models import Fund, HopeMessage
from cms.emails.services import email_enqueue

logger = logging.getLogger(__name__)

# A second sign-up with the same address sends another confirmation only after this long:
# the form cannot be used to flood someone's inbox.
CONFIRMATION_RESEND_AFTER = timedelta(minutes=10)


class SignupClosed(Exception):
    """The moment has passed: no more sign-ups or confirmations."""


# --------------------------------------------------------------------------------------
# Emails
# --------------------------------------------------------------------------------------


def _count_forget(campaign_key: UUID) -> None:
    """Now, and again once committed (a request in between may have cached the old count)."""
    supporters_count_forget(campaign_key=campaign_key)
    transaction.on_commit(lambda: supporters_count_forget(campaign_key=campaign_key))


def _moment_local(moment, time_zone: str) -> tuple[object, str]:
    try:
        zone = zoneinfo.ZoneInfo(time_zone) if time_zone else UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone, time_zone = UTC, ""
    return moment.astimezone(zone), time_zone or "UTC"


def _email_context(*, supporter: Supporter, page: CampaignPage) -> dict:
    return {
        "page": page,
        "page_url": absolute_url(page.url or "/"),
        "hashtag": page.hashtag_text,
        "leave_url": url_in(supporter.language, "campaigns:leave", tokens.leave_token(supporter)),
        "site_url": absolute_url("/"),
    }


def _confirmation_enqueue(*, supporter: Supporter, page: IGiveHopePage) -> None:
    local, zone_name = _moment_local(page.moment, supporter.time_zone)
    context = _email_context(supporter=supporter, page=page) | {
        "confirm_url": url_in(
            supporter.language, "campaigns:confirm", tokens.confirm_token(supporter)
        ),
        "moment_local": local,
        "zone_name": zone_name,
        "valid_days": max(1, settings.CAMPAIGN_CONFIRM_MAX_AGE_SECONDS // 86400),
    }
    email_enqueue(
        to=supporter.email,
        subject=_("Confirm your place in the moment"),
        template="campaigns/emails/confirm",
        context=context,
        language=supporter.language,
        dedupe_key=f"supporter:{supporter.pk}:confirm:{int(timezone.now().timestamp())}",
        tags=["campaign-confirm"],
    )


# --------------------------------------------------------------------------------------
# Supporters
# --------------------------------------------------------------------------------------


def supporter_sign_up(
    *, page: IGiveHopePage, email: str, language: str, time_zone: str = ""
) -> Supporter:
    """Record a sign-up and email a confirmation link (double opt-in).

    The answer is the same whatever the address's state, so the form never tells anyone
    whether an address is already signed up. A confirmed supporter gets no new email.
    """
    if page.moment_passed:
        raise SignupClosed
    key = page.translation_key
    email = email.strip()
    now = timezone.now()
    with transaction.atomic():
        supporter = (
            Supporter.objects.select_for_update()
            .filter(campaign_key=key, email__iexact=email)
            .first()
        )
        if supporter is None:
            try:
                with transaction.atomic():
                    supporter = Supporter.objects.create(
                        campaign_key=key, email=email, language=language, time_zone=time_zone
                    )
            except IntegrityError:  # the same address, concurrently
                supporter = Supporter.objects.select_for_update().get(
                    campaign_key=key, email__iexact=email
                )
        if supporter.is_counted:
            return supporter
        recently = (
            supporter.confirmation_sent_at
            and now - supporter.confirmation_sent_at < CONFIRMATION_RESEND_AFTER
        )
        if recently and supporter.unsubscribed_at is None:
            return supporter
        supporter.language = language
        supporter.time_zone = time_zone
        supporter.unsubscribed_at = None
        supporter.confirmed_at = None
        supporter.confirmation_sent_at = now
        supporter.save(
            update_fields=[
                "language",
                "time_zone",
                "unsubscribed_at",
                "confirmed_at",
                "confirmation_sent_at",
            ]
        )
        _confirmation_enqueue(supporter=supporter, page=page)
    return supporter


class ConfirmResult(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already"
    LEFT = "left"
    CLOSED = "closed"
    UNKNOWN = "unknown"


def supporter_confirm(*, supporter_id: int) -> ConfirmResult:
    """Count a supporter once. A second confirmation changes nothing."""
    with transaction.atomic():
        supporter = Supporter.objects.select_for_update().filter(pk=supporter_id).first()
        if supporter is None:
            return ConfirmResult.UNKNOWN
        if supporter.unsubscribed_at is not None:
            return ConfirmResult.LEFT
        if supporter.confirmed_at is not None:
            return ConfirmResult.ALREADY
        page = campaign_in_language(campaign_key=supporter.campaign_key, language=None)
        if not isinstance(page, IGiveHopePage):
            return ConfirmResult.UNKNOWN
        if page.moment_passed:
            return ConfirmResult.CLOSED
        supporter.confirmed_at = timezone.now()
        supporter.save(update_fields=["confirmed_at"])
        _count_forget(supporter.campaign_key)
    return ConfirmResult.CONFIRMED


def supporter_leave(*, supporter_id: int) -> bool:
    """Stop every email to this supporter; ``False`` if there is no such supporter."""
    with transaction.atomic():
        supporter = Supporter.objects.select_for_update().filter(pk=supporter_id).first()
        if supporter is None:
            return False
        if supporter.unsubscribed_at is None:
            supporter.unsubscribed_at = timezone.now()
            supporter.save(update_fields=["unsubscribed_at"])
            _count_forget(supporter.campaign_key)
    return True


# --------------------------------------------------------------------------------------
# The moment
# --------------------------------------------------------------------------------------


def _moment_run_get(*, page: IGiveHopePage) -> MomentRun:
    """The run of this campaign's moment, created once: its threshold decision is final."""
    run = MomentRun.objects.filter(campaign_key=page.translation_key).first()
    if run is not None:
        return run
    confirmed = supporters_counted(campaign_key=page.translation_key).count()
    reached = page.threshold is None or confirmed >= page.threshold
    try:
        with transaction.atomic():
            return MomentRun.objects.create(
                campaign_key=page.translation_key,
                confirmed_supporters=confirmed,
                threshold_reached=reached,
            )
    except IntegrityError:
        return MomentRun.objects.get(campaign_key=page.translation_key)


def _moment_email(*, supporter: Supporter, page: IGiveHopePage, reached: bool) -> None:
    context = _email_context(supporter=supporter, page=page)
    if reached:
        with translation.override(supporter.language):
            context["share"] = share_links(
                text=page.moment_message,
                hashtag=page.hashtag_text,
                url=context["page_url"],
                subject=page.title,
            )
        subject, template = _("It is time: share your hope now"), "campaigns/emails/moment"
    else:
        subject, template = _("Not yet: thank you for standing with us"), "campaigns/emails/not_yet"
    email_enqueue(
        to=supporter.email,
        subject=subject,
        template=template,
        context=context,
        language=supporter.language,
        dedupe_key=f"supporter:{supporter.pk}:moment",
        tags=["campaign-moment"],
    )


def _moment_send(*, page: IGiveHopePage, now, batch: int) -> int:
    run = _moment_run_get(page=page)
    pages: dict[str, IGiveHopePage] = {}
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                supporters_counted(campaign_key=page.translation_key)
                .filter(moment_sent_at__isnull=True)
                .select_for_update(skip_locked=True)
                .order_by("pk")[:batch]
            )
            if not due:
                break
            for supporter in due:
                if supporter.language not in pages:
                    pages[supporter.language] = (
                        campaign_in_language(
                            campaign_key=page.translation_key, language=supporter.language
                        )
                        or page
                    )
                _moment_email(
                    supporter=supporter,
                    page=pages[supporter.language],
                    reached=run.threshold_reached,
                )
                supporter.moment_sent_at = now
            # In the transaction of the outbox rows: a crash loses both or neither.
            Supporter.objects.bulk_update(due, ["moment_sent_at"])
            sent += len(due)
    MomentRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(finished_at=now)
    return sent


def igivehope_moments_send(*, now=None, batch: int = 200) -> int:
    """Queue the moment email for every confirmed supporter of every campaign whose moment
    has come (within ``IGIVEHOPE_MOMENT_GRACE_HOURS``). Exactly once per supporter, and
    resumable: run it as often as you like. Returns how many emails were queued."""
    now = now or timezone.now()
    grace = timedelta(hours=settings.IGIVEHOPE_MOMENT_GRACE_HOURS)
    due_pages = (
        IGiveHopePage.objects.live()
        .filter(moment__lte=now, moment__gte=now - grace)
        .order_by("translation_key", "locale_id")
    )
    seen: set[UUID] = set()
    sent = 0
    for page in due_pages:
        if page.translation_key in seen:
            continue
        seen.add(page.translation_key)
        sent += _moment_send(page=page, now=now, batch=batch)
    if sent:
        logger.info("Moment emails queued: %s", sent)
    return sent


# --------------------------------------------------------------------------------------
# Messages of hope on the wall
# --------------------------------------------------------------------------------------


def hope_message_submit(
    *, page: CampaignPage, display_name: str, text: str, language: str
) -> HopeMessage:
    """Hold a visitor's message for moderation, with what the scanner found (kinds only)."""
    display_name, text = display_name.strip(), text.strip()
    fund = ledger.fund_get(kind=Fund.Kind.CAMPAIGN, key=page.translation_key)
    return HopeMessage.objects.create(
        fund=fund,
        display_name=display_name,
        text=text,
        language=language,
        findings=message_findings(text=text, display_name=display_name),
    )


# --------------------------------------------------------------------------------------
# Retention
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeReport:
    supporters: int
    messages: int


def campaign_data_purge(*, today=None) -> PurgeReport:
    """Delete supporters, moment runs and messages of hope of campaigns that ended more than
    ``CAMPAIGN_DATA_RETENTION_DAYS`` ago, and supporters of campaigns that no longer exist."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.CAMPAIGN_DATA_RETENTION_DAYS)
    ended = set(
        CampaignPage.objects.filter(ends_on__lt=cutoff).values_list("translation_key", flat=True)
    )
    existing = CampaignPage.objects.values("translation_key")
    with transaction.atomic():
        supporters, _detail = Supporter.objects.filter(
            Q(campaign_key__in=ended) | ~Q(campaign_key__in=existing)
        ).delete()
        MomentRun.objects.filter(Q(campaign_key__in=ended) | ~Q(campaign_key__in=existing)).delete()
        messages, _detail = HopeMessage.objects.filter(
            fund__kind=Fund.Kind.CAMPAIGN, fund__key__in=ended
        ).delete()
    for key in ended:
        supporters_count_forget(campaign_key=key)
    return PurgeReport(supporters=supporters, messages=messages)
