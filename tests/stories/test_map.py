"""The map's data: public stories only, coarse places, compact, cached and invalidated."""

import gzip
import json
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from stories import services
from tests.factories import consent_give, staff_in, stories_bulk_live, story_live

MAP_URL = "/map/stories.json"


@pytest.fixture
def case_worker(db):
    return staff_in("Case workers")


def map_json(client, query: str = "") -> dict:
    response = client.get(MAP_URL + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def story_ids(data: dict) -> set[int]:
    return {story["id"] for place in data["places"] for story in place["stories"]}


def test_the_url_is_where_the_templates_point(db):
    assert reverse("story_map_data") == MAP_URL


def test_stories_in_one_region_are_one_place_on_the_map(client, home_page, case_worker):
    first = story_live(home_page, case_worker=case_worker, region="TH-50")
    second = story_live(home_page, case_worker=case_worker, region="TH-50")
    other = story_live(home_page, case_worker=case_worker, region="KH")

    data = map_json(client)

    places = {place["code"]: place for place in data["places"]}
    assert set(places) == {"TH-50", "KH"}
    assert {story["id"] for story in places["TH-50"]["stories"]} == {first.pk, second.pk}
    assert places["TH-50"]["name"] == "Chiang Mai, Thailand"
    assert (places["TH-50"]["lat"], places["TH-50"]["lng"]) == (18.8, 98.9)
    story = next(s for s in places["KH"]["stories"] if s["id"] == other.pk)
    assert story == {
        "id": other.pk,
        "name": other.storyteller.pseudonym,
        "title": other.title,
        "url": other.url,
        "progress": 0,
    }
    assert data["thumbnail"] == "/map/thumbnails/{id}/"


def test_the_map_carries_nothing_private(client, home_page, case_worker):
    story = story_live(home_page, case_worker=case_worker)
    services.identifying_term_add(
        storyteller=story.storyteller, kind="name", value="Testina Canaryson", by=case_worker
    )

    body = client.get(MAP_URL).content.decode()

    assert story.storyteller.case_code not in body
    assert "Canaryson" not in body
    assert "storyteller" not in body


def test_the_pseudonym_is_left_out_when_the_consent_does_not_allow_a_byline(
    client, home_page, case_worker
):
    story_live(home_page, case_worker=case_worker, consent={"pseudonym": False})

    [place] = map_json(client)["places"]

    assert place["stories"][0]["name"] is None


def test_a_place_is_never_finer_than_a_childs_consent(client, home_page, case_worker):
    from tests.factories import StorytellerFactory

    child = StorytellerFactory(is_child=True, case_workers=[case_worker])
    consent_give(child, by=case_worker)  # guardian + assent, country only
    story_live(home_page, case_worker=case_worker, storyteller=child, region="KH")

    [place] = map_json(client)["places"]

    assert place["code"] == "KH"


@pytest.mark.parametrize("how", ["unpublished", "withdrawn", "expired", "private", "deleted"])
def test_a_story_that_is_no_longer_public_leaves_the_cached_map(
    client, home_page, case_worker, how, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    kept = story_live(home_page, case_worker=case_worker)
    gone = story_live(
        home_page,
        case_worker=case_worker,
        consent={"granted_on": today - timedelta(days=9), "expires_on": today + timedelta(days=1)},
    )
    assert story_ids(map_json(client)) == {kept.pk, gone.pk}  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        take_down(gone, how, case_worker)

    if how == "expired":
        with time_machine.travel(today + timedelta(days=2)):
            assert story_ids(map_json(client)) == {kept.pk}
    else:
        assert story_ids(map_json(client)) == {kept.pk}


def take_down(gone, how: str, case_worker) -> None:
    if how == "unpublished":
        gone.unpublish()
    elif how == "withdrawn":
        services.consent_withdraw(storyteller=gone.storyteller, by=case_worker)
    elif how == "private":
        restriction = PageViewRestriction.objects.create(
            page=gone, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.set(Group.objects.filter(name="Editors"))
    elif how == "deleted":
        gone.delete()


def test_a_newly_published_story_appears_on_the_cached_map(
    client, home_page, case_worker, django_capture_on_commit_callbacks
):
    first = story_live(home_page, case_worker=case_worker)
    assert story_ids(map_json(client)) == {first.pk}

    with django_capture_on_commit_callbacks(execute=True):
        second = story_live(home_page, case_worker=case_worker)

    assert story_ids(map_json(client)) == {first.pk, second.pk}


def test_filters_apply_to_the_map_as_to_the_list(client, home_page, case_worker):
    thai = story_live(home_page, case_worker=case_worker, region="TH-50")
    story_live(home_page, case_worker=case_worker, region="KH")

    assert story_ids(map_json(client, "?country=TH")) == {thai.pk}
    assert story_ids(map_json(client, "?country=XX")) == story_ids(map_json(client))


def test_the_map_is_built_in_two_queries_and_then_served_from_the_cache(
    client, home_page, case_worker
):
    stories_bulk_live(home_page, 30, by=case_worker)
    client.get("/")  # warm Wagtail's own caches (site root paths)

    from stories.public_cache import public_version_bump

    public_version_bump()
    with CaptureQueriesContext(connection) as cold:
        first = client.get(MAP_URL)
    with CaptureQueriesContext(connection) as warm:
        second = client.get(MAP_URL)

    assert len(cold) <= 2, [q["sql"][:120] for q in cold]
    assert len(warm) == 0
    assert first.content == second.content
    assert len(story_ids(json.loads(first.content))) == 30


def test_the_map_is_compact(client, home_page, case_worker):
    """10,000 stories must fit in 250 KB gzipped; measured here on 1,000 (bench/ has 10,000)."""
    stories_bulk_live(home_page, 1000, by=case_worker)

    response = client.get(MAP_URL, HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    data = json.loads(gzip.decompress(response.content))
    assert len(story_ids(data)) == 1000
    assert len(response.content) <= 25_000, len(response.content)


def test_an_unknown_story_has_no_thumbnail(client, home_page):
    assert client.get("/map/thumbnails/999999/").status_code == 404


def test_a_story_without_an_image_gets_the_neutral_illustration(client, home_page, case_worker):
    story = story_live(home_page, case_worker=case_worker)

    response = client.get(f"/map/thumbnails/{story.pk}/")

    assert response.status_code == 302
    assert response["Location"].endswith("story-placeholder.svg")
    assert "private" in response["Cache-Control"]


def test_a_withdrawn_storys_thumbnail_is_gone(
    client, home_page, case_worker, django_capture_on_commit_callbacks
):
    story = story_live(home_page, case_worker=case_worker)
    assert client.get(f"/map/thumbnails/{story.pk}/").status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=story.storyteller, by=case_worker)

    assert client.get(f"/map/thumbnails/{story.pk}/").status_code == 404
