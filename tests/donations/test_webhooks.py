"""The Stripe webhook: authentic events only, each applied exactly once, in any order."""

import functools
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from cms.donations.models import Donation, LedgerEntry, ProcessedStripeEvent
from cms.emails.models import OutboxMessage
from tests.donations.helpers import at_once, deliver, give, sign, stale
from tests.fake_stripe import FakeStripe


def effects(donation):
    return {
        "status": Donation.objects.get(pk=donation.pk).status,
        "gifts": LedgerEntry.objects.filter(donation=donation, kind="gift").count(),
        "receipts": OutboxMessage.objects.filter(template="donations/emails/receipt").count(),
    }


@pytest.fixture
def paid_session(db, fake_stripe, home_page):
    donation, session_id = give(amount_minor=250_000, currency="THB")
    return donation, fake_stripe.complete_session(session_id)


def nothing_happened(donation):
    assert not ProcessedStripeEvent.objects.exists()
    assert effects(donation) == {"status": "pending", "gifts": 0, "receipts": 0}


def test_a_signed_event_pays_the_donation_once(client, paid_session):
    donation, event = paid_session

    response = deliver(client, event)

    assert response.status_code == 200
    assert response.json()["outcome"] == "processed"
    assert effects(donation) == {"status": "paid", "gifts": 1, "receipts": 1}


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda event: {"signature": sign(json.dumps(event), secret="whsec_wrong")},
            id="wrong secret",
        ),
        pytest.param(lambda event: {"timestamp": stale(301)}, id="301 s old"),
        pytest.param(lambda event: {"signature": ""}, id="no signature"),
        pytest.param(lambda event: {"signature": "t=1,v1=deadbeef"}, id="garbage signature"),
    ],
)
def test_unauthentic_or_stale_events_get_400_and_change_nothing(client, paid_session, tamper):
    donation, event = paid_session

    response = deliver(client, event, **tamper(event))

    assert response.status_code == 400
    nothing_happened(donation)


def test_a_tampered_body_gets_400(client, paid_session):
    donation, event = paid_session
    signature = sign(json.dumps(event))
    event["data"]["object"]["id"] = "cs_test_someone_else"

    response = deliver(client, event, signature=signature)

    assert response.status_code == 400
    nothing_happened(donation)


@pytest.mark.parametrize("body", ["{not json", "[]", '{"id": "evt_1"}', "null", ""])
def test_a_malformed_body_even_if_signed_gets_400(client, paid_session, body):
    donation, _event = paid_session

    response = deliver(client, body)

    assert response.status_code == 400
    nothing_happened(donation)


def test_a_body_that_is_not_utf8_gets_400(client, paid_session):
    donation, _event = paid_session

    response = client.post(
        "/webhooks/stripe/",
        data=b"\xff\xfe{}",
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign("{}"),
    )

    assert response.status_code == 400
    nothing_happened(donation)


def test_a_299_second_old_event_is_still_accepted(client, paid_session):
    donation, event = paid_session

    assert deliver(client, event, timestamp=stale(299)).status_code == 200
    assert effects(donation)["status"] == "paid"


def test_either_of_two_secrets_is_accepted_while_rotating(client, paid_session, settings):
    _donation, event = paid_session
    old = settings.STRIPE_WEBHOOK_SECRET
    settings.STRIPE_WEBHOOK_SECRET = f"whsec_new_one,{old}"

    assert deliver(client, event, secret=old).status_code == 200
    assert deliver(client, event, secret="whsec_new_one").json()["outcome"] == "duplicate"


def test_only_the_webhook_is_exempt_from_csrf(paid_session):
    _donation, event = paid_session
    strict = Client(enforce_csrf_checks=True)

    assert deliver(strict, event).status_code == 200
    assert strict.post("/donate/", {}).status_code == 403


def test_the_same_event_twice_has_one_effect(client, paid_session):
    donation, event = paid_session

    first, second = deliver(client, event), deliver(client, event)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["outcome"] == "duplicate"
    assert effects(donation) == {"status": "paid", "gifts": 1, "receipts": 1}


def test_different_events_for_the_same_payment_have_one_effect(client, fake_stripe, paid_session):
    donation, event = paid_session
    later = fake_stripe.event("checkout.session.completed", event["data"]["object"])

    deliver(client, event)
    deliver(client, later)

    assert effects(donation) == {"status": "paid", "gifts": 1, "receipts": 1}
    assert ProcessedStripeEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_deliveries_have_one_effect(fake_stripe, home_page):
    donation, session_id = give(amount_minor=250_000, currency="THB")
    event = fake_stripe.complete_session(session_id)
    payload = json.dumps(event)

    responses = at_once(*[lambda: deliver(Client(), payload)] * 10)

    assert [response.status_code for response in responses] == [200] * 10
    assert effects(donation) == {"status": "paid", "gifts": 1, "receipts": 1}
    assert ProcessedStripeEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_different_events_for_one_payment_have_one_effect(fake_stripe, home_page):
    donation, session_id = give(amount_minor=250_000, currency="THB")
    first = fake_stripe.complete_session(session_id)
    events = [first] + [
        fake_stripe.event("checkout.session.completed", first["data"]["object"]) for _ in range(9)
    ]

    at_once(*[functools.partial(deliver, Client(), event) for event in events])

    assert effects(donation) == {"status": "paid", "gifts": 1, "receipts": 1}


