"""A visitor switches to Thai in a real browser: the demo's home page, story index, campaign,
a story and its donate form; the interface strings, the fonts Chromium really draws the Thai
text with, and accessibility."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from cms.core.demo_translations import TRANSLATIONS
from home.demo import MISSION_HEADING
from tests.browser.conftest import (
    axe_violations,
    fonts_for_language,
    goto,
    map_ready,
    rendering_fonts,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THAI = TRANSLATIONS["th"]
STORY_TITLE = "A sewing machine and a new start"
CAMPAIGN_TITLE = "#igivehope: one moment of hope"


def assert_drawn_in_thai_fonts(page, selector: str) -> None:
    """Every Thai consonant of the element was drawn by a font that covers Thai: none fell
    to a font without Thai glyphs (the boxes a visitor would see)."""
    thai_fonts = fonts_for_language("th")
    assert thai_fonts, "no Thai font installed (.ci/run installs fonts-tlwg-loma-ttf)"
    text = page.locator(selector).first.inner_text()
    consonants = sum(1 for character in text if "\u0e01" <= character <= "\u0e2e")
    drawn = rendering_fonts(page, selector)
    thai_glyphs = sum(count for family, count in drawn.items() if family in thai_fonts)
    assert consonants > 0, text
    assert thai_glyphs >= consonants, drawn


def test_a_visitor_reads_the_home_page_and_a_story_in_thai(page, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load_demo_data", stdout=StringIO())  # its Thai pages passed review

    # The home page, switched to Thai with the language switcher.
    goto(page, "/")
    switcher = page.get_by_role("navigation", name="Read this page in")
    switcher.get_by_role("link", name="ไทย").click()
    expect(page).to_have_url(page.base + "/th/")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(THAI[MISSION_HEADING])
    # Interface strings from the catalogs, content from the reviewed translation.
    nav = page.get_by_role("navigation", name="เมนูหลัก")
    expect(nav.get_by_role("link", name="บริจาค")).to_have_attribute("href", "/th/donate/")
    expect(page.get_by_role("navigation", name="อ่านหน้านี้เป็นภาษา")).to_be_visible()
    assert_drawn_in_thai_fonts(page, "h1")
    assert_drawn_in_thai_fonts(page, ".hero__lead")
    assert_drawn_in_thai_fonts(page, ".site-footer__brand + p")
    map_ready(page)
    assert axe_violations(page) == []

    # The story index and the #igivehope campaign in Thai.
    for path, heading in [("/th/stories/", "Stories"), ("/th/igivehope/", CAMPAIGN_TITLE)]:
        goto(page, path)
        expect(page.get_by_role("heading", level=1)).to_have_text(THAI[heading])
        if path == "/th/stories/":
            map_ready(page)
        assert axe_violations(page) == [], path

    # A story, from its card on the Thai home page.
    goto(page, "/th/")
    page.get_by_role("link", name=THAI[STORY_TITLE]).first.click()
    expect(page).to_have_url(re.compile(r"/th/stories/a-sewing-machine-and-a-new-start/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(THAI[STORY_TITLE])
    expect(page.get_by_text("ทำไมคุณจึงไม่เห็นใบหน้าหรือชื่อ")).to_be_visible()
    quote = "I know how to make things. I just need a machine that is mine."
    expect(page.get_by_text(THAI[quote])).to_be_visible()
    assert_drawn_in_thai_fonts(page, "h1")
    assert_drawn_in_thai_fonts(page, ".story__summary")
    assert axe_violations(page) == []

    # Its donate form, in Thai; the general fund's form starts in Thai baht.
    page.get_by_role("link", name=re.compile("บริจาคเลย")).first.click()
    expect(page).to_have_url(re.compile(r"/th/donate/need/"))
    expect(page.get_by_role("group", name="จำนวนเท่าไร")).to_be_visible()
    assert axe_violations(page) == []
    goto(page, "/th/donate/")
    expect(page.locator(".donate__currency")).to_have_text("คุณกำลังบริจาคเป็นสกุล THB")
    assert axe_violations(page) == []

    # And back to English from the story: the switcher leads to the English story.
    goto(page, "/th/stories/a-sewing-machine-and-a-new-start/")
    page.get_by_role("navigation", name="อ่านหน้านี้เป็นภาษา").get_by_role(
        "link", name="English"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(STORY_TITLE)
    expect(page.locator("html")).to_have_attribute("lang", "en")
