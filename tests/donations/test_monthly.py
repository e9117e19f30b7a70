"""Monthly gifts: a subscription to the general fund, a receipt each month, and a link to
Stripe's billing portal that only the donor's inbox receives."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cms.donations import services, targets
from cms.donations.models import Donation, LedgerEntry, MonthlyGift
from cms.emails.models import OutboxMessage
from tests.donations.helpers import deliver


@pytest.fixture
def subscribed(fake_stripe, home_page):
    started = services.checkout_begin(
        target=targets.GENERAL,
        monthly=True,
        amount_minor=50_000,
        currency="THB",
        email="test-monthly@example.org",
        language="th",
    )
    gift = started.monthly_gift
    gift.refresh_from_db()
    completed = fake_stripe.complete_session(gift.stripe_checkout_session_id)
    first_invoice = fake_stripe.events_of("invoice.paid")[-1]
    return gift, completed, first_invoice


def templates():
    return sorted(OutboxMessage.objects.values_list("template", flat=True))


def test_a_monthly_gift_starts_and_its_first_month_is_booked(client, subscribed):
    gift, completed, first_invoice = subscribed

    deliver(client, completed)
    deliver(client, first_invoice)

    gift.refresh_from_db()
    assert gift.status == MonthlyGift.Status.ACTIVE
    assert gift.stripe_customer_id.startswith("cus_")
    payment = Donation.objects.get(monthly_gift=gift)
    assert (payment.status, payment.frequency, payment.amount_minor) == ("paid", "monthly", 50_000)
    assert LedgerEntry.objects.get(donation=payment, kind="gift").fund.kind == "general"
    assert templates() == ["donations/emails/monthly_confirmation", "donations/emails/receipt"]
    assert OutboxMessage.objects.get(template="donations/emails/receipt").language == "th"


def test_the_invoice_before_the_checkout_event_gives_the_same_result(client, subscribed):
    gift, completed, first_invoice = subscribed

    deliver(client, first_invoice)
    deliver(client, completed)
    deliver(client, first_invoice)

    assert MonthlyGift.objects.get(pk=gift.pk).status == MonthlyGift.Status.ACTIVE
    assert Donation.objects.filter(monthly_gift=gift).count() == 1
    assert templates() == ["donations/emails/monthly_confirmation", "donations/emails/receipt"]


def test_each_month_is_a_new_payment_with_a_receipt(client, fake_stripe, subscribed):
    gift, completed, first_invoice = subscribed
    deliver(client, completed)
    deliver(client, first_invoice)
    gift.refresh_from_db()

    deliver(client, fake_stripe.pay_invoice(gift.stripe_subscription_id))

    assert Donation.objects.filter(monthly_gift=gift, status="paid").count() == 2
    assert templates().count("donations/emails/receipt") == 2


def test_a_cancelled_subscription_ends_the_gift(client, fake_stripe, subscribed):
    gift, completed, _first = subscribed
    deliver(client, completed)
    gift.refresh_from_db()

    deliver(client, fake_stripe.cancel_subscription(gift.stripe_subscription_id))

    gift.refresh_from_db()
    assert gift.status == MonthlyGift.Status.CANCELLED
    assert gift.cancelled_at is not None


def ask_for_link(client, email):
    return client.post("/donate/monthly/", {"email": email})


def test_asking_for_a_link_answers_the_same_whether_or_not_the_address_gives(client, subscribed):
    _gift, completed, _first = subscribed
    deliver(client, completed)
    before = OutboxMessage.objects.count()

    known = ask_for_link(client, "Test-Monthly@example.org")
    unknown = ask_for_link(client, "nobody-here@example.org")

    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    (link_mail,) = OutboxMessage.objects.all()[before:]
    assert link_mail.to == "test-monthly@example.org"
    assert "/donate/monthly/" in link_mail.body_text


def test_the_emailed_link_opens_the_billing_portal(client, fake_stripe, subscribed):
    gift, completed, _first = subscribed
    deliver(client, completed)
    ask_for_link(client, gift.email)
    link = re.search(
        r"http://testserver(\S*/donate/monthly/\S+/)", OutboxMessage.objects.last().body_text
    )[1]

    page = client.get(link)
    opened = client.post(link)

    assert page.status_code == 200
    assert "Open the secure page" in page.content.decode()
    assert opened.status_code == 303
    assert opened["Location"].startswith("https://billing.stripe.test/")
    (request,) = fake_stripe.requests_to("POST", "/v1/billing_portal/sessions")
    gift.refresh_from_db()
    assert request.form["customer"] == gift.stripe_customer_id
    assert gift.email not in request.body


def test_a_forged_or_old_link_opens_nothing(client, fake_stripe, subscribed):
    gift, completed, _first = subscribed
    deliver(client, completed)
    ask_for_link(client, gift.email)
    link = re.search(
        r"http://testserver(\S*/donate/monthly/\S+/)", OutboxMessage.objects.last().body_text
    )[1]

    forged = client.post(link.replace("/monthly/", "/monthly/x"))
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        old = client.post(link)

    assert "This link has expired or is not valid." in forged.content.decode()
    assert "This link has expired or is not valid." in old.content.decode()
    assert not fake_stripe.requests_to("POST", "/v1/billing_portal/sessions")


def test_a_bad_address_gets_a_message(client, db):
    response = ask_for_link(client, "not an address")

    assert response.status_code == 200
    assert "Enter an email address in the correct format" in response.content.decode()
