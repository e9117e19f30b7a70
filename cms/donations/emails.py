"""The emails donations send, composed in the donor's language and put in the outbox.

What may appear in them (DESIGN.md §1, §7): amounts, dates, our opaque donation reference
and the *kind* of need ("a survivor's need: legal help"). Never a pseudonym, a story or need
title, story text or a slug: an email can be forwarded, and the storyteller consented to a
website, not to their story travelling in inboxes. Links to stories go through
``/donate/follow/<key>/``, which shows the story only while it is live.

Each message has a dedupe key, so a webhook delivered ten times still sends one email.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cms.donations.amounts import amount_display
from cms.donations.models import Donation, MonthlyGift, WithdrawalChoice
from cms.donations.selectors import fund_purpose
from cms.emails.services import email_enqueue

MANAGE_SALT = "donations.monthly-manage"


def absolute_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def url_in(language: str, name: str, *args, **kwargs) -> str:
    """An absolute URL of ours, with the language prefix of ``language``."""
    with translation.override(language):
        return absolute_url(reverse(name, args=args, kwargs=kwargs))


def money(minor: int, currency: str) -> str:
    return f"{amount_display(minor, currency)} {currency}"


def _address_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _base_context(donation: Donation) -> dict:
    return {
        "reference": str(donation.pk),
        "amount": money(donation.amount_minor, donation.currency),
        "purpose": fund_purpose(donation.target),
        "site_url": absolute_url("/"),
    }


def receipt_send(donation: Donation) -> None:
    monthly = donation.frequency == Donation.Frequency.MONTHLY
    with translation.override(donation.language):
        context = _base_context(donation) | {
            "paid_on": donation.paid_at,
            "is_monthly": monthly,
            "is_story_gift": donation.target.kind in {"need", "story"},
            "refund_if_withdrawn": donation.on_withdrawal == WithdrawalChoice.REFUND,
            "manage_url": url_in(donation.language, "donations:manage") if monthly else "",
        }
    email_enqueue(
        to=donation.email,
        subject=_("Thank you: your gift to igivehope"),
        template="donations/emails/receipt",
        context=context,
        language=donation.language,
        dedupe_key=f"donation:{donation.pk}:receipt",
        tags=["receipt"],
    )


def monthly_confirmation_send(gift: MonthlyGift) -> None:
    with translation.override(gift.language):
        context = {
            "reference": str(gift.pk),
            "amount": money(gift.amount_minor, gift.currency),
            "manage_url": url_in(gift.language, "donations:manage"),
            "site_url": absolute_url("/"),
        }
    email_enqueue(
        to=gift.email,
        subject=_("Your monthly gift to igivehope has started"),
        template="donations/emails/monthly_confirmation",
        context=context,
        language=gift.language,
        dedupe_key=f"monthly:{gift.pk}:confirmation",
        tags=["monthly-confirmation"],
    )


def refund_notice_send(
    donation: Donation, *, refund_id: str, amount_minor: int, reason: str
) -> None:
    withdrawal = reason == Donation.RefundReason.WITHDRAWAL
    with translation.override(donation.language):
        context = _base_context(donation) | {"refunded": money(amount_minor, donation.currency)}
    email_enqueue(
        to=donation.email,
        subject=(
            _("The story you supported was withdrawn: your gift is refunded")
            if withdrawal
            else _("Your gift to igivehope has been refunded")
        ),
        template=(
            "donations/emails/withdrawal_refunded"
            if withdrawal
            else "donations/emails/refund_notice"
        ),
        context=context,
        language=donation.language,
        dedupe_key=f"refund:{refund_id}",
        tags=["refund"],
    )


def withdrawal_reallocated_send(donation: Donation, *, amount_minor: int) -> None:
    with translation.override(donation.language):
        context = _base_context(donation) | {"moved": money(amount_minor, donation.currency)}
    email_enqueue(
        to=donation.email,
        subject=_("The story you supported was withdrawn: your gift still helps"),
        template="donations/emails/withdrawal_reallocated",
        context=context,
        language=donation.language,
        dedupe_key=f"donation:{donation.pk}:withdrawal-reallocated",
        tags=["withdrawal"],
    )


def story_update_send(*, email: str, language: str, story_key, update_key, purpose: str) -> None:
    context = {
        "follow_url": url_in(language, "donations:follow", story_key=story_key),
        "purpose": purpose,
        "site_url": absolute_url("/"),
    }
    email_enqueue(
        to=email,
        subject=_("News from a survivor you supported"),
        template="donations/emails/story_update",
        context=context,
        language=language,
        dedupe_key=f"update:{update_key}:{_address_key(email)}",
        tags=["story-update"],
    )


def manage_token(gift: MonthlyGift) -> str:
    return signing.dumps({"gift": str(gift.pk)}, salt=MANAGE_SALT)


def manage_token_read(token: str) -> str | None:
    """The monthly gift id in a manage link, if the link is genuine and recent."""
    try:
        data = signing.loads(
            token, salt=MANAGE_SALT, max_age=settings.DONATION_MANAGE_LINK_MAX_AGE_SECONDS
        )
    except signing.BadSignature:
        return None
    return data.get("gift") if isinstance(data, dict) else None


def manage_link_send(*, email: str, language: str, gifts: list[MonthlyGift]) -> None:
    links = [
        {
            "amount": money(gift.amount_minor, gift.currency),
            "url": url_in(language, "donations:manage_open", token=manage_token(gift)),
        }
        for gift in gifts
    ]
    hours = settings.DONATION_MANAGE_LINK_MAX_AGE_SECONDS // 3600
    email_enqueue(
        to=email,
        subject=_("Manage your monthly gift to igivehope"),
        template="donations/emails/manage_link",
        context={"links": links, "hours": hours, "site_url": absolute_url("/")},
        language=language,
        tags=["monthly-manage"],
    )


def finance_alert_send(*, subject, donation: Donation, what: str, dedupe_key: str) -> None:
    """Tell the Finance group (their staff addresses) about a dispute or a mismatch. Only our
    opaque reference: finance looks the rest up in the admin."""
    User = get_user_model()
    recipients = sorted(
        set(
            User.objects.filter(groups__name="Finance", is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    admin_url = absolute_url(reverse("donations_finance:inspect", args=[donation.pk]))
    for address in recipients:
        email_enqueue(
            to=address,
            subject=subject,
            template="donations/emails/finance_alert",
            context={"what": what, "reference": str(donation.pk), "admin_url": admin_url},
            language=settings.LANGUAGE_CODE,
            dedupe_key=f"{dedupe_key}:{_address_key(address)}",
            tags=["finance-alert"],
        )
