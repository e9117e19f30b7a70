"""Refunds and disputes move money out of the funds that hold it, once each."""

import pytest

from cms.donations import ledger, services, targets
from cms.donations.models import Donation, LedgerEntry
from cms.emails.models import OutboxMessage
from tests.donations.helpers import deliver, donatable_story, give, needs_of
from tests.factories import staff_in


@pytest.fixture
def finance(db):
    return staff_in("Finance", email="test-finance@example.org")


@pytest.fixture
def donation(client, fake_stripe, home_page):
    donation, session_id = give(amount_minor=10_000, currency="USD")
    deliver(client, fake_stripe.complete_session(session_id))
    donation.refresh_from_db()
    return donation


def refunds(donation):
    return list(
        LedgerEntry.objects.filter(donation=donation, kind="refund").values_list(
            "amount_minor", flat=True
        )
    )


def test_finance_refunds_part_then_the_rest(client, fake_stripe, donation, finance):
    assert services.donation_refund(donation=donation, by=finance, amount_minor=4_000) == 4_000
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PARTIALLY_REFUNDED

    assert services.donation_refund(donation=donation, by=finance) == 6_000

    donation.refresh_from_db()
    assert donation.status == Donation.Status.REFUNDED
    assert sorted(refunds(donation)) == [-6_000, -4_000]
    keys = [
        request.headers["Idempotency-Key"]
        for request in fake_stripe.requests_to("POST", "/v1/refunds")
    ]
    assert len(set(keys)) == 2
    assert OutboxMessage.objects.filter(template="donations/emails/refund_notice").count() == 2
    with pytest.raises(services.RefundNotPossible):
        services.donation_refund(donation=donation, by=finance)


def test_the_refund_webhook_after_a_finance_refund_records_nothing_more(
    client, fake_stripe, donation, finance
):
    services.donation_refund(donation=donation, by=finance)

    deliver(client, fake_stripe.events_of("charge.refunded")[-1])

    assert refunds(donation) == [-10_000]


def test_an_unpaid_donation_cannot_be_refunded(fake_stripe, home_page, finance):
    pending, _session = give(amount_minor=10_000, currency="USD")

    with pytest.raises(services.RefundNotPossible):
        services.donation_refund(donation=pending, by=finance)
    assert not fake_stripe.requests_to("POST", "/v1/refunds")


def test_a_dashboard_refund_is_recorded_from_its_webhook(client, fake_stripe, donation):
    deliver(client, fake_stripe.refund(donation.stripe_charge_id, 2_500))

    assert refunds(donation) == [-2_500]
    assert Donation.objects.get(pk=donation.pk).refund_reason == "stripe"


def test_a_won_dispute_takes_the_money_and_gives_it_back(client, fake_stripe, donation, finance):
    opened = fake_stripe.dispute(donation.stripe_charge_id)
    deliver(client, opened)
    donation.refresh_from_db()
    assert donation.dispute == Donation.Dispute.OPEN
    assert ledger.donation_balances(donation) == []
    alert = OutboxMessage.objects.get(template="donations/emails/finance_alert")
    assert alert.to == "test-finance@example.org"
    assert donation.email not in alert.body_text

    deliver(client, fake_stripe.close_dispute(opened["data"]["object"]["id"], won=True))

    donation.refresh_from_db()
    assert donation.dispute == Donation.Dispute.WON
    assert [amount for _fund, amount in ledger.donation_balances(donation)] == [10_000]


def test_a_lost_dispute_stays_taken_and_blocks_refunds(client, fake_stripe, donation, finance):
    opened = fake_stripe.dispute(donation.stripe_charge_id)
    deliver(client, opened)
    with pytest.raises(services.RefundNotPossible):
        services.donation_refund(donation=donation, by=finance)

    deliver(client, fake_stripe.close_dispute(opened["data"]["object"]["id"], won=False))

    donation.refresh_from_db()
    assert donation.dispute == Donation.Dispute.LOST
    assert ledger.donation_balances(donation) == []


def test_dispute_events_out_of_order_end_in_the_right_state(client, fake_stripe, donation):
    opened = fake_stripe.dispute(donation.stripe_charge_id)
    closed = fake_stripe.close_dispute(opened["data"]["object"]["id"], won=True)

    deliver(client, closed)
    deliver(client, opened)

    donation.refresh_from_db()
    assert donation.dispute == Donation.Dispute.WON
    kinds = sorted(LedgerEntry.objects.filter(donation=donation).values_list("kind", flat=True))
    assert kinds == ["dispute", "dispute_reversal", "fee", "gift"]


def test_a_refund_of_an_overflowing_gift_comes_out_of_the_last_fund_first(
    client, fake_stripe, home_page, finance
):
    page = donatable_story(home_page, needs=[("Bus fare home", "journey-home", 5_000, "USD")])
    (need,) = needs_of(page)
    donation, session_id = give(
        target=targets.target_for_need(need.translation_key), amount_minor=8_000, currency="USD"
    )
    deliver(client, fake_stripe.complete_session(session_id))
    donation.refresh_from_db()

    services.donation_refund(donation=donation, by=finance, amount_minor=3_000)

    assert {fund.kind: amount for fund, amount in ledger.donation_balances(donation)} == {
        "need": 5_000
    }
