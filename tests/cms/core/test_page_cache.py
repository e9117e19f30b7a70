"""The page cache answers anonymous visitors without SQL, and never with a taken-down story."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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


def _headers(response) -> list[tuple[str, str]]:
    return sorted((name, value) for name, value in response.headerlist if name != "X-Page-Cache")


def test_a_cache_hit_makes_no_query_and_sends_what_the_miss_sent(visitor, story, page_cache):
    first = visitor.get(story.url)
    assert first.headers["X-Page-Cache"] == "miss"
    assert "s-maxage=300" in first.headers["Cache-Control"]

    with CaptureQueriesContext(connection) as queries:
        second = visitor.get(story.url)

    assert second.headers["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert second.body == first.body
    # Every header the middleware stack added, security headers and CSP included.
    assert _headers(second) == _headers(first)
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert header in second.headers, header


def test_a_page_stored_through_the_test_client_is_a_hit_through_the_application(
    client, visitor, story, page_cache
):
    """The middleware (reached by every request) and the application (gunicorn's) agree
    on the key: what one stores, the other finds."""
    assert client.get(story.url, HTTP_HOST="testserver")["X-Page-Cache"] == "miss"
    assert visitor.get(story.url).headers["X-Page-Cache"] == "hit"


def test_withdrawal_is_never_served_from_the_cache(
    visitor, story, people, page_cache, django_capture_on_commit_callbacks
):
    assert visitor.get(story.url).status_int == 200
    assert visitor.get(story.url).headers["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=story.storyteller, by=people["case_worker"])

    response = visitor.get(story.url, status=410)
    assert story.title not in response.text
    assert "X-Page-Cache" not in response.headers


def test_a_local_copy_answers_only_for_the_current_version_and_while_its_entry_lives(
    visitor, story, people, page_cache, monkeypatch, django_capture_on_commit_callbacks
):
    """The application keeps the entries it answered: a hit then reads only the version
    from the shared cache. A takedown or the shared entry's expiry ends the copy too."""
    from cms.core import page_cache

    def shared_entry_read(key):
        raise AssertionError("the local copy should have answered")

    visitor.get(story.url)
    assert visitor.get(story.url).headers["X-Page-Cache"] == "hit"  # read from Redis, kept
    with monkeypatch.context() as patched:
        patched.setattr(page_cache, "public_cache_get", shared_entry_read)
        assert visitor.get(story.url).headers["X-Page-Cache"] == "hit"

    with time_machine.travel(timezone.now() + timedelta(seconds=301)):  # PAGE_CACHE_SECONDS
        assert visitor.get(story.url).headers["X-Page-Cache"] == "miss"
    assert visitor.get(story.url).headers["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=story.storyteller, by=people["case_worker"])

    response = visitor.get(story.url, status=410)
    assert story.title not in response.text


def test_local_copies_keep_to_their_budget_dropping_the_least_recently_used():
    from cms.core.page_cache import LocalCopies

    copies = LocalCopies(max_bytes=250)
    later = time.time() + 300
    for name in ("a", "b", "c"):
        copies.put(name, "v1", ("200 OK", [], name.encode() * 100, later))
    assert copies.get("a") is None  # 300 bytes: the oldest went
    assert copies.get("b") is not None  # now the most recent
    copies.put("d", "v1", ("200 OK", [], b"d" * 100, later))
    assert copies.get("c") is None
    assert [copies.get(name)[1][2][:1] for name in ("b", "d")] == [b"b", b"d"]
    copies.put("e", "v1", ("200 OK", [], b"e" * 100, time.time() - 1))
    assert copies.get("e") is None  # expired with its shared entry


def test_publishing_a_change_shows_it_at_once(
    visitor, story, people, page_cache, django_capture_on_commit_callbacks
):
    index_url = story.get_parent().url
    visitor.get(index_url)
    assert visitor.get(index_url).headers["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        story.get_parent().specific.save_revision().publish()

    assert visitor.get(index_url).headers["X-Page-Cache"] == "miss"


def test_staff_sessions_and_other_queries_are_never_answered_from_the_cache(
    client, visitor, story, page_cache
):
    visitor.get(story.url)
    assert visitor.get(story.url).headers["X-Page-Cache"] == "hit"
    for cookie in ("sessionid", "messages"):
        visitor.set_cookie(cookie, "anything")
        assert "X-Page-Cache" not in visitor.get(story.url).headers, cookie
        visitor.reset()
    assert "X-Page-Cache" not in visitor.get(story.url + "?utm_source=x").headers
    assert visitor.get(story.url + "?page=1").headers["X-Page-Cache"] == "miss"

    client.force_login(staff_in("Editors"))
    assert "X-Page-Cache" not in client.get(story.url)
    client.logout()
    assert "X-Page-Cache" not in client.get("/admin/login/")


def test_excluded_paths_and_files_are_excluded_in_every_language(visitor, story, page_cache):
    for path in ("/donate/", "/th/donate/", "/static/css/site.css"):
        visitor.get(path)
        response = visitor.get(path)
        assert "X-Page-Cache" not in response.headers, path


def test_an_untrusted_host_is_refused_and_nothing_is_stored(visitor, story, page_cache):
    evil = {"HTTP_HOST": "evil.example"}
    for _ in range(2):
        response = visitor.get(story.url, extra_environ=evil, status=400)
        assert "X-Page-Cache" not in response.headers


def test_the_map_data_is_kept_here_per_encoding_but_stays_private_downstream(
    visitor, story, people, page_cache, django_capture_on_commit_callbacks
):
    import gzip
    import json

    from webob import Request

    url = "/map/stories.json"
    gzip_accepted, host = {"Accept-Encoding": "gzip"}, {"HTTP_HOST": "testserver"}
    zipped = visitor.get(url, headers=gzip_accepted)
    assert zipped.headers["X-Page-Cache"] == "miss"
    # WebTest unzips what it receives; WebOb's request shows the bytes as sent.
    again = Request.blank(url, headers=gzip_accepted, environ=host).get_response(visitor.app)
    assert again.headers["X-Page-Cache"] == "hit"
    assert again.headers["Content-Encoding"] == "gzip"
    assert again.headers["Cache-Control"] == "private, max-age=60"  # never kept by a CDN
    plain = visitor.get(url)  # a client without gzip gets its own entry, uncompressed
    assert plain.headers["X-Page-Cache"] == "miss"
    assert "Content-Encoding" not in plain.headers
    assert json.loads(plain.body) == json.loads(gzip.decompress(again.body))
    assert story.title in plain.text

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=story.storyteller, by=people["case_worker"])

    after = visitor.get(url, headers=gzip_accepted)
    assert after.headers["X-Page-Cache"] == "miss"
    assert story.title not in after.text


def test_when_the_cache_fails_django_answers_and_the_failure_is_logged(
    visitor, story, page_cache, settings, caplog
):
    """Redis down: no traceback from the WSGI server, but Django's own error handling."""
    url = story.url
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        }
    }
    response = visitor.get(url, status=500)
    assert "Page cache lookup failed" in caplog.text
    assert story.title not in response.text


def test_an_entry_rendered_before_a_change_committed_is_never_served(client, story, page_cache):
    """A request that read the version, then rendered while a withdrawal committed, stores
    its page under the old version: nobody is served it."""
    from stories.public_cache import public_cache_get, public_cache_set, public_version_bump

    version, cached = public_cache_get("page:test")
    assert cached is None
    public_version_bump()  # the takedown commits while the page renders
    public_cache_set("page:test", "the old page", version=version, timeout=300)

    assert public_cache_get("page:test")[1] is None


def test_entries_of_another_release_are_never_read(page_cache, monkeypatch):
    """During a rolling deploy, a release that changed what it caches (``SCHEMA``) never
    unpickles the other's entries; a takedown still retires both (one version token)."""
    from stories import public_cache

    version, _ = public_cache.public_cache_get("home:choices:test")
    monkeypatch.setattr(public_cache, "SCHEMA", "older")
    public_cache.public_cache_set(
        "home:choices:test", ("an", "old", "shape"), version=version, timeout=300
    )
    assert public_cache.public_cache_get("home:choices:test") == (version, ("an", "old", "shape"))
    monkeypatch.undo()

    assert public_cache.public_cache_get("home:choices:test") == (version, None)


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
