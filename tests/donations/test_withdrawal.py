"""When a storyteller withdraws, money given to their story follows each donor's choice."""

import pytest
from django.core import mail

from cms.donations import ledger, selectors, targets
from cms.donations.models import Donation, Fund, HopeMessage, LedgerEntry
from cms.emails.models import OutboxMessage
from stories import services as story_services
from tests.donations.helpers import (
    PSEUDONYM,
    STORY_TITLE,
    at_once,
    deliver,
    donatable_story,
    give,
    needs_of,
)
from tests.factories import staff_in


@pytest.fixture
def story(home_page):
    return donatable_story(home_page)


def paid_gift(client, fake_stripe, *, target, amount_minor, email, **extra):
    donation, session_id = give(
        target=target, amount_minor=amount_minor, currency="THB", email=email, **extra
    )
    deliver(client, fake_stripe.complete_session(session_id))
    donation.refresh_from_db()
    return donation


def withdraw(story, capture):
    with capture(execute=True):
        story_services.consent_withdraw(storyteller=story.storyteller, by=staff_in("Case workers"))


@pytest.fixture
def refund_wanted(client, fake_stripe, story):
    """A paid 500 THB gift to the story's first need, from a donor who chose a refund should
    the story be withdrawn."""
    return paid_gift(
        client,
        fake_stripe,
        target=targets.target_for_need(needs_of(story)[0].translation_key),
        amount_minor=50_000,
        email="test-donor@example.org",
        on_withdrawal="refund",
    )


def where(donation):
    return {fund.kind: amount for fund, amount in ledger.donation_balances(donation)}


def test_three_gifts_two_reallocated_one_refunded_each_told_without_the_pseudonym(
    client, fake_stripe, story, django_capture_on_commit_callbacks
):
    first, second = needs_of(story)
    kept_a = paid_gift(
        client,
        fake_stripe,
        target=targets.target_for_need(first.translation_key),
        amount_minor=200_000,
        email="test-donor-a@example.org",
        message="Stay strong",
    )
    kept_b = paid_gift(
        client,
        fake_stripe,
        target=targets.target_for_story(story.translation_key),
        amount_minor=100_000,
        email="test-donor-b@example.org",
    )
    refunded = paid_gift(
        client,
        fake_stripe,
        target=targets.target_for_need(second.translation_key),
        amount_minor=50_000,
        email="test-donor-c@example.org",
        on_withdrawal="refund",
    )
    mail.outbox.clear()
    receipts = OutboxMessage.objects.count()

    withdraw(story, django_capture_on_commit_callbacks)

    assert where(Donation.objects.get(pk=kept_a.pk)) == {"general": 200_000}
    assert where(Donation.objects.get(pk=kept_b.pk)) == {"general": 100_000}
    refunded.refresh_from_db()
    assert where(refunded) == {}
    assert refunded.status == Donation.Status.REFUNDED
    assert refunded.refund_requested_at is None
    (refund_request,) = fake_stripe.requests_to("POST", "/v1/refunds")
    assert refund_request.form["payment_intent"] == refunded.stripe_payment_intent_id
    assert refund_request.form["amount"] == "50000"
    assert refund_request.headers["Idempotency-Key"] == f"refund-{refunded.pk}-withdrawal-50000"
    for need in (first, second):
        assert selectors.need_funded_minor(need_key=need.translation_key) == 0
    assert set(Fund.objects.exclude(kind="general").values_list("closed_reason", flat=True)) == {
        "withdrawn"
    }
    assert not HopeMessage.objects.exists()  # it may name the storyteller: deleted

    new = OutboxMessage.objects.order_by("pk")[receipts:]
    assert sorted((message.to, message.template) for message in new) == [
        ("test-donor-a@example.org", "donations/emails/withdrawal_reallocated"),
        ("test-donor-b@example.org", "donations/emails/withdrawal_reallocated"),
        ("test-donor-c@example.org", "donations/emails/withdrawal_refunded"),
    ]
    assert sorted(message.to[0] for message in mail.outbox if "withdrawn" in message.subject) == [
        "test-donor-a@example.org",
        "test-donor-b@example.org",
        "test-donor-c@example.org",
    ]
    # Receipts (queued while the gifts' webhooks ran) and the three withdrawal notices.
    donor_mail = [message for message in mail.outbox if message.to[0].startswith("test-donor")]
    assert len(donor_mail) == 6
    for message in donor_mail:
        text = message.subject + message.body
        for secret in (
            PSEUDONYM,
            STORY_TITLE,
            first.title,
            second.title,
            story.storyteller.case_code,
        ):
            assert secret not in text
    notices = {m.to[0]: m for m in donor_mail if "withdrawn" in m.subject}
    refund_mail = notices["test-donor-c@example.org"]
    assert "we have refunded 500 THB" in refund_mail.body
    reallocation_mail = notices["test-donor-a@example.org"]
    assert "2,000 THB of your gift" in reallocation_mail.body
    assert "general survivor fund" in reallocation_mail.body


