"""Publishing gets a page ready before its first visitor (home/tasks.py::page_prepare)."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import image_block, image_make, staff_in, story_live

pytestmark = pytest.mark.django_db


def queries(client, page) -> int:
    """A visitor of the page's own address (its site's host, which the task used too)."""
    url = urlsplit(page.get_full_url())
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url.path, headers={"host": url.netloc})
    assert response.status_code == 200, url
    return len(captured)


def test_a_published_story_has_its_renditions_and_its_pages_are_rendered_for_the_first_visitor(
    client, home_page, django_capture_on_commit_callbacks
):
    image = image_make(face=False, attested_by=staff_in("Safeguarding reviewers"))
    body = [("paragraph", "<p>She keeps the machine oiled.</p>"), image_block(image)]
    with django_capture_on_commit_callbacks(execute=True):  # publishing commits
        story = story_live(home_page, body=body)

    specs = set(image.renditions.values_list("filter_spec", flat=True))
    assert {"width-480", "width-800", "width-1200", "fill-320x320"} <= specs
    # The task rendered the page, its index and the home page as a visitor: the first real
    # visitor of each finds its text, counts, menus and language links already made, and
    # costs what the second one does.
    for page in (story, story.get_parent(), home_page):
        first, second = queries(client, page), queries(client, page)
        assert first == second, page.url


def test_a_page_that_fails_to_render_is_reported(home_page, caplog, monkeypatch):
    from home import tasks

    story = story_live(home_page)
    monkeypatch.setattr(tasks, "page_render_as_visitor", lambda page: 500)
    assert tasks.page_prepare.call(story.pk) == 0
    assert f"Page {story.pk} answered 500" in caplog.text


def test_rendering_a_page_in_another_language_leaves_the_callers_language_alone(home_page, people):
    """Tasks may run inline, inside an editor's request: a Thai page rendered for its first
    visitor must not switch the rest of that request to Thai."""
    from django.utils import translation

    from home.tasks import page_render_as_visitor
    from tests.factories import story_in_two_languages

    _storyteller, _english, thai = story_in_two_languages(home_page, people)
    with translation.override("en"):
        assert page_render_as_visitor(thai) == 200
        assert translation.get_language() == "en"


def test_a_page_whose_address_is_not_ascii_is_rendered_too(home_page):
    from home.tasks import page_render_as_visitor

    story = story_live(home_page, slug="máy-khâu-mới")
    assert page_render_as_visitor(story) == 200
