"""The outbox: messages written with their cause, rendered in the recipient's language, sent
once, retried with back-off when the provider fails, given up when it never can."""

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.emails.models import OutboxMessage
from cms.emails.sender import outbox_prune, outbox_send_due, retry_delay
from cms.emails.services import email_enqueue
from cms.emails.tasks import outbox_send_task
from tests.emails import backends


@pytest.fixture(autouse=True)
def flaky_provider(settings):
    settings.EMAIL_BACKEND = "tests.emails.backends.FlakyBackend"
    backends.BEHAVIOUR.update(fail_next=0, status=503, refuse=False)
    return backends.BEHAVIOUR


def enqueue(*, key=None, language="en", to="test-recipient@example.org"):
    return email_enqueue(
        to=to,
        subject=_("Your gift to igivehope has been refunded"),
        template="donations/emails/receipt",
        context={
            "amount": "25 USD",
            "purpose": "the general survivor fund",
            "paid_on": timezone.now(),
            "reference": "ref-1",
            "site_url": "http://testserver/",
        },
        language=language,
        dedupe_key=key,
        tags=["receipt"],
    )


def test_a_message_is_rendered_in_the_recipients_language(db):
    message = enqueue(language="th")

    assert message.language == "th"
    month = timezone.now().strftime("%m")
    thai_months = [
        "มกราคม",
        "กุมภาพันธ์",
        "มีนาคม",
        "เมษายน",
        "พฤษภาคม",
        "มิถุนายน",
        "กรกฎาคม",
        "สิงหาคม",
        "กันยายน",
        "ตุลาคม",
        "พฤศจิกายน",
        "ธันวาคม",
    ]
    assert thai_months[int(month) - 1] in message.body_text
    assert message.status == OutboxMessage.Status.PENDING


def test_the_same_key_twice_is_one_message(db):
    assert enqueue(key="donation:1:receipt") is not None
    assert enqueue(key="donation:1:receipt") is None

    assert OutboxMessage.objects.count() == 1


def test_a_message_is_sent_after_its_transaction_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue()
    assert mail.outbox == []

    for callback in callbacks:
        callback()

    (sent,) = mail.outbox
    assert sent.to == ["test-recipient@example.org"]
    assert sent.anymail_test_params["tags"] == ["receipt"]
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.SENT
    assert message.sent_at is not None


def test_a_rolled_back_cause_sends_nothing(db, django_capture_on_commit_callbacks):
    from django.db import transaction

    def donation_that_fails():
        with transaction.atomic():
            enqueue()
            raise RuntimeError("the donation failed after the email was queued")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        donation_that_fails()

    assert callbacks == []
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_three_provider_failures_then_success_sends_once_with_back_off(db, flaky_provider, caplog):
    flaky_provider["fail_next"] = 3
    message = enqueue()
    now = timezone.now()
    waits = []

    for _attempt in range(4):
        report = outbox_send_due(now=now)
        message.refresh_from_db()
        if message.status == OutboxMessage.Status.PENDING:
            waits.append(message.next_attempt_at - now)
            assert outbox_send_due(now=now).sent == 0  # not due before its time
            now = message.next_attempt_at

    assert report.sent == 1
    assert len(mail.outbox) == 1
    assert message.attempts == 4
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert "test-recipient@example.org" not in caplog.text


def test_a_provider_refusal_is_dead_lettered_at_once(db, flaky_provider, caplog):
    flaky_provider.update(fail_next=1, status=400)
    message = enqueue()

    with caplog.at_level(logging.ERROR):
        report = outbox_send_due()

    message.refresh_from_db()
    assert report.dead == 1
    assert message.status == OutboxMessage.Status.DEAD
    assert message.last_error == "AnymailAPIError (HTTP 400)"
    assert "given up" in caplog.text
    assert "test-recipient@example.org" not in caplog.text
    assert outbox_send_due(now=timezone.now() + timedelta(days=1)).sent == 0


def test_refused_recipients_are_dead_lettered_at_once(db, flaky_provider):
    flaky_provider["refuse"] = True
    message = enqueue()

    outbox_send_due()

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.DEAD, 1)


def test_a_message_that_keeps_failing_is_given_up_after_eight_attempts(db, flaky_provider):
    flaky_provider["fail_next"] = 100
    message = enqueue()
    now = timezone.now()

    for _attempt in range(10):
        outbox_send_due(now=now)
        now += timedelta(hours=3)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.DEAD, 8)
    assert sum((retry_delay(n) for n in range(1, 8)), timedelta()) == timedelta(minutes=127)


def test_sent_and_dead_messages_are_pruned_after_the_retention_period(db, settings):
    old = enqueue(key="old")
    outbox_send_due()
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    waiting = enqueue(key="waiting")

    assert outbox_prune() == 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [waiting.pk]


def test_the_command_and_the_task_send_what_is_due(db):
    enqueue(key="one")
    out = StringIO()
    call_command("send_outbox", stdout=out)
    enqueue(key="two")

    result = outbox_send_task.enqueue()

    assert out.getvalue().startswith("sent 1, retrying 0, given up 0")
    assert result.return_value == {"sent": 1, "retrying": 0, "dead": 0}
    assert len(mail.outbox) == 2
