"""A public page is found once per public version (cms/core/page_routes.py); a change to
what an address leads to takes effect the moment it commits, on the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction, Site

from home.models import HomePage
from stories.models import StoryPage
from stories.public_cache import public_version
from tests.factories import (
    StorytellerFactory,
    consent_give,
    story_in_two_languages,
    story_page,
    story_publish,
)

# What Wagtail reads to find a page: the site, the locale, the page tree, the restrictions.
ROUTING_TABLES = (
    "wagtailcore_site",
    "wagtailcore_locale",
    "wagtailcore_page",
    "wagtailcore_pageviewrestriction",
)


@pytest.fixture
def story(home_page, people):
    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    consent_give(storyteller, by=people["case_worker"])
    return story_publish(
        story_page(home_page, storyteller, summary="She mends nets by the harbour."),
        case_worker=people["case_worker"],
        reviewer=people["reviewer"],
    )


def routing_tables_read(client, url: str) -> tuple[object, set[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    return response, {table for table in ROUTING_TABLES if f'"{table}"' in sql}


def test_the_next_visitor_is_routed_without_reading_the_page_tree(client, story):
    first, read_first = routing_tables_read(client, story.url)
    second, read_second = routing_tables_read(client, story.url)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert {"wagtailcore_site", "wagtailcore_page"} <= read_first
    assert read_second == set()  # the consent and the needs are still read every time


def test_an_unpublished_story_is_gone_from_the_moment_it_commits(
    client, story, django_capture_on_commit_callbacks
):
    assert client.get(story.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        story.unpublish()

    response = client.get(story.url)
    assert response.status_code == 410
    assert b"She mends nets by the harbour." not in response.content


def test_a_restriction_on_the_index_applies_to_a_story_already_routed(
    client, story, django_capture_on_commit_callbacks
):
    assert client.get(story.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=story.get_parent(), restriction_type=PageViewRestriction.LOGIN
        )

    response = client.get(story.url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_storyteller_recorded_as_a_child_is_taken_down_at_once(
    client, story, django_capture_on_commit_callbacks
):
    """The adult's consent has no guardian's consent: once the case worker records that the
    storyteller is a child, the story must not be served, though its route was cached with
    the storyteller as they were."""
    assert client.get(story.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        story.storyteller.is_child = True
        story.storyteller.save()

    response = client.get(story.url)
    assert response.status_code == 410
    assert b"She mends nets by the harbour." not in response.content


def test_each_language_is_routed_to_its_own_translation(client, home_page, people):
    _, english, thai = story_in_two_languages(home_page, people)
    assert english.slug == thai.slug  # the same path after the language prefix

    for _ in range(2):  # found, then from the cache
        assert thai.title.encode() not in client.get(english.url).content
        assert thai.title.encode() in client.get(thai.url).content


def test_a_route_found_at_one_port_serves_every_port_of_a_lone_host(client, story):
    """Publishing renders at the site's own port; visitors reach an instance behind a proxy
    at another."""
    at_8001 = {"headers": {"host": "localhost:8001"}, "SERVER_PORT": "8001"}
    assert client.get(story.url, **at_8001).status_code == 200

    with CaptureQueriesContext(connection) as captured:
        assert client.get(story.url, headers={"host": "localhost"}).status_code == 200
    assert not any('"wagtailcore_page"' in query["sql"] for query in captured.captured_queries)


def test_sites_that_share_a_hostname_are_told_apart_by_port(client, home_page):
    other_root = home_page.get_parent().add_child(
        instance=HomePage(
            title="A second site",
            slug="second-site",
            mission_heading="Another site's mission",
            mission="Served at another port of the same host.",
        )
    )
    Site.objects.filter(is_default_site=True).update(hostname="localhost", port=80)
    Site.objects.create(hostname="localhost", port=8001, root_page=other_root)

    for _ in range(2):  # found, then from the cache
        first = client.get("/", headers={"host": "localhost"})
        second = client.get("/", headers={"host": "localhost:8001"}, SERVER_PORT="8001")
        assert f"<title>{home_page.title}".encode() in first.content
        assert b"A second site" in second.content
        assert b"A second site" not in first.content


def test_a_page_row_written_without_a_signal_retires_its_route(
    client, story, django_capture_on_commit_callbacks
):
    """wagtail-localize's "convert to alias" takes a translation offline with a plain save
    and sends no signal; the route found before must not outlive it."""
    assert client.get(story.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        page = StoryPage.objects.get(pk=story.pk)
        page.live = False
        page.save(clean=False)

    response = client.get(story.url)
    assert response.status_code == 410
    assert b"She mends nets by the harbour." not in response.content


def test_saving_a_draft_leaves_the_public_caches_alone(
    story, people, django_capture_on_commit_callbacks
):
    """A draft changes nothing a visitor sees: the caches are not emptied for it."""
    version = public_version()

    with django_capture_on_commit_callbacks(execute=True):
        page = StoryPage.objects.get(pk=story.pk)
        page.summary = "A draft nobody sees yet."
        page.save_revision(user=people["author"])

    assert public_version() == version
