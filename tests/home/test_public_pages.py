"""What a visitor sees on the public pages, and what they never see."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone
from wagtail.models import PageViewRestriction

from home.demo import home_content_ensure
from home.models import StandardPage
from stories import services
from stories.models import StoryNeed
from tests.factories import (
    CANARY_NAME,
    staff_in,
    stories_bulk_live,
    story_index,
    story_live,
)


@pytest.fixture
def case_worker(db):
    return staff_in("Case workers")


@pytest.fixture
def story(home_page, case_worker):
    page = story_live(
        home_page,
        case_worker=case_worker,
        title="A sewing machine and a new start",
        summary="Dao wants to sew for herself, in a workshop of her own.",
    )
    StoryNeed.objects.create(
        page=page,
        locale=page.locale,
        title="An industrial sewing machine",
        category="small-business",
        goal_minor=1_450_000,
        currency="THB",
    )
    return page


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_the_home_page_has_the_map_featured_stories_and_honest_totals(client, story):
    html = html_of(client, "/")

    assert "data-story-map" in html
    assert 'data-stories-url="/map/stories.json"' in html
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "Chiang Mai, Thailand" in html  # the list of places beside the map
    assert f'href="{story.url}"' in html  # featured
    assert "No gifts have been recorded yet" in html
    assert "Current campaign" not in html  # no campaign: the slot renders nothing


def test_the_home_page_shows_the_current_campaign_only_while_it_is_live(client, home_page):
    campaign = home_page.add_child(instance=StandardPage(title="#igivehope 2027", slug="igivehope"))
    campaign.save_revision().publish()
    home_page.featured_campaign = campaign
    home_page.save_revision().publish()

    assert "#igivehope 2027" in html_of(client, "/")

    campaign.unpublish()
    cache.clear()
    assert "Current campaign" not in html_of(client, "/")


def test_the_tile_source_is_a_setting(client, story, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png?key=abc"
    settings.MAP_TILE_ATTRIBUTION = "© Example Maps"

    html = html_of(client, "/")

    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png?key=abc"' in html
    assert 'data-tile-attribution="© Example Maps"' in html


def test_the_story_page_shows_needs_with_progress_and_a_way_to_give(client, story):
    need = story.needs.get()
    html = html_of(client, story.url)

    assert "An industrial sewing machine" in html
    assert '<progress class="progress" max="100" value="0"' in html
    assert "฿0 THB" in html
    assert "฿14,500 THB" in html
    # The donations app's button (or our fallback link) to the donate form for this need.
    assert re.search(rf'href="/donate/[^"]*{need.translation_key}[^"]*"', html)
    assert "Why you will not see a face or a name" in html
    assert f"Told by {story.storyteller.pseudonym}" in html


def test_story_pages_are_noindex_unless_the_consent_allows_search_engines(
    client, home_page, case_worker
):
    hidden = story_live(home_page, case_worker=case_worker)
    findable = story_live(home_page, case_worker=case_worker, consent={"search_engines": True})

    assert '<meta name="robots" content="noindex, nofollow">' in html_of(client, hidden.url)
    assert 'name="robots"' not in html_of(client, findable.url)
    sitemap = html_of(client, "/sitemap.xml")
    assert findable.url in sitemap
    assert hidden.url not in sitemap


def test_social_previews_use_campaign_art_never_story_media(client, story):
    html = html_of(client, story.url)

    [og_image] = re.findall(r'<meta property="og:image" content="([^"]+)"', html)
    assert og_image.endswith("/static/img/og-igivehope.png")
    assert "/media/" not in og_image


@pytest.mark.parametrize("url_of", ["home", "index", "story", "standard", "search"])
def test_pages_have_no_inline_scripts_or_styles(client, home_page, story, url_of):
    home_content_ensure(home_page, story_index=story_index(home_page))
    url = {
        "home": "/",
        "index": story.get_parent().url,
        "story": story.url,
        "standard": "/about/",
        "search": "/search/?q=sewing",
    }[url_of]

    html = html_of(client, url)

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert " style=" not in html
    assert "<style" not in html
    assert "googletagmanager" not in html
    assert "google-analytics" not in html


def test_the_story_index_filters_and_paginates_without_javascript(client, home_page, case_worker):
    stories_bulk_live(home_page, 14, by=case_worker, regions=["TH-50", "KH"])
    index_url = story_index(home_page).url

    first = html_of(client, index_url)
    assert "14 stories" in first
    assert "Page 1 of 2" in first
    assert first.count('class="story-card"') == 12
    assert "Page 2 of 2" in html_of(client, index_url + "?page=2")

    cambodia = html_of(client, index_url + "?country=KH")
    assert "7 stories" in cambodia
    assert "Chiang Mai" not in cambodia.split("data-story-list")[1]
    assert 'data-stories-url="/map/stories.json?country=KH"' in cambodia  # the map agrees


def test_simple_pages_and_navigation(client, home_page, story):
    home_content_ensure(home_page, story_index=story_index(home_page))

    about = html_of(client, "/about/")
    home = html_of(client, "/")

    assert "<h1>About igivehope</h1>" in about
    assert 'href="/how-your-gift-is-used/"' in home  # in the main menu
    assert 'href="/privacy/"' in home  # in the footer


@pytest.mark.parametrize("how", ["unpublished", "withdrawn", "expired", "private"])
def test_a_story_that_is_not_public_is_nowhere_on_the_site(
    client, home_page, case_worker, how, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    kept = story_live(home_page, case_worker=case_worker, summary="A loom for weaving at home.")
    gone = story_live(
        home_page,
        case_worker=case_worker,
        title="Hidden story about weaving",
        summary="Another loom for weaving at home.",
        consent={
            "granted_on": today - timedelta(days=9),
            "expires_on": today + timedelta(days=1),
            "search_engines": True,
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        if how == "unpublished":
            gone.unpublish()
        elif how == "withdrawn":
            services.consent_withdraw(storyteller=gone.storyteller, by=case_worker)
        elif how == "private":
            restriction = PageViewRestriction.objects.create(
                page=gone, restriction_type=PageViewRestriction.GROUPS
            )
            restriction.groups.set(Group.objects.filter(name="Editors"))

    def everything() -> str:
        return (
            "".join(
                html_of(client, url)
                for url in ["/", kept.get_parent().url, "/search/?q=weaving", "/sitemap.xml"]
            )
            + client.get("/map/stories.json").content.decode()
        )

    travel = today + timedelta(days=2) if how == "expired" else today
    with time_machine.travel(travel):
        pages = everything()
        assert kept.title in pages
        assert gone.title not in pages
        assert gone.url not in pages
        assert client.get(gone.url).status_code in {404, 410, 302}


def test_search_finds_public_words_and_never_private_data(client, home_page, case_worker):
    from wagtail.search.models import IndexEntry

    story = story_live(home_page, case_worker=case_worker, summary="A rice cart of her own.")
    services.identifying_term_add(
        storyteller=story.storyteller, kind="name", value=CANARY_NAME, by=case_worker
    )

    assert story.title in html_of(client, "/search/?q=rice")
    assert "0 results" in html_of(client, "/search/?q=Canaryson")
    assert "0 results" in html_of(client, f"/search/?q={story.storyteller.case_code}")
    indexed = " ".join(
        str(value)
        for row in IndexEntry.objects.values_list("title", "body", "autocomplete")
        for value in row
    )
    assert "Canaryson" not in indexed
    assert story.storyteller.case_code not in indexed
