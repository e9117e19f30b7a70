"""The moment job: one email per confirmed supporter, in their language, exactly once."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import Supporter
from campaigns.services import igivehope_moments_send
from cms.emails.models import OutboxMessage
from tests.campaigns.conftest import igivehope_make
from tests.campaigns.helpers import link_in, send_outbox

pytestmark = pytest.mark.django_db


def supporters(page, *languages, confirmed=True):
    now = timezone.now()
    return [
        Supporter.objects.create(
            campaign_key=page.translation_key,
            email=f"s{n}-{language}@example.org",
            language=language,
            confirmed_at=now if confirmed else None,
        )
        for n, language in enumerate(languages)
    ]


def share_urls(message) -> dict[str, str]:
    urls = {}
    for line in message.body.splitlines():
        label, _, url = line.partition(": ")
        if url.startswith(("https://", "mailto:")):
            urls[label] = url
    return urls


def test_at_the_moment_each_supporter_gets_one_email_with_encoded_share_links(home_page):
    page = igivehope_make(home_page, threshold=2)
    supporters(page, "en", "th")
    supporters(page, "vi", confirmed=False)  # never confirmed: nothing
    left = supporters(page, "km")[0]
    left.unsubscribed_at = timezone.now()
    left.save()

    assert igivehope_moments_send() == 0  # not yet the moment
    with time_machine.travel(page.moment + timedelta(seconds=30)):
        call_command("send_igivehope_moments")
        emails = send_outbox()
        assert igivehope_moments_send() == 0  # a second run sends nothing more
        call_command("send_igivehope_moments")
        assert send_outbox() == []

    assert sorted(email.to[0] for email in emails) == ["s0-en@example.org", "s1-th@example.org"]
    english = next(email for email in emails if email.to == ["s0-en@example.org"])
    assert english.subject == "It is time: share your hope now"
    urls = share_urls(english)
    assert set(urls) == {"X", "Facebook", "WhatsApp", "LINE", "Telegram", "Email"}
    x = urlsplit(urls["X"])
    assert x.netloc == "twitter.com"
    assert x.path == "/intent/tweet"
    assert "text=Today%20I%20stand%20with%20survivors%20%26%20their%20hopes" in urls["X"]
    assert parse_qs(x.query)["hashtags"] == ["igivehope"]
    assert "%23igivehope" in urls["WhatsApp"]
    assert "#" not in urls["WhatsApp"]
    assert urls["Email"].startswith("mailto:?subject=")
    assert "+" not in urls["Email"]
    assert parse_qs(urlsplit(urls["LINE"]).query)["text"] == [
        "Today I stand with survivors & their hopes #igivehope"
    ]
    assert "/campaigns/leave/" in link_in(english, "/campaigns/leave/")
    thai = next(email for email in emails if email.to == ["s1-th@example.org"])
    assert "/th/campaigns/leave/" in thai.body
    assert Supporter.objects.filter(moment_sent_at__isnull=False).count() == 2


def test_below_the_threshold_the_not_yet_email_goes_out_instead(home_page):
    page = igivehope_make(home_page, threshold=5)
    supporters(page, "en")
    with time_machine.travel(page.moment + timedelta(seconds=5)):
        igivehope_moments_send()
        (email,) = send_outbox()
    assert email.subject == "Not yet: thank you for standing with us"
    assert "Not this time: we will try again together." in email.body
    assert "twitter.com" not in email.body


def test_a_crashed_run_resumes_without_sending_twice(home_page, monkeypatch):
    page = igivehope_make(home_page)
    supporters(page, "en", "en", "en")
    from campaigns import services

    real = services._moment_email
    calls = {"n": 0}

    def crash_on_third(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    with time_machine.travel(page.moment + timedelta(seconds=5)):
        monkeypatch.setattr(services, "_moment_email", crash_on_third)
        with pytest.raises(RuntimeError):
            igivehope_moments_send(batch=2)
        monkeypatch.setattr(services, "_moment_email", real)
        assert igivehope_moments_send(batch=2) == 1
        assert len({email.to[0] for email in send_outbox()}) == 3
    assert OutboxMessage.objects.filter(template="campaigns/emails/moment").count() == 3
