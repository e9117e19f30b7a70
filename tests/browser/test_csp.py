"""The Content-Security-Policy we ship, in a real browser: zero violations on the public pages,
the sign-in and two-factor screens, and the admin dashboard behind them."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from home.demo import home_content_ensure, home_page_ensure
from tests.factories import staff_in, story_index, story_live
from tests.support.two_factor import code_now

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Runs before any page script: records every violation the browser reports.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    const blocked = event.blockedURI || "inline";
    window.__cspViolations.push(
        `${event.violatedDirective} blocked ${blocked} at ${event.sourceFile}:${event.lineNumber}`
    );
});
"""


@pytest.fixture
def csp_page(page):
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(LISTEN)
    page.csp_console = console
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations") + page.csp_console


def visit(page, path: str) -> None:
    response = page.goto(page.base + path)
    assert response.status == 200, (path, response.status)
    assert "Content-Security-Policy" in {name.title() for name in response.headers}, path
    page.wait_for_load_state("networkidle")


@pytest.fixture
def story(csp_page):
    home, _ = home_page_ensure()
    index = story_index(home)
    index.save_revision().publish()
    story = story_live(home, title="A sewing machine and a new start", slug="a-sewing-machine")
    home_content_ensure(home, story_index=index)
    return story


def test_public_pages_record_no_violation(csp_page, story):
    paths = ["/", story.url, "/stories/", reverse("donations:general")]
    for path in paths:
        visit(csp_page, path)
        assert violations(csp_page) == [], path
    # The map really ran under the policy (its script and tiles were allowed).
    visit(csp_page, "/")
    expect(csp_page.locator(".leaflet-container")).to_be_visible()
    assert violations(csp_page) == []


def test_sign_in_two_factor_and_dashboard_record_no_violation(csp_page, settings, db):
    settings.ADMIN_REQUIRE_TWO_FACTOR = True
    # A superuser: the fullest dashboard, and no dependence on group rows, which a
    # transactional test elsewhere may have emptied.
    editor = staff_in("Editors", is_superuser=True)

    visit(csp_page, reverse("wagtailadmin_login"))
    assert violations(csp_page) == []
    csp_page.fill("input[name=username]", editor.username)
    csp_page.fill("input[name=password]", "correct horse battery staple")
    csp_page.click("button[type=submit]")
    expect(csp_page.locator("figure svg")).to_be_visible()  # the enrolment QR code
    assert violations(csp_page) == []

    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    csp_page.fill("input[name=code]", code_now(device))
    csp_page.click("form.login-form button[type=submit]")
    expect(csp_page.locator("ol.backup-codes li")).to_have_count(10)
    csp_page.click("text=I have kept them safe")
    expect(csp_page.locator("#main")).to_be_visible()
    csp_page.wait_for_load_state("networkidle")
    assert csp_page.url.endswith("/admin/")
    assert violations(csp_page) == []
