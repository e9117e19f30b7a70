"""Fulfilment happens once, whether the donor's return to the site or the webhook is first."""

import functools

import pytest
from django.test import Client

from cms.donations import services
from cms.donations.models import Donation, LedgerEntry
from cms.emails.models import OutboxMessage
from tests.donations.helpers import at_once, deliver, give


def thanks(client, session_id):
    return client.get("/donate/thanks/", {"session_id": session_id})


def booked(donation):
    return (
        Donation.objects.get(pk=donation.pk).status,
        LedgerEntry.objects.filter(donation=donation, kind="gift").count(),
        OutboxMessage.objects.filter(template="donations/emails/receipt").count(),
    )


@pytest.fixture
def paid(db, fake_stripe, home_page):
    donation, session_id = give(amount_minor=250_000, currency="THB")
    event = fake_stripe.complete_session(session_id)
    return donation, session_id, event


def test_the_success_page_first_then_the_webhook(client, paid):
    donation, session_id, event = paid

    page = thanks(client, session_id)
    deliver(client, event)

    assert page.status_code == 200
    assert "Your gift has arrived" in page.content.decode()
    assert booked(donation) == ("paid", 1, 1)


def test_the_webhook_first_then_the_success_page(client, paid):
    donation, session_id, event = paid

    deliver(client, event)
    page = thanks(client, session_id)

    assert "Your gift has arrived" in page.content.decode()
    assert booked(donation) == ("paid", 1, 1)


def test_the_success_page_of_an_unconfirmed_payment_says_so(client, fake_stripe, db, home_page):
    _donation, session_id = give()
    fake_stripe.complete_session(session_id, delayed=True)

    page = thanks(client, session_id)

    assert page.status_code == 200
    assert "your payment is being confirmed" in page.content.decode()


def test_the_success_page_works_while_stripe_is_down(client, fake_stripe, paid):
    donation, session_id, _event = paid
    fake_stripe.stop()

    page = thanks(client, session_id)

    assert page.status_code == 200
    assert "being confirmed" in page.content.decode()
    assert booked(donation) == ("pending", 0, 0)  # never paid on an error path


@pytest.mark.parametrize("session_id", ["", "cs_test_unknown", "../../etc", "cs_<script>"])
def test_unknown_or_malformed_session_ids_are_not_found(client, fake_stripe, db, session_id):
    assert thanks(client, session_id).status_code == 404


def test_the_cancel_page_says_nothing_was_taken(client, db):
    response = client.get("/donate/cancelled/", {"ref": "anything"})

    assert response.status_code == 200
    assert "nothing was taken" in response.content.decode()


def test_fulfilling_again_changes_nothing(paid):
    donation, session_id, _event = paid

    for _ in range(3):
        services.donation_fulfil(session_id=session_id)

    assert booked(donation) == ("paid", 1, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_success_pages_and_webhooks_at_the_same_moment_fulfil_once(fake_stripe, home_page):
    donation, session_id = give(amount_minor=250_000, currency="THB")
    event = fake_stripe.complete_session(session_id)
    # Stripe resends the same event, and sends the same session again as new events.
    deliveries = [event, event] + [
        fake_stripe.event(event["type"], event["data"]["object"]) for _ in range(2)
    ]

    at_once(
        *[lambda: thanks(Client(), session_id)] * 4,
        *[functools.partial(deliver, Client(), delivery) for delivery in deliveries],
    )

    assert booked(donation) == ("paid", 1, 1)


@pytest.mark.parametrize(
    ("language", "date_line"),
    [
        ("en", "Date: {day} {month_en} {year}"),
        ("th", "วันที่: {day} {month_th} {year}"),
        ("km", "កាលបរិច្ឆេទ៖ {day} ខែ {month_km} ឆ្នាំ {year}"),
        ("my", "ရက်စွဲ- {year} ခုနှစ် {month_my} {day} ရက်"),
        ("vi", "Ngày: {day} tháng {month} năm {year}"),
    ],
)
def test_the_receipt_gives_the_date_as_the_donors_language_writes_it(
    client, fake_stripe, home_page, language, date_line
):
    from django.core import mail
    from django.utils import timezone, translation
    from django.utils.dateformat import format as date_format

    from cms.emails.sender import outbox_send_due

    donation, session_id = give(language=language)
    deliver(client, fake_stripe.complete_session(session_id))
    outbox_send_due()

    today = timezone.localdate(Donation.objects.get(pk=donation.pk).paid_at)
    names = {}
    for code in ("en", "th", "km", "my"):
        with translation.override(code):
            names[f"month_{code}"] = date_format(today, "F")
    expected = date_line.format(day=today.day, month=today.month, year=today.year, **names)
    (receipt,) = mail.outbox
    assert expected in receipt.body
