from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from campaigns.models import CampaignPage, IGiveHopePage


def campaign_fields(**fields):
    today = timezone.localdate()
    defaults = {
        "title": "Hope in July",
        "slug": "hope-in-july",
        "hashtag": "#igivehope",
        "intro": "One campaign, many hands.",
        "starts_on": today - timedelta(days=1),
        "ends_on": today + timedelta(days=60),
        "live": False,
    }
    defaults.update(fields)
    return defaults


def igivehope_make(home_page, **fields) -> IGiveHopePage:
    moment = fields.pop("moment", timezone.now() + timedelta(days=10))
    page = home_page.add_child(
        instance=IGiveHopePage(
            **campaign_fields(
                title="#igivehope",
                slug="igivehope",
                moment=moment,
                moment_message="Today I stand with survivors & their hopes",
                not_yet_message="Not this time: we will try again together.",
                **fields,
            )
        )
    )
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def campaign_make(home_page, **fields) -> CampaignPage:
    page = home_page.add_child(instance=CampaignPage(**campaign_fields(**fields)))
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def igivehope(home_page):
    return igivehope_make(home_page)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()


MOMENT = datetime(2031, 7, 30, 12, 0, tzinfo=UTC)
TODAY = date(2031, 7, 1)
