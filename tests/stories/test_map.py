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

from cms.donations.selectors import needs_funded_minor
from stories import selectors, services
from stories.models import StoryNeed
from stories.selectors import StoryFilters, story_progress_percent
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


def gift_to(need, amount_minor: int) -> None:
    """A paid gift to ``need`` in its currency, booked in the ledger as a webhook would."""
    from cms.donations import ledger
    from cms.donations.models import Donation, Fund

    donation = Donation.objects.create(
        target=ledger.fund_get(kind=Fund.Kind.NEED, key=need.translation_key),
        amount_minor=amount_minor,
        currency=need.currency,
        email="donor@example.org",
        language="en",
        status=Donation.Status.PAID,
        paid_at=timezone.now(),
    )
    ledger.gift_record(donation=donation)


def needs_add(page, *needs: tuple[int, str, str]) -> list[StoryNeed]:
    return [
        StoryNeed.objects.create(
            page=page,
            locale=page.locale,
            sort_order=order,
            title=f"Need {order}",
            category="education",
            goal_minor=goal,
            currency=currency,
            status=status,
        )
        for order, (goal, currency, status) in enumerate(needs)
    ]


def test_progress_on_the_map_is_the_storys_progress_from_the_ledger(client, home_page, case_worker):
    """The database computes each story's progress; it must agree with
    ``story_progress_percent`` over the ledger, the rule the story page and cards use."""
    mixed, one_currency, overfunded, nearly, without_needs = (
        story_live(home_page, case_worker=case_worker) for _ in range(5)
    )
    usd, _thb = needs_add(mixed, (1000, "USD", "open"), (100_000, "THB", "open"))
    gift_to(usd, 500)  # 50 % and 0 %: each need counts the same, 25 %
    met, _rest, _cancelled = needs_add(
        one_currency, (1000, "USD", "open"), (3000, "USD", "open"), (500, "THB", "cancelled")
    )
    gift_to(met, 1000)  # 1,000 of 4,000 USD: 25 % (a cancelled need counts for nothing)
    first, _second = needs_add(overfunded, (1000, "USD", "open"), (600, "USD", "open"))
    gift_to(first, 1000)
    StoryNeed.objects.filter(pk=first.pk).update(goal_minor=400)  # holds more than its goal
    [almost] = needs_add(nearly, (1000, "USD", "open"))
    gift_to(almost, 996)

    progress = {
        story["id"]: story["progress"]
        for place in map_json(client)["places"]
        for story in place["stories"]
    }

    assert progress == {
        mixed.pk: 25,
        one_currency.pk: 25,
        overfunded.pk: 40,  # 400 counted of 1,000, not 1,000
        nearly.pk: 99,  # never rounded up
        without_needs.pk: 0,
    }
    for page in (mixed, one_currency, overfunded, nearly, without_needs):
        needs = StoryNeed.objects.filter(page=page).exclude(status="cancelled")
        funded = needs_funded_minor(need_keys=[need.translation_key for need in needs])
        assert progress[page.pk] == story_progress_percent(
            (need.goal_minor, need.currency, funded[need.translation_key]) for need in needs
        )


TRICKY_TITLE = 'She said "enough" \\ ข้าวและเส้นด้าย\t/ — 🧵'


def test_the_map_is_compact_json_whatever_the_characters(client, home_page, case_worker):
    story = story_live(home_page, case_worker=case_worker, title=TRICKY_TITLE)
    unnamed = story_live(home_page, case_worker=case_worker, consent={"pseudonym": False})

    body = client.get(MAP_URL).content
    data = json.loads(body)

    # Exactly what json.dumps writes: no spaces, keys in their order, characters unescaped.
    assert body == json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    stories = {s["id"]: s for place in data["places"] for s in place["stories"]}
    assert list(stories[story.pk]) == ["id", "name", "title", "url", "progress"]
    assert stories[story.pk]["title"] == TRICKY_TITLE
    assert stories[unnamed.pk]["name"] is None


def test_without_postgresql_the_same_query_gives_the_same_map(home_page, case_worker, monkeypatch):
    """SQLite (``make run`` without a DATABASE_URL) has no ordered aggregate: the query
    returns one story a row and Python joins them. Both ways give the same text."""
    story_live(home_page, case_worker=case_worker, region="TH-50", title=TRICKY_TITLE)
    story_live(home_page, case_worker=case_worker, region="TH-50")
    story_live(home_page, case_worker=case_worker, region="KH", consent={"pseudonym": False})

    def build() -> str:
        return selectors.map_json(
            language="en", filters=StoryFilters(), thumbnail_url_template="/t/{id}/"
        )

    aggregated = build()
    monkeypatch.setattr(selectors, "_json_lists_in_database", lambda: False)

    assert build() == aggregated
    assert len(story_ids(json.loads(aggregated))) == 3


def test_a_story_without_a_place_is_not_on_the_map(client, home_page, case_worker):
    placed = story_live(home_page, case_worker=case_worker, region="KH")
    story_live(home_page, case_worker=case_worker, region="")

    assert story_ids(map_json(client)) == {placed.pk}


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


def test_the_map_answers_in_a_language_without_its_own_pages(client, home_page, case_worker):
    """/th/ with no Thai site tree yet: an empty map, not an error."""
    story_live(home_page, case_worker=case_worker)
    response = client.get("/th" + MAP_URL)
    assert response.status_code == 200
    assert response.json()["places"] == []