def test_the_refund_webhook_after_a_withdrawal_refund_changes_nothing(
    client, fake_stripe, story, refund_wanted, django_capture_on_commit_callbacks
):
    donation = refund_wanted
    withdraw(story, django_capture_on_commit_callbacks)
    emails = OutboxMessage.objects.count()

    deliver(client, fake_stripe.events_of("charge.refunded")[-1])

    assert LedgerEntry.objects.filter(donation=donation, kind="refund").count() == 1
    assert OutboxMessage.objects.count() == emails


def test_open_checkouts_are_expired(client, fake_stripe, story, django_capture_on_commit_callbacks):
    need = needs_of(story)[0]
    donation, session_id = give(target=targets.target_for_need(need.translation_key))

    withdraw(story, django_capture_on_commit_callbacks)

    assert fake_stripe.requests_to("POST", f"/v1/checkout/sessions/{session_id}/expire")
    assert fake_stripe.get("sessions", session_id)["status"] == "expired"
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.EXPIRED


def test_a_checkout_paid_just_before_the_withdrawal_follows_the_donor_choice(
    client, fake_stripe, story, django_capture_on_commit_callbacks
):
    need = needs_of(story)[0]
    donation, session_id = give(
        target=targets.target_for_need(need.translation_key), email="test-donor@example.org"
    )
    late_event = fake_stripe.complete_session(session_id)  # paid, webhook not yet delivered

    withdraw(story, django_capture_on_commit_callbacks)
    deliver(client, late_event)

    donation.refresh_from_db()
    assert donation.status == Donation.Status.PAID
    assert where(donation) == {"general": 250_000}
    templates = set(OutboxMessage.objects.values_list("template", flat=True))
    assert templates == {"donations/emails/receipt", "donations/emails/withdrawal_reallocated"}


def test_a_gift_already_refunded_at_stripe_is_recorded_as_refunded(
    client, fake_stripe, story, refund_wanted, django_capture_on_commit_callbacks
):
    donation = refund_wanted
    fake_stripe.refund(donation.stripe_charge_id)  # refunded at Stripe; we have not heard yet

    withdraw(story, django_capture_on_commit_callbacks)

    # Stripe refused a second refund; the first one is then found and recorded.
    donation.refresh_from_db()
    assert donation.status == Donation.Status.REFUNDED
    assert where(donation) == {}
    assert donation.refund_requested_at is None
    templates = list(OutboxMessage.objects.values_list("template", flat=True))
    assert "donations/emails/withdrawal_reallocated" not in templates
    assert templates.count("donations/emails/refund_notice") == 1


def test_a_gift_stripe_cannot_refund_goes_to_the_general_fund(
    client, fake_stripe, story, refund_wanted, django_capture_on_commit_callbacks
):
    donation = refund_wanted
    # The payment is unknown to Stripe now (say, a charge too old to refund).
    fake_stripe.objects["payment_intents"].pop(donation.stripe_payment_intent_id)

    withdraw(story, django_capture_on_commit_callbacks)

    donation.refresh_from_db()
    assert where(donation) == {"general": 50_000}
    assert donation.refund_requested_at is None
    assert OutboxMessage.objects.filter(template="donations/emails/withdrawal_reallocated").exists()


def test_a_withdrawal_refund_waits_while_stripe_is_down_and_reconciliation_makes_it(
    client, fake_stripe, story, refund_wanted, django_capture_on_commit_callbacks, settings
):
    from tests.fake_stripe import FakeStripe

    donation = refund_wanted
    fake_stripe.stop()

    withdraw(story, django_capture_on_commit_callbacks)

    donation.refresh_from_db()
    assert donation.refund_requested_at is not None
    assert where(donation) == {"need": 50_000}  # still with the closed need, waiting

    revived = FakeStripe(objects=fake_stripe.objects, events=fake_stripe.events).start()
    settings.STRIPE_API_BASE = revived.url
    from django.core.cache import cache
    from django.core.management import call_command

    cache.clear()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("reconcile_stripe", "--since", "1h")
    finally:
        revived.stop()
    donation.refresh_from_db()
    assert donation.status == Donation.Status.REFUNDED
    assert donation.refund_requested_at is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_gift_paid_while_the_story_is_being_withdrawn_is_never_left_with_it(
    fake_stripe, home_page
):
    from django.test import Client

    story = donatable_story(home_page)
    need = needs_of(story)[0]
    donation, session_id = give(target=targets.target_for_need(need.translation_key))
    event = fake_stripe.complete_session(session_id)
    case_worker = staff_in("Case workers")

    at_once(
        lambda: story_services.consent_withdraw(storyteller=story.storyteller, by=case_worker),
        lambda: deliver(Client(), event),
    )

    donation.refresh_from_db()
    assert donation.status == Donation.Status.PAID
    assert where(donation) == {"general": 250_000}
    assert selectors.need_funded_minor(need_key=need.translation_key) == 0
