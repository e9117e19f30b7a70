"""The page cache answers anonymous visitors without SQL, and never with a taken-down story."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stories import services
from tests.factories import StorytellerFactory, consent_give, staff_in, story_page, story_publish


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def people(db):
    return {"case_worker": staff_in("Case workers"), "reviewer": staff_in("Safeguarding reviewers")}


@pytest.fixture
def story(home_page, people):
    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    consent_give(storyteller, by=people["case_worker"])
    return story_publish(
        story_page(home_page, storyteller),
        case_worker=people["case_worker"],
        reviewer=people["reviewer"],
    )


def test_a_cache_hit_makes_no_query(client, story, page_cache):
    first = client.get(story.url)
    assert first["X-Page-Cache"] == "miss"
    assert "s-maxage=300" in first["Cache-Control"]

    with CaptureQueriesContext(connection) as queries:
        second = client.get(story.url)

    assert second["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert second.content == first.content
    for header in ("Content-Type", "Cache-Control", "Content-Security-Policy", "Vary"):
        assert second[header] == first[header], header


def test_withdrawal_is_never_served_from_the_cache(
    client, story, people, page_cache, django_capture_on_commit_callbacks
):
    assert client.get(story.url).status_code == 200
    assert client.get(story.url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=story.storyteller, by=people["case_worker"])

    response = client.get(story.url)
    assert response.status_code == 410
    assert story.title not in response.content.decode()


def test_publishing_a_change_shows_it_at_once(
    client, story, people, page_cache, django_capture_on_commit_callbacks
):
    index_url = story.get_parent().url
    client.get(index_url)
    assert client.get(index_url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        story.get_parent().specific.save_revision().publish()

    assert client.get(index_url)["X-Page-Cache"] == "miss"


def test_staff_and_forms_are_never_cached(client, story, page_cache):
    client.force_login(staff_in("Editors"))
    assert "X-Page-Cache" not in client.get(story.url)
    client.logout()
    assert "X-Page-Cache" not in client.get("/admin/login/")
    assert "X-Page-Cache" not in client.get(story.url + "?utm_source=x")


def test_excluded_paths_are_excluded_in_every_language(client, story, page_cache):
    for path in ("/donate/", "/th/donate/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "X-Page-Cache" not in response, path


def test_the_map_data_is_kept_here_per_encoding_but_stays_private_downstream(
    client, story, people, page_cache, django_capture_on_commit_callbacks
):
    import gzip
    import json

    url = "/map/stories.json"
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped["X-Page-Cache"] == "miss"
    again = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert again["X-Page-Cache"] == "hit"
    assert again["Content-Encoding"] == "gzip"
    assert again["Cache-Control"] == "private, max-age=60"  # never kept by a CDN
    plain = client.get(url)  # a client without gzip gets its own entry, uncompressed
    assert "Content-Encoding" not in plain
    assert json.loads(plain.content) == json.loads(gzip.decompress(again.content))
    assert story.title in plain.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=story.storyteller, by=people["case_worker"])

    after = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert after["X-Page-Cache"] == "miss"
    assert story.title not in gzip.decompress(after.content).decode()


def test_an_entry_rendered_before_a_change_committed_is_never_served(client, story, page_cache):
    """A request that read the version, then rendered while a withdrawal committed, stores
    its page under the old version: nobody is served it."""
    from stories.public_cache import public_cache_get, public_cache_set, public_version_bump

    version, cached = public_cache_get("page:test")
    assert cached is None
    public_version_bump()  # the takedown commits while the page renders
    public_cache_set("page:test", "the old page", version=version, timeout=300)

    assert public_cache_get("page:test")[1] is None


def test_the_redis_backend_reuses_its_client_and_works(settings):
    """Our Redis backend (cms/core/cache.py) against the real Redis: one client per pool."""
    import uuid

    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "redis": {
            "BACKEND": "cms.core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }
    redis_cache = caches["redis"]
    try:
        redis_cache.set_many({"a": 1, "b": [2, 3]}, 30)
        assert redis_cache.get_many(["a", "b", "c"]) == {"a": 1, "b": [2, 3]}
        client = redis_cache._cache.get_client()
        assert redis_cache._cache.get_client() is client
        assert redis_cache._cache.get_client(write=True) is client  # one server, one pool
    finally:
        redis_cache.clear()
