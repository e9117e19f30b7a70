"""``make screenshots``: the demo site in Chromium at 1280 and 375 px, for a person to look at.

Builds the demo content in a throw-away SQLite database, serves it with ``runserver`` on a
free local port, and writes full-page PNGs of the home, story and donate pages, and the home
and story pages again in Thai, into ``screenshots/`` (ignored by git). Map tiles are answered
with a plain local image, so nothing leaves the machine.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TILE_HOST, tile_png  # noqa: E402

OUT = ROOT / "screenshots"
WIDTHS = (1280, 375)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own local server)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def shoot(base: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    tile = tile_png()
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900})
            context.route(
                f"https://{TILE_HOST}/**",
                lambda route: route.fulfill(status=200, content_type="image/png", body=tile),
            )
            page = context.new_page()
            page.goto(base + "/")
            page.wait_for_selector("[data-story-map][data-markers]", timeout=10_000)
            story_url = page.locator(".story-card__title a").first.get_attribute("href")
            # The same pages in Thai (the demo's reviewed translations): Thai fonts.
            shots = [("home", "/"), ("story", story_url), ("home-th", "/th/")]
            shots.append(("story-th", "/th" + story_url))
            for name, path in shots:
                page.goto(base + path)
                if name.startswith("home"):
                    page.wait_for_selector("[data-story-map][data-markers]", timeout=10_000)
                # Scroll through once so lazy images load before the full-page capture.
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                page.wait_for_timeout(400)
                page.evaluate("window.scrollTo(0, 0)")
                target = OUT / f"{name}-{width}.png"
                page.screenshot(path=target, full_page=True)
                written.append(target)
            # The donate form, reached as a visitor would: the first "Give now" on the story.
            page.goto(base + story_url)
            page.get_by_role("link", name="Give now").first.click()
            page.wait_for_load_state()
            target = OUT / f"donate-{width}.png"
            page.screenshot(path=target, full_page=True)
            written.append(target)
            context.close()
        browser.close()
    return written


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "settings.dev",
            "DATABASE_URL": f"sqlite:///{tmp}/screenshots.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
        }
        manage("migrate", "--no-input", "-v0", env=env)
        manage("load_demo_data", env=env)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/")
            for path in shoot(base):
                print(path.relative_to(ROOT))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
