"""Stripe, emails and logs never receive a survivor's pseudonym, identifying terms, story text
or titles: a canary name and the story's own words are searched for in everything sent."""

import logging

import pytest
from django.core import mail
from django.urls import reverse

from cms.donations import services, targets
from cms.donations.models import HopeMessage
from cms.emails.models import OutboxMessage
from stories import services as story_services
from tests.donations.helpers import PSEUDONYM, STORY_TITLE, deliver, donatable_story, give, needs_of
from tests.factories import CANARY_NAME, staff_in


@pytest.fixture
def story(home_page):
    page = donatable_story(home_page)
    story_services.identifying_term_add(
        storyteller=page.storyteller, kind="name", value=CANARY_NAME, by=staff_in("Case workers")
    )
    return page


def test_nothing_identifying_leaves_for_stripe_emails_or_logs(
    client, fake_stripe, story, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    first, second = needs_of(story)
    secrets = [
        PSEUDONYM,
        CANARY_NAME,
        STORY_TITLE,
        story.summary,
        story.slug,
        first.title,
        second.title,
        story.storyteller.case_code,
    ]
    finance = staff_in("Finance")

    # A gift through the form, with a message that names the storyteller's real name.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("donations:need", args=[first.translation_key]),
            {
                "frequency": "one_off",
                "other_amount": "2,500",
                "currency": "THB",
                "email": "test-donor@example.org",
                "message": f"For {CANARY_NAME}, with love",
                "on_withdrawal": "refund",
                "updates_opt_in": "on",
            },
        )
        (session_id,) = fake_stripe.objects["sessions"]
        deliver(client, fake_stripe.complete_session(session_id))
        client.get("/donate/thanks/", {"session_id": session_id})
        # The message naming the real name is flagged for the moderator, by kind only.
        flagged = HopeMessage.objects.get()
        assert {finding["kind"] for finding in flagged.findings} == {"identifying_term"}
        assert CANARY_NAME not in str(flagged.findings)
        other, other_session = give(
            target=targets.target_for_story(story.translation_key), email="test-donor-2@example.org"
        )
        deliver(client, fake_stripe.complete_session(other_session))
        other.refresh_from_db()
        services.donation_refund(donation=other, by=finance, amount_minor=10_000)
        story_services.consent_withdraw(storyteller=story.storyteller, by=staff_in("Case workers"))

    sent_to_stripe = [
        " ".join([request.path, str(request.query), request.body, str(request.headers)])
        for request in fake_stripe.requests
    ]
    emails = [message.subject + message.body for message in mail.outbox] + [
        message.subject + message.body_text for message in OutboxMessage.objects.all()
    ]
    donor_emails = [message for message in mail.outbox if message.to[0].startswith("test-donor")]
    # Our loggers and the Stripe library's (Wagtail's own page log lines carry public titles).
    logs = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.split(".")[0] in {"cms", "stripe", "django", "urllib3"}
        and not record.name.startswith("django_tasks")
    )
    assert len(sent_to_stripe) > 5
    assert len(donor_emails) >= 4  # receipts, a refund notice, withdrawal notices
    for secret in secrets:
        for sent in sent_to_stripe:
            assert secret not in sent
        for email in donor_emails:
            assert secret not in email.subject + email.body
        assert secret not in logs
    for email in emails:
        assert CANARY_NAME not in email
        assert "with love" not in email  # messages of hope never travel by email
    # Withdrawn: messages to the story, which may name the storyteller, are gone.
    assert not HopeMessage.objects.exists()
