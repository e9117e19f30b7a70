"""``reconcile_stripe`` repairs what lost webhooks left undone and reports what differs."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cms.donations.models import Donation, LedgerEntry
from cms.emails.models import OutboxMessage
from tests.donations.helpers import deliver, give


def reconcile(*args):
    out = StringIO()
    call_command("reconcile_stripe", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def lost(fake_stripe, home_page):
    """A paid gift whose webhook never arrived."""
    donation, session_id = give(amount_minor=10_000, currency="USD")
    fake_stripe.complete_session(session_id)
    return donation


def test_a_lost_webhook_is_repaired(lost):
    output = reconcile("--since", "72h")

    lost.refresh_from_db()
    assert lost.status == Donation.Status.PAID
    assert LedgerEntry.objects.filter(donation=lost, kind="gift").count() == 1
    assert OutboxMessage.objects.filter(template="donations/emails/receipt").count() == 1
    assert "repaired" in output
    assert "mismatches: 0" in output


def test_reconciling_twice_changes_nothing_more(lost):
    reconcile()
    second = reconcile()

    assert LedgerEntry.objects.filter(donation=lost, kind="gift").count() == 1
    assert "0 applied" in second


def test_a_webhook_that_arrives_after_the_repair_changes_nothing(client, fake_stripe, lost):
    reconcile()

    deliver(client, fake_stripe.events_of("checkout.session.completed")[-1])

    assert LedgerEntry.objects.filter(donation=lost, kind="gift").count() == 1
    assert OutboxMessage.objects.count() == 1


def test_a_lost_refund_is_repaired(client, fake_stripe, lost):
    reconcile()
    lost.refresh_from_db()
    fake_stripe.refund(lost.stripe_charge_id, 4_000)  # its webhook is lost too

    reconcile()

    assert list(
        LedgerEntry.objects.filter(donation=lost, kind="refund").values_list(
            "amount_minor", flat=True
        )
    ) == [-4_000]


def test_a_mismatch_is_reported_and_fails_the_command(client, fake_stripe, lost):
    reconcile()
    fake_stripe.get("sessions", lost.stripe_checkout_session_id)["amount_total"] = 1

    with pytest.raises(CommandError, match="1 mismatch"):
        reconcile()


def test_a_session_of_ours_without_a_record_is_reported(fake_stripe, db):
    from cms.donations import stripe_gateway

    stripe_gateway.checkout_session_create(
        mode="payment",
        amount_minor=1_000,
        currency="USD",
        product_name="Gift",
        email="test-donor@example.org",
        language="en",
        metadata={"donation_id": "00000000-0000-0000-0000-000000000001"},
        success_url="http://testserver/ok",
        cancel_url="http://testserver/cancel",
        expires_at=2_000_000_000,
        idempotency_key="orphan",
    )
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("reconcile_stripe", stdout=out)
    assert "no record here" in out.getvalue()


def test_stripe_unreachable_fails_loudly(fake_stripe, db):
    fake_stripe.stop()

    with pytest.raises(CommandError, match="cannot be reached"):
        reconcile()


def test_since_must_have_a_unit(fake_stripe, db):
    with pytest.raises(CommandError, match="90m, 72h or 7d"):
        reconcile("--since", "72")
