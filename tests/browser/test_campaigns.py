"""A visitor on the #igivehope page in a real browser: the countdown in their time zone,
the sign-up form, the counter; axe finds nothing on either campaign page type."""

import pytest
from playwright.sync_api import expect

from campaigns.models import Supporter
from campaigns.services import supporter_confirm
from home.demo import home_page_ensure
from tests.browser.conftest import axe_violations
from tests.campaigns.conftest import campaign_make, igivehope_make

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_visitor_signs_up_for_the_moment(page):
    home, _ = home_page_ensure()
    igivehope = igivehope_make(home)
    campaign = campaign_make(home, title="Hope in July", slug="hope-in-july")

    page.goto(page.base + igivehope.url)
    expect(page.locator("[data-countdown-text]")).to_contain_text("Time left:")
    expect(page.locator("[data-local-time]")).to_contain_text("In your time zone:")
    expect(page.locator(".moment__count")).to_have_text("0")
    assert axe_violations(page) == []

    page.get_by_label("Email address").fill("browser-ally@example.org")
    page.get_by_role("button", name="Sign me up").click()
    expect(page.get_by_text("Check your email")).to_be_visible()
    supporter = Supporter.objects.get()
    assert supporter.time_zone  # filled in from the browser by countdown.js
    supporter_confirm(supporter_id=supporter.pk)

    page.goto(page.base + igivehope.url)
    expect(page.locator(".moment__count")).to_have_text("1")

    page.goto(page.base + campaign.url)
    expect(page.get_by_role("heading", name="Messages of hope")).to_be_visible()
    assert axe_violations(page) == []
