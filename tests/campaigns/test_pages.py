"""Campaign pages: featured stories only while public, the donate block, the kit, the
countdown markup, hero art rules, demo content and the retention purge."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from campaigns.demo import campaigns_ensure
from campaigns.models import CampaignPageFeaturedStory, IGiveHopePage, Supporter
from campaigns.services import hope_message_submit
from cms.donations.models import HopeMessage
from home.models import HomePage
from stories import services as story_services
from tests.campaigns.conftest import campaign_make, igivehope_make
from tests.factories import image_make, staff_in, story_live

pytestmark = pytest.mark.django_db


def test_a_withdrawn_featured_story_disappears_at_once(
    visitor, home_page, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 300  # with the full-page cache on, as in production
    case_worker = staff_in("Case workers")
    story = story_live(home_page, case_worker=case_worker, title="A sewing machine")
    other = story_live(home_page, case_worker=case_worker, title="The road home", slug="road")
    campaign = campaign_make(home_page)
    for order, chosen in enumerate([story, other]):
        CampaignPageFeaturedStory.objects.create(page=campaign, story=chosen, sort_order=order)
    campaign.save_revision().publish()

    first = visitor.get(campaign.url).text
    assert "A sewing machine" in first
    assert "The road home" in first
    assert visitor.get(campaign.url).headers["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):  # the withdrawal commits
        story_services.consent_withdraw(storyteller=story.storyteller, by=case_worker)
    after = visitor.get(campaign.url).text
    assert "A sewing machine" not in after
    assert "The road home" in after


def test_the_campaign_page_has_a_donate_block_and_kit(client, home_page):
    page = campaign_make(home_page)
    html = client.get(page.url).content.decode()
    assert f"/donate/campaign/{page.translation_key}/" in html
    assert client.get(f"/donate/campaign/{page.translation_key}/").status_code == 200


def test_the_igivehope_page_shows_the_moment_in_utc_and_the_counter(client, home_page):
    page = igivehope_make(home_page, moment=datetime(2031, 7, 30, 12, 0, tzinfo=UTC))
    with time_machine.travel(datetime(2031, 7, 1, tzinfo=UTC)):
        html = client.get(page.url).content.decode()
    assert '<time datetime="2031-07-30T12:00:00+00:00">' in html
    assert "30 July 2031, 12:00 UTC</time>" in html
    assert "js/countdown.js" in html
    assert "<script>" not in html
    assert '<strong class="moment__count">0</strong>' in html


def test_hero_art_refuses_faces_and_story_images(home_page):
    page = campaign_make(home_page)
    page.hero_image = image_make(face=True)
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert "hero_image" in refused.value.error_dict


def test_data_is_purged_after_the_retention_period(home_page, settings):
    settings.CAMPAIGN_DATA_RETENTION_DAYS = 30
    page = igivehope_make(home_page)
    Supporter.objects.create(
        campaign_key=page.translation_key, email="a@example.org", language="en"
    )
    hope_message_submit(page=page, display_name="", text="Stay strong", language="en")
    IGiveHopePage.objects.filter(pk=page.pk).update(
        ends_on=timezone.localdate() - timedelta(days=10)
    )
    call_command("purge_campaign_data")
    assert Supporter.objects.count() == 1
    IGiveHopePage.objects.filter(pk=page.pk).update(
        ends_on=timezone.localdate() - timedelta(days=31)
    )
    call_command("purge_campaign_data")
    assert not Supporter.objects.exists()
    assert not HopeMessage.objects.exists()
    assert str(Supporter(pk=12)) == "Supporter 12"


def test_demo_content_is_idempotent_and_featured_on_the_home_page(client, home_page):
    first = campaigns_ensure(home_page)
    second = campaigns_ensure(home_page)
    assert first.pk == second.pk
    assert HomePage.objects.get(pk=home_page.pk).featured_campaign_id == first.pk
    html = client.get(first.url).content.decode()
    assert "Hope is stronger than fear." in html
    assert first.how_to_kit.url in html
