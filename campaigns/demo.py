"""Demo content for campaigns: a fictional #igivehope campaign around 30 July next year, a
"how to" kit made here (a text file: no real person), and a few approved messages of hope.
Idempotent: a second run finds what the first made."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model

from campaigns.models import CampaignPageFeaturedStory, IGiveHopePage
from cms.donations import ledger
from cms.donations.models import Fund, HopeMessage
from stories.selectors import stories_public

SLUG = "igivehope"
KIT_TITLE = "#igivehope: how to take part"
KIT_TEXT = """#igivehope — how to take part

1. Sign up on the campaign page with your email address and confirm the link we send.
2. On 30 July, the World Day against Trafficking in Persons, you get one email at the moment.
3. Open one of the share links in it and post the message, in your own words if you like.
4. Never name, describe or tag a survivor. Share the campaign page, not a story's details.

Nothing is ever posted on your behalf. Every email has a link to leave.
"""
MESSAGES = [
    ("Exampla Ally", "You are not alone. Wishing you safe days and a bright road ahead."),
    ("", "Sending strength from far away. Your courage inspires me."),
    ("Testo Friend", "Every new start matters. Hope is stronger than fear."),
]


def _kit():
    Document = get_document_model()
    existing = Document.objects.filter(title=KIT_TITLE).first()
    if existing:
        return existing
    document = Document(title=KIT_TITLE)
    document.file.save("igivehope-how-to.txt", ContentFile(KIT_TEXT.encode()), save=False)
    document.save()
    return document


@transaction.atomic
def campaigns_ensure(home_page) -> IGiveHopePage:
    """The demo #igivehope page (live), its kit and wall; the home page features it."""
    page = IGiveHopePage.objects.filter(slug=SLUG, locale=home_page.locale).first()
    if page is None:
        year = timezone.now().year + 1
        page = home_page.add_child(
            instance=IGiveHopePage(
                title="#igivehope: one moment of hope",
                slug=SLUG,
                live=False,
                hashtag="#igivehope",
                intro=(
                    "On the World Day against Trafficking in Persons, thousands of us share "
                    "one message of hope at the same moment."
                ),
                search_description="Join the #igivehope moment on 30 July.",
                starts_on=date(year, 7, 1),
                ends_on=date(year, 8, 15),
                goal_kind="supporters",
                goal_supporters=1000,
                moment=datetime(year, 7, 30, 12, 0, tzinfo=UTC),
                threshold=100,
                moment_message="Today I stand with survivors of human trafficking.",
                not_yet_message=(
                    "We did not reach enough supporters for one shared moment this time. "
                    "Thank you for standing with survivors: your gift still helps."
                ),
                share_kit=[
                    ("message", {"network": "x", "text": "I stand with survivors of trafficking."}),
                    ("message", {"network": "whatsapp", "text": "Join me on 30 July."}),
                    ("message", {"network": "line", "text": "Join me on 30 July."}),
                ],
                how_to_kit=_kit(),
            )
        )
        for order, story in enumerate(stories_public(locale="en").order_by("pk")[:2]):
            CampaignPageFeaturedStory.objects.create(page=page, story=story, sort_order=order)
        page.save_revision().publish()
    fund = ledger.fund_get(kind=Fund.Kind.CAMPAIGN, key=page.translation_key)
    if not HopeMessage.objects.filter(fund=fund).exists():
        for name, text in MESSAGES:
            HopeMessage.objects.create(
                fund=fund,
                display_name=name,
                text=text,
                language="en",
                status=HopeMessage.Status.APPROVED,
                moderated_at=timezone.now(),
            )
    home = type(home_page).objects.get(pk=home_page.pk)  # fresh: others may have edited it
    if home.featured_campaign_id != page.pk:
        home.featured_campaign = page
        home.save_revision().publish()
    return page
