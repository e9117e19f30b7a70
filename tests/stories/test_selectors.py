"""Which stories a visitor may see: stories/selectors.py, the filter every listing uses."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import PageViewRestriction

from stories import services
from stories.models import StoryNeed
from stories.selectors import (
    StoryFilters,
    map_point,
    stories_filtered,
    stories_public,
    story_progress_percent,
)
from tests.factories import consent_give, staff_in, story_live, story_page


@pytest.fixture
def case_worker(db):
    return staff_in("Case workers")


def public_ids(**kwargs) -> set[int]:
    return set(stories_public(**kwargs).values_list("pk", flat=True))


def test_a_live_consented_story_is_public(home_page, case_worker):
    story = story_live(home_page, case_worker=case_worker)

    assert public_ids() == {story.pk}
    assert public_ids(locale="en") == {story.pk}


def test_a_draft_is_not_public(home_page, case_worker):
    from tests.factories import StorytellerFactory

    storyteller = StorytellerFactory(case_workers=[case_worker])
    consent_give(storyteller, by=case_worker)
    story_page(home_page, storyteller)

    assert public_ids() == set()


def test_an_unpublished_story_is_not_public(home_page, case_worker):
    story = story_live(home_page, case_worker=case_worker)
    story.unpublish()

    assert public_ids() == set()


def test_a_withdrawn_story_is_not_public(home_page, case_worker):
    story = story_live(home_page, case_worker=case_worker)
    services.consent_withdraw(storyteller=story.storyteller, by=case_worker)

    assert public_ids() == set()


def test_a_story_disappears_the_day_after_its_consent_expires(home_page, case_worker):
    today = timezone.localdate()
    story = story_live(
        home_page,
        case_worker=case_worker,
        consent={"granted_on": today - timedelta(days=30), "expires_on": today + timedelta(days=2)},
    )

    assert public_ids(today=today + timedelta(days=2)) == {story.pk}
    assert public_ids(today=today + timedelta(days=3)) == set()
    with time_machine.travel(today + timedelta(days=3)):
        assert public_ids() == set()


def test_a_private_story_is_not_public(home_page, case_worker):
    story = story_live(home_page, case_worker=case_worker)
    restriction = PageViewRestriction.objects.create(
        page=story.get_parent(), restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set(Group.objects.filter(name="Editors"))

    assert public_ids() == set()


def test_the_latest_consent_version_decides(home_page, case_worker):
    story = story_live(home_page, case_worker=case_worker)
    # A newer version that no longer covers this website.
    consent_give(story.storyteller, by=case_worker, channels=["donor_email"])

    assert public_ids() == set()
    story.unpublish()  # as the expiry job would; the database refuses it live at commit


def test_a_story_is_public_only_in_languages_the_consent_covers(home_page, case_worker):
    story = story_live(home_page, case_worker=case_worker)

    assert public_ids(locale="en") == {story.pk}
    assert public_ids(locale="th") == set()  # no live Thai page
    consent_give(story.storyteller, by=case_worker, languages=["th"])
    assert public_ids(locale="en") == set()
    story.unpublish()  # as the expiry job would; the database refuses it live at commit


def test_a_region_finer_than_a_newer_consent_allows_is_not_public(home_page, case_worker):
    story = story_live(home_page, case_worker=case_worker, region="TH-50")
    consent_give(story.storyteller, by=case_worker, map_precision="country")

    assert public_ids() == set()


def test_a_story_without_a_place_stays_public_when_consent_allows_no_place(home_page, case_worker):
    story = story_live(
        home_page, case_worker=case_worker, region="", consent={"map_precision": "none"}
    )

    assert public_ids() == {story.pk}


def test_the_map_never_shows_a_place_finer_than_the_consent():
    assert map_point("TH-50", precision="region", is_child=False).code == "TH-50"
    assert map_point("TH-50", precision="country", is_child=False).code == "TH"
    assert map_point("TH-50", precision="region", is_child=True).code == "TH"
    assert map_point("TH", precision="none", is_child=False) is None
    assert map_point("", precision="region", is_child=False) is None


def test_filters_narrow_the_public_stories(home_page, case_worker):
    thai = story_live(home_page, case_worker=case_worker, region="TH-50")
    khmer = story_live(home_page, case_worker=case_worker, region="KH")
    StoryNeed.objects.create(
        page=thai,
        locale=thai.locale,
        title="A lawyer",
        category="legal",
        goal_minor=100,
        currency="USD",
    )
    StoryNeed.objects.create(
        page=khmer,
        locale=khmer.locale,
        title="School",
        category="education",
        goal_minor=100,
        currency="USD",
        status="funded",
    )

    def ids(**filters):
        return set(
            stories_filtered(locale="en", filters=StoryFilters(**filters)).values_list(
                "pk", flat=True
            )
        )

    assert ids() == {thai.pk, khmer.pk}
    assert ids(country="TH") == {thai.pk}
    assert ids(region="KH") == {khmer.pk}
    assert ids(category="legal") == {thai.pk}
    assert ids(funding="open") == {thai.pk}
    assert ids(funding="funded") == {khmer.pk}


def test_story_progress_is_honest():
    assert story_progress_percent([]) == 0
    assert story_progress_percent([(1000, "USD", 0)]) == 0
    assert story_progress_percent([(1000, "USD", 996)]) == 99  # never rounded up to 100
    assert story_progress_percent([(1000, "USD", 5000)]) == 100  # capped
    assert story_progress_percent([(1000, "USD", 500), (1000, "USD", 0)]) == 25
    # Different currencies are never added up: each need counts the same.
    assert story_progress_percent([(1000, "USD", 1000), (100_000, "THB", 0)]) == 50


def test_the_queries_compiled_once_read_each_storys_own_rows(home_page, case_worker):
    """The story page's two queries are compiled once for every story (cms/core/sql.py):
    each call still reads its own story's needs and storyteller's latest consent."""
    from stories.models import StoryPage
    from stories.selectors import needs_with_funding, page_needs_with_funding
    from tests.factories import stories_bulk_live

    page_ids = stories_bulk_live(home_page, 4, by=case_worker)
    seen = set()
    for page_id in page_ids:
        compiled = [
            (need.pk, need.funded_minor) for need in page_needs_with_funding(page_id=page_id)
        ]
        assert compiled
        assert compiled == [
            (need.pk, need.funded_minor) for need in needs_with_funding(page_ids=[page_id])
        ]
        seen.update(compiled)
    assert len(seen) == StoryNeed.objects.filter(page_id__in=page_ids).count()

    storyteller = StoryPage.objects.get(pk=page_ids[0]).storyteller
    first = storyteller.current_consent
    assert first.storyteller_id == storyteller.pk
    second = consent_give(storyteller, by=case_worker, languages=["en"])
    assert storyteller.current_consent.pk == second.pk != first.pk
    assert storyteller.current_consent.languages == ["en"]  # JSON converted, as the ORM does