def test_a_refund_before_the_completion_event_ends_refunded(client, fake_stripe, paid_session):
    donation, completed = paid_session
    charge = fake_stripe.charge_of(donation.stripe_checkout_session_id)
    refunded = fake_stripe.refund(charge["id"])

    deliver(client, refunded)
    deliver(client, completed)  # arrives late

    donation.refresh_from_db()
    assert donation.status == Donation.Status.REFUNDED
    kinds = sorted(
        LedgerEntry.objects.filter(donation=donation).values_list("kind", "amount_minor")
    )
    assert kinds == [("fee", -kinds[0][1] * -1), ("gift", 250_000), ("refund", -250_000)]


def test_an_older_event_replayed_after_a_newer_one_changes_nothing(
    client, fake_stripe, paid_session
):
    donation, completed = paid_session
    deliver(client, completed)
    deliver(
        client, fake_stripe.refund(fake_stripe.charge_of(donation.stripe_checkout_session_id)["id"])
    )
    replay = fake_stripe.event("checkout.session.completed", completed["data"]["object"])

    deliver(client, replay)

    donation.refresh_from_db()
    assert donation.status == Donation.Status.REFUNDED
    assert LedgerEntry.objects.filter(donation=donation, kind="gift").count() == 1


def test_a_delayed_payment_is_paid_only_when_confirmed(client, fake_stripe, db, home_page):
    donation, session_id = give()
    deliver(client, fake_stripe.complete_session(session_id, delayed=True))
    assert effects(donation)["status"] == "pending"

    deliver(client, fake_stripe.async_succeed(session_id))

    assert effects(donation) == {"status": "paid", "gifts": 1, "receipts": 1}


def test_a_delayed_payment_that_fails_is_failed_and_books_nothing(
    client, fake_stripe, db, home_page
):
    donation, session_id = give()
    deliver(client, fake_stripe.complete_session(session_id, delayed=True))

    deliver(client, fake_stripe.async_fail(session_id))

    assert effects(donation) == {"status": "failed", "gifts": 0, "receipts": 0}


def test_an_expired_checkout_is_marked_expired(client, fake_stripe, db, home_page):
    donation, session_id = give()

    deliver(client, fake_stripe.expire_session(session_id))

    assert effects(donation)["status"] == "expired"


def test_unhandled_event_types_are_acknowledged(client, fake_stripe, db):
    event = fake_stripe.event("customer.created", {"id": "cus_test_1", "object": "customer"})

    response = deliver(client, event)

    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"


def test_events_for_other_payments_are_acknowledged_without_effect(client, fake_stripe, db):
    event = fake_stripe.event(
        "checkout.session.completed", {"id": "cs_test_unknown", "object": "checkout.session"}
    )

    assert deliver(client, event).status_code == 200
    assert not Donation.objects.exists()


def test_if_stripe_cannot_be_asked_the_event_is_not_recorded_and_stripe_retries(
    client, fake_stripe, paid_session, settings
):
    donation, event = paid_session
    fake_stripe.stop()

    assert deliver(client, event).status_code == 503
    nothing_happened(donation)

    # Stripe is back (same data, another port): the retried delivery works.
    revived = FakeStripe(objects=fake_stripe.objects, events=fake_stripe.events).start()
    settings.STRIPE_API_BASE = revived.url
    cache.clear()  # forget the breaker's failures
    try:
        assert deliver(client, event).status_code == 200
        assert effects(donation)["status"] == "paid"
    finally:
        revived.stop()


def test_a_failure_after_the_event_is_recorded_rolls_everything_back(client, paid_session):
    donation, event = paid_session
    with connection.cursor() as cursor:  # a fault in the database, mid-effect
        cursor.execute(
            """
            CREATE FUNCTION test_refuse_ledger() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'injected fault'; END; $$ LANGUAGE plpgsql;
            CREATE TRIGGER test_refuse_ledger BEFORE INSERT ON donations_ledgerentry
                FOR EACH ROW EXECUTE FUNCTION test_refuse_ledger();
            """
        )
    client.raise_request_exception = False

    response = deliver(client, event)

    assert response.status_code == 500  # Stripe will deliver it again
    nothing_happened(donation)
