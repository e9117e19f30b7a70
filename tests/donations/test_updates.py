"""Outcome updates reach the story's donors once, within consent, and never name anyone."""

from datetime import date

import pytest
from django.urls import reverse

from cms.donations import targets
from cms.donations.models import StoryUpdateNotice
from cms.emails.models import OutboxMessage
from stories import services as story_services
from stories.models import StoryUpdate
from tests.donations.helpers import (
    PSEUDONYM,
    STORY_TITLE,
    deliver,
    donatable_story,
    give,
    needs_of,
    publish,
)
from tests.factories import staff_in

UPDATE_TITLE = "Mockara's loom has arrived"


def paid_gift(client, fake_stripe, target, email, **extra):
    _donation, session_id = give(target=target, email=email, **extra)
    deliver(client, fake_stripe.complete_session(session_id))


def add_update(page, capture):
    StoryUpdate.objects.create(
        page=page,
        locale=page.locale,
        month=date(2026, 11, 1),
        title=UPDATE_TITLE,
        text=f"{PSEUDONYM} wove her first length of cloth on it.",
    )
    with capture(execute=True):
        publish(page)


def update_mails():
    return list(OutboxMessage.objects.filter(template="donations/emails/story_update"))


@pytest.fixture
def story(home_page):
    return donatable_story(home_page)


def test_donors_who_asked_hear_of_a_published_update_once(
    client, fake_stripe, story, django_capture_on_commit_callbacks
):
    need = needs_of(story)[0]
    target = targets.target_for_need(need.translation_key)
    paid_gift(client, fake_stripe, target, "test-donor-a@example.org", updates_opt_in=True)
    paid_gift(client, fake_stripe, target, "test-donor-a@example.org", updates_opt_in=True)
    paid_gift(
        client,
        fake_stripe,
        targets.target_for_story(story.translation_key),
        "test-donor-b@example.org",
        updates_opt_in=True,
        language="th",
    )
    paid_gift(client, fake_stripe, target, "test-donor-c@example.org", updates_opt_in=False)

    add_update(story, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        publish(story)  # published again: no second email

    mails = update_mails()
    assert sorted((mail.to, mail.language) for mail in mails) == [
        ("test-donor-a@example.org", "en"),
        ("test-donor-b@example.org", "th"),
    ]
    assert StoryUpdateNotice.objects.count() == 1
    for mail in mails:
        for secret in (PSEUDONYM, STORY_TITLE, UPDATE_TITLE, need.title, story.slug):
            assert secret not in mail.subject + mail.body_text
        assert f"/donate/follow/{story.translation_key}/" in mail.body_text


def test_no_update_email_without_consent_to_donor_emails(
    client, fake_stripe, home_page, django_capture_on_commit_callbacks
):
    story = donatable_story(home_page, channels=["website"])
    paid_gift(
        client,
        fake_stripe,
        targets.target_for_story(story.translation_key),
        "test-donor@example.org",
        updates_opt_in=True,
    )

    add_update(story, django_capture_on_commit_callbacks)

    assert update_mails() == []


def test_the_follow_link_shows_the_story_only_while_it_is_live(client, story):
    follow = reverse("donations:follow", args=[story.translation_key])

    assert client.get(follow)["Location"] == story.url

    story_services.consent_withdraw(storyteller=story.storyteller, by=staff_in("Case workers"))
    gone = client.get(follow)

    assert gone.status_code == 404
    assert "not on the site any more" in gone.content.decode()
    assert PSEUDONYM not in gone.content.decode()
