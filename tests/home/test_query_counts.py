"""Public pages make a fixed, small number of queries, however many stories there are."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.demo import home_content_ensure
from stories.models import StoryPage
from stories.public_cache import public_version_bump
from tests.factories import staff_in, stories_bulk_live, story_index

WARM_LIMIT = 15


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def measure(client, urls: dict[str, str]) -> dict[str, int]:
    """Warm counts (second request) per page, and the map's cold build."""
    counts = {}
    for name, url in urls.items():
        queries(client, url)
        counts[name] = queries(client, url)
    public_version_bump()
    queries(client, "/")  # the pages' own caches warm again; the map is now cold
    counts["map data (cold)"] = queries(client, "/map/stories.json")
    return counts


def test_query_counts_do_not_grow_with_the_number_of_stories(client, home_page):
    case_worker = staff_in("Case workers")
    home_content_ensure(home_page, story_index=story_index(home_page))
    stories_bulk_live(home_page, 20, by=case_worker)
    story = StoryPage.objects.live().order_by("pk").first()
    urls = {
        "home": "/",
        "story index": story_index(home_page).url,
        "story index, filtered": story_index(home_page).url + "?country=TH&funding=open",
        "story page": story.url,
        "map data": "/map/stories.json",
        "simple page": "/about/",
        "search": "/search/?q=sewing",
    }

    small = measure(client, urls)
    stories_bulk_live(home_page, 980, by=case_worker)
    cache.clear()
    large = measure(client, urls)

    assert small == large
    assert small["map data (cold)"] <= 2
    assert small["map data"] == 0
    assert all(count <= WARM_LIMIT for count in small.values()), small
