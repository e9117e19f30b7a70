"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

A browser per test (see ``browser``). Map tiles are answered with a local PNG
through request routing, and any other request leaving 127.0.0.1 fails the test — so these
tests also prove there is no CDN, font service or tracker. Chromium comes from apt
(`.ci/run` installs it): `playwright install` cannot download browsers here.
"""

import io
import os
import subprocess
from urllib.parse import urlsplit

import pytest
from PIL import Image

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TILE_HOST = "tile.openstreetmap.org"
FC_LIST = "/usr/bin/fc-list"  # fontconfig, a dependency of Debian's chromium


def tile_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), "#dfe9e4").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def browser():
    # One browser per test, not per session: while Playwright's sync API is running, its
    # event loop makes Django hand out another connection object, one that lacks the
    # serialised database a transactional test restores from before it starts.
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which Django takes for
    # an async context; the ORM calls made here are ordinary synchronous test code.
    # https://github.com/microsoft/playwright-pytest/issues/29
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Visit:
    """What one test's browser page did: tiles served, foreign requests, JavaScript errors."""

    def __init__(self):
        self.tiles: list[str] = []
        self.foreign: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    tile = tile_png()
    visit = Visit()

    def route(request_route):
        url = request_route.request.url
        host = urlsplit(url).hostname
        if host == TILE_HOST:
            visit.tiles.append(url)
            request_route.fulfill(status=200, content_type="image/png", body=tile)
        elif host in {"127.0.0.1", "localhost"}:
            request_route.continue_()
        else:
            visit.foreign.append(url)
            request_route.abort()

    context.route("**/*", route)
    browser_page = context.new_page()
    browser_page.on("pageerror", lambda error: visit.errors.append(str(error)))
    browser_page.visit = visit
    browser_page.base = live_server.url
    yield browser_page
    context.close()
    assert visit.errors == [], visit.errors
    assert visit.foreign == [], visit.foreign


def goto(browser_page, path: str):
    response = browser_page.goto(browser_page.base + path)
    assert response.status == 200, (path, response.status)
    return response


def map_ready(browser_page):
    from playwright.sync_api import expect

    expect(browser_page.locator("[data-story-map][data-markers]")).to_be_visible()
    return browser_page.locator(".leaflet-marker-icon")


def rendering_fonts(browser_page, selector: str) -> dict[str, int]:
    """The fonts Chromium really drew the text of ``selector`` with, and how many glyphs
    each drew (DevTools protocol: ``CSS.getPlatformFontsForNode``)."""
    session = browser_page.context.new_cdp_session(browser_page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    session.detach()
    return {font["familyName"]: font["glyphCount"] for font in fonts if font["glyphCount"]}


def fonts_for_language(language: str) -> set[str]:
    """Font families installed here that cover ``language`` (fontconfig's own list)."""
    listing = subprocess.run(
        [FC_LIST, f":lang={language}", "family"], capture_output=True, text=True, check=True
    ).stdout
    return {name.strip() for line in listing.splitlines() for name in line.split(",")}


def axe_violations(browser_page) -> list[str]:
    """axe-core (bundled by axe-playwright-python) on the current page: WCAG 2.x A and AA."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        browser_page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
            },
            "resultTypes": ["violations"],
        },
    )
    return [
        f"{violation['id']}: {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
    ]


def pytest_collection_modifyitems(config, items):
    """Browser tests run last. They are transactional, and the flush that ends them also
    removes what data migrations made (groups, workflows, the default site), which any test
    after them on the same worker would miss (wagtail-internals.md, pitfall P9)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
