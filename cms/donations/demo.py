"""Demo gifts: a few fictional, already-paid donations in the ledger, so the demo site's
progress bars and totals show something. Nothing is sent to Stripe and no email is queued.
Every donor is invented (``demo-donor-N@example.org``); idempotent through fixed ids."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from cms.donations import ledger
from cms.donations.models import Donation, Fund, WithdrawalChoice

NAMESPACE = uuid.UUID("5d0c8a60-6a4f-4b8e-9a42-3f3b8d0f0d1e")

# (story slug, need index or None for the story's general needs, amount in minor units,
# currency). Currencies follow the needs.
DEMO_GIFTS = [
    ("a-sewing-machine-and-a-new-start", 0, 500_000, "THB"),
    ("a-sewing-machine-and-a-new-start", 0, 250_000, "THB"),
    ("a-sewing-machine-and-a-new-start", 1, 100_000, "THB"),
    ("the-road-home-to-cambodia", 0, 32_000, "USD"),  # fully funded
    ("the-road-home-to-cambodia", 1, 7_500, "USD"),
    ("legal-help-to-recover-wages", 0, 25_000, "USD"),
    ("legal-help-to-recover-wages", None, 5_000, "USD"),
    (None, None, 10_000, "USD"),  # the general survivor fund
    (None, None, 150_000, "THB"),
]


@transaction.atomic
def donations_demo_ensure() -> int:
    """Book the demo gifts that are not there yet; returns how many were added."""
    from stories.models import StoryPage

    created = 0
    for number, (slug, need_index, amount, currency) in enumerate(DEMO_GIFTS, start=1):
        donation_id = uuid.uuid5(NAMESPACE, f"demo-gift-{number}")
        if Donation.objects.filter(pk=donation_id).exists():
            continue
        if slug is None:
            fund = ledger.general_fund()
        else:
            page = StoryPage.objects.filter(slug=slug).order_by("locale_id").first()
            if page is None:
                continue
            if need_index is None:
                fund = ledger.fund_get(kind=Fund.Kind.STORY, key=page.translation_key)
            else:
                needs = list(page.needs.order_by("sort_order"))
                if need_index >= len(needs) or needs[need_index].currency != currency:
                    continue
                fund = ledger.fund_get(kind=Fund.Kind.NEED, key=needs[need_index].translation_key)
        donation = Donation.objects.create(
            id=donation_id,
            target=fund,
            amount_minor=amount,
            currency=currency,
            email=f"demo-donor-{number}@example.org",
            language="en",
            on_withdrawal=WithdrawalChoice.REFUND if number % 4 == 0 else WithdrawalChoice.GENERAL,
            status=Donation.Status.PAID,
            paid_at=timezone.now(),
        )
        ledger.gift_record(donation=donation)
        created += 1
    return created
