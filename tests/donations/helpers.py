"""Building blocks for donation tests: live stories with needs, signed webhooks, gifts.

Everyone here is fictional, and obviously so.
"""

from __future__ import annotations

import json
import time

import stripe
from django.conf import settings

from cms.donations import services, targets
from stories.models import StoryNeed, StoryPage
from tests.factories import StorytellerFactory, consent_give, staff_in, story_page, story_publish

PSEUDONYM = "Mockara"
STORY_TITLE = "A loom of her own in the hill country"
NEEDS = [
    ("A second-hand loom", "small-business", 1_000_000, "THB"),
    ("Thread and dye for a season", "small-business", 300_000, "THB"),
]


def publish(page: StoryPage) -> StoryPage:
    """The one place where test stories go live: through the story workflow, because the
    publish gate (cms/core/publishing.py) requires an approval."""
    return story_publish(page)


def donatable_story(
    home_page, *, needs=NEEDS, title: str = STORY_TITLE, pseudonym: str = PSEUDONYM, **consent
) -> StoryPage:
    """A live story with current consent (covering donor emails) and the given needs."""
    case_worker = staff_in("Case workers")
    storyteller = StorytellerFactory(pseudonym=pseudonym, case_workers=[case_worker])
    consent_give(storyteller, by=case_worker, **consent)
    page = story_page(
        home_page,
        storyteller,
        title=title,
        slug=f"story-{storyteller.pk}",
        summary="She learned to weave in a shelter and wants to sell her own cloth.",
    )
    for order, (need_title, category, goal, currency) in enumerate(needs):
        StoryNeed.objects.create(
            page=page,
            locale=page.locale,
            sort_order=order,
            title=need_title,
            category=category,
            goal_minor=goal,
            currency=currency,
        )
    return publish(page)


def needs_of(page: StoryPage) -> list[StoryNeed]:
    return list(StoryNeed.objects.filter(page=page).order_by("sort_order"))


def sign(payload: str, *, secret: str | None = None, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(
        payload, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp=timestamp
    )


def deliver(client, event: dict | str, *, secret=None, timestamp=None, signature=None):
    """POST an event to our webhook the way Stripe does: raw JSON, signed."""
    payload = event if isinstance(event, str) else json.dumps(event)
    header = (
        signature if signature is not None else sign(payload, secret=secret, timestamp=timestamp)
    )
    return client.post(
        "/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


def give(
    *,
    target=None,
    amount_minor: int = 250_000,
    currency: str = "THB",
    email: str = "test-donor@example.org",
    language: str = "en",
    **extra,
):
    """Start a one-off gift through the service, as the donate form does; returns the
    donation and its Checkout Session id."""
    started = services.checkout_begin(
        target=target or targets.GENERAL,
        monthly=False,
        amount_minor=amount_minor,
        currency=currency,
        email=email,
        language=language,
        **extra,
    )
    donation = started.donation
    donation.refresh_from_db()
    return donation, donation.stripe_checkout_session_id


def stale(seconds: int = 301) -> int:
    return int(time.time()) - seconds


def at_once(*calls) -> list:
    """Run each callable in a thread of its own, all released at the same moment (as
    concurrent requests or deliveries would arrive); each thread closes its own database
    connection. Returns the results in the order of ``calls``; a failure is raised."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as error:  # re-raised in the test's thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
