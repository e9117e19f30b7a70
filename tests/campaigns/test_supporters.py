"""Sign-up, double opt-in, the counter, leaving: what a supporter and a visitor notice."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from campaigns import tokens
from campaigns.models import Supporter
from campaigns.selectors import supporters_confirmed_count
from tests.campaigns.helpers import link_in, send_outbox

pytestmark = pytest.mark.django_db


def sign_up(client, page, email="ally@example.org", language="th", **extra):
    data = {
        "signup-email": email,
        "signup-language": language,
        "signup-time_zone": "Asia/Bangkok",
        "signup-website": "",
        **extra,
    }
    return client.post(reverse("campaigns:form_post", args=[page.pk]), data)


def test_sign_up_confirm_and_be_counted_once(client, igivehope):
    response = sign_up(client, igivehope)
    assert response.status_code == 302
    assert "sent=signup" in response["Location"]
    assert supporters_confirmed_count(campaign_key=igivehope.translation_key) == 0

    (email,) = send_outbox()
    assert email.to == ["ally@example.org"]
    confirm = link_in(email, "/campaigns/confirm/")
    assert confirm.startswith("/th/campaigns/confirm/")
    leave = link_in(email, "/campaigns/leave/")

    page = client.get(confirm)
    assert page.status_code == 200
    assert Supporter.objects.get().confirmed_at is None  # a GET (a mail scanner) changes nothing

    assert client.post(confirm).status_code == 200
    assert supporters_confirmed_count(campaign_key=igivehope.translation_key) == 1
    confirmed_at = Supporter.objects.get().confirmed_at

    again = client.post(confirm)
    assert again.status_code == 200
    assert Supporter.objects.get().confirmed_at == confirmed_at
    assert supporters_confirmed_count(campaign_key=igivehope.translation_key) == 1

    listing = client.get(igivehope.url)
    assert '<strong class="moment__count">1</strong>' in listing.content.decode()

    assert client.post(leave).status_code == 200
    assert supporters_confirmed_count(campaign_key=igivehope.translation_key) == 0


def test_an_expired_or_tampered_link_gives_a_clear_page(client, igivehope, settings):
    sign_up(client, igivehope, language="en")
    (email,) = send_outbox()
    confirm = link_in(email, "/campaigns/confirm/")

    tampered = client.post(confirm.rstrip("/") + "x/")
    assert tampered.status_code == 400
    assert "This link does not work" in tampered.content.decode()

    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.CAMPAIGN_CONFIRM_MAX_AGE_SECONDS + 60)
    ):
        expired = client.post(confirm)
    assert expired.status_code == 400
    assert "This link has expired" in expired.content.decode()
    assert Supporter.objects.get().confirmed_at is None


def test_a_leave_token_cannot_confirm(client, igivehope):
    sign_up(client, igivehope)
    supporter = Supporter.objects.get()
    wrong = signing.dumps({"s": supporter.pk}, salt=tokens.LEAVE_SALT, compress=True)
    assert client.post(f"/campaigns/confirm/{wrong}/").status_code == 400
    assert Supporter.objects.get().confirmed_at is None


def test_signing_up_twice_is_one_supporter_and_reveals_nothing(client, igivehope):
    first = sign_up(client, igivehope, email="Ally@Example.org")
    second = sign_up(client, igivehope, email="ally@example.org")
    assert first.status_code == second.status_code == 302
    assert Supporter.objects.count() == 1
    assert len(send_outbox()) == 1  # no second email within the resend pause


def test_form_errors_are_summarised_and_never_a_500(client, igivehope):
    response = sign_up(client, igivehope, email="not-an-address", **{"signup-time_zone": "Mars/X"})
    text = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in text
    assert 'href="#id_signup-email"' in text
    assert 'href="#id_signup-time_zone"' in text
    assert not Supporter.objects.exists()


def test_the_honeypot_and_rate_limit_stop_bots(client, igivehope, settings):
    assert sign_up(client, igivehope, **{"signup-website": "spam"}).status_code == 302
    assert not Supporter.objects.exists()
    settings.CAMPAIGN_RATE_LIMITS = {"per_ip_per_minute": 2, "per_ip_per_hour": 10}
    codes = [sign_up(client, igivehope, email=f"a{n}@example.org").status_code for n in range(3)]
    assert codes == [302, 302, 429]


def test_sign_ups_close_at_the_moment(client, igivehope):
    with time_machine.travel(igivehope.moment + timedelta(minutes=1)):
        response = sign_up(client, igivehope)
    assert response.status_code in {200, 400}
    assert not Supporter.objects.exists()


def test_the_campaign_page_sets_no_cookie_and_is_served_from_the_page_cache(
    visitor, igivehope, settings
):
    settings.PAGE_CACHE_SECONDS = 300
    first = visitor.get(igivehope.url)
    assert "Set-Cookie" not in first.headers  # no CSRF cookie: the forms carry no token
    assert first.headers["X-Page-Cache"] == "miss"
    assert visitor.get(igivehope.url).headers["X-Page-Cache"] == "hit"
    assert f'action="/campaigns/{igivehope.pk}/forms/#signup"' in first.text


def test_the_forms_need_no_token_but_refuse_another_sites_pages(igivehope):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    assert sign_up(browser, igivehope).status_code == 302
    assert Supporter.objects.count() == 1

    elsewhere = Client(enforce_csrf_checks=True, headers={"Origin": "https://evil.example"})
    assert sign_up(elsewhere, igivehope, email="other@example.org").status_code == 403
    assert Supporter.objects.count() == 1
