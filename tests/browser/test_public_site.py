"""A visitor in a real browser: the map, the filters, the way to give, and accessibility."""

import re

import pytest
from playwright.sync_api import expect

from home.demo import home_content_ensure, home_page_ensure
from stories.models import StoryNeed
from tests.browser.conftest import axe_violations, goto, map_ready
from tests.factories import staff_in, story_index, story_live

# Transactional, so the live server's thread sees the data. One test drives every step on
# one data set: a transactional test ends with a flush that also removes what data
# migrations made (groups, workflows, the root page), so each further test would have to
# rebuild all of it (wagtail-internals.md, pitfall P9).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_visitor_in_a_real_browser(page, site):
    """Each step starts from a fresh page load; failures name the step."""
    step_the_map_draws_one_marker_per_place_and_opens_popups_from_the_keyboard(page, site)
    step_filters_change_the_list_and_the_map(page, site)
    step_a_visitor_goes_from_the_home_page_to_a_story_and_its_donate_form(page, site)
    for width in (1280, 320):
        step_public_pages_are_accessible_and_fit_small_screens(page, site, width)


@pytest.fixture
def site(page):
    """Four public stories: two in Chiang Mai (one marker), one in Cambodia, one in Myanmar."""
    home, _ = home_page_ensure()
    index = story_index(home)
    index.save_revision().publish()
    case_worker = staff_in("Case workers")
    stories = {}
    for key, title, region, category, status in [
        ("dao", "A sewing machine and a new start", "TH-50", "small-business", "open"),
        ("mali", "A safe room in the city", "TH-50", "shelter", "open"),
        ("sophea", "The road home", "KH", "journey-home", "open"),
        ("thida", "Recovering what she earned", "MM", "legal", "funded"),
    ]:
        story = story_live(
            home,
            case_worker=case_worker,
            title=title,
            slug=key,
            region=region,
            summary=f"{key.title()}'s story, told under a pseudonym.",
        )
        StoryNeed.objects.create(
            page=story,
            locale=story.locale,
            title=f"What {key.title()} needs",
            category=category,
            goal_minor=50_000,
            currency="USD",
            status=status,
        )
        stories[key] = story
    home_content_ensure(home, story_index=index)
    return {"home": home, "index": index, **stories}


def step_the_map_draws_one_marker_per_place_and_opens_popups_from_the_keyboard(page, site):
    goto(page, "/")
    markers = map_ready(page)
    data = page.request.get(page.base + "/map/stories.json").json()

    assert markers.count() == len(data["places"]) == 3
    assert page.locator(".leaflet-marker-icon[data-place='TH-50']").inner_text() == "2"
    assert page.visit.tiles, "tiles are requested from the configured template"
    assert all(re.search(r"/\d+/\d+/\d+\.png$", url) for url in page.visit.tiles)
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    # The list beside the map agrees with the markers.
    assert page.locator(".place-list li").count() == 3

    # Keyboard: markers are buttons in the tab order; Enter opens the popup and moves focus
    # into it; its links lead to the right stories; Escape closes it and returns focus.
    cambodia = page.locator(".leaflet-marker-icon[data-place='KH']")
    assert cambodia.get_attribute("role") == "button"
    assert cambodia.get_attribute("tabindex") == "0"
    cambodia.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup")
    expect(popup).to_be_visible()
    link = popup.get_by_role("link", name=site["sophea"].title)
    expect(link).to_be_focused()
    assert link.get_attribute("href") == site["sophea"].url
    page.keyboard.press("Escape")
    expect(popup).to_have_count(0)
    expect(cambodia).to_be_focused()

    page.locator(".leaflet-marker-icon[data-place='TH-50']").focus()
    page.keyboard.press(" ")
    hrefs = popup.locator("a.map-popup__link").evaluate_all("links => links.map(a => a.href)")
    assert sorted(hrefs) == sorted(page.base + site[key].url for key in ("dao", "mali"))
    page.keyboard.press("Enter")  # follows the focused link
    expect(page).to_have_url(re.compile(r"/stories/(dao|mali)/$"))


def step_filters_change_the_list_and_the_map(page, site):
    goto(page, site["index"].url)
    map_ready(page)
    cards = page.locator("[data-story-list] .story-card")
    assert cards.count() == 4

    page.get_by_label("Country", exact=True).select_option("TH")
    page.get_by_role("button", name="Show stories").click()

    expect(page).to_have_url(re.compile(r"\?country=TH"))
    expect(cards).to_have_count(2)
    expect(page.locator("#results-summary")).to_contain_text("2 stories")
    assert map_ready(page).count() == 1  # both Thai stories are in Chiang Mai

    page.get_by_label("Funding", exact=True).select_option("funded")
    page.get_by_label("Country", exact=True).select_option("")
    page.get_by_role("button", name="Show stories").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(site["thida"].title)


def step_a_visitor_goes_from_the_home_page_to_a_story_and_its_donate_form(page, site):
    goto(page, "/")
    page.get_by_role("link", name=site["dao"].title).first.click()
    expect(page).to_have_url(page.base + site["dao"].url)
    expect(page.get_by_role("heading", level=1)).to_have_text(site["dao"].title)
    expect(page.get_by_text("Why you will not see a face or a name")).to_be_visible()

    need = site["dao"].needs.get()
    page.get_by_role("link", name=re.compile("Give now")).first.click()

    expect(page).to_have_url(re.compile(rf"/donate/need/{need.translation_key}/$"))
    expect(page.get_by_role("group", name="How much")).to_be_visible()
    assert axe_violations(page) == []


def step_public_pages_are_accessible_and_fit_small_screens(page, site, width):
    page.set_viewport_size({"width": width, "height": 900})
    for path in ["/", site["index"].url, site["dao"].url, "/how-your-gift-is-used/", "/donate/"]:
        goto(page, path)
        if page.locator("[data-story-map]").count():
            map_ready(page)
        assert axe_violations(page) == [], path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, width, overflow)
