"""Reconciliation with Stripe (security-requirements R63): repair what a lost webhook left
undone, and report what does not match. Run hourly: ``manage.py reconcile_stripe --since 72h``
(72 hours covers Stripe's three days of webhook retries; events are kept 30 days).

1. Every event Stripe holds since then, of the types we handle, goes through the same
   ``event_process`` as a webhook: one already processed is a duplicate and does nothing;
   one that never arrived is processed now.
2. Every Checkout Session since then is compared with our record: a paid session whose
   donation is not paid is fulfilled; what still differs is reported.
3. Refunds donors asked for on withdrawal that Stripe has not made yet are tried again.
4. Processed-event ids older than the dedupe window are pruned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from django.utils import timezone

from cms.donations import services
from cms.donations import stripe_gateway as gateway
from cms.donations.models import Donation, MonthlyGift, ProcessedStripeEvent
from cms.donations.webhooks import HANDLERS, event_process

logger = logging.getLogger(__name__)

# Stripe retries a webhook for up to three days; ids older than this cannot come back.
EVENT_ID_RETENTION = timedelta(days=30)


@dataclass
class Report:
    events_seen: int = 0
    events_applied: int = 0
    sessions_checked: int = 0
    repaired: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    refunds_retried: int = 0


def _record_for(session: dict):
    metadata = session.get("metadata") or {}
    if session.get("mode") == "subscription":
        gift_id = metadata.get("monthly_gift_id")
        query = MonthlyGift.objects.filter(stripe_checkout_session_id=session["id"])
        if not query.exists() and gift_id:
            try:
                query = MonthlyGift.objects.filter(pk=UUID(gift_id))
            except ValueError:
                return None
        return query.first()
    donation_id = metadata.get("donation_id")
    record = Donation.objects.filter(stripe_checkout_session_id=session["id"]).first()
    if record is None and donation_id:
        try:
            record = Donation.objects.filter(pk=UUID(donation_id)).first()
        except ValueError:
            return None
    return record


def _is_paid(record) -> bool:
    if isinstance(record, MonthlyGift):
        return record.status != MonthlyGift.Status.PENDING
    return record.is_paid


def _session_check(session: dict, report: Report) -> None:
    metadata = session.get("metadata") or {}
    if not (metadata.get("donation_id") or metadata.get("monthly_gift_id")):
        return  # not created by this site
    report.sessions_checked += 1
    record = _record_for(session)
    paid_at_stripe = session.get("payment_status") in {"paid", "no_payment_required"}
    if record is None:
        report.mismatches.append(f"session {session['id']}: paid={paid_at_stripe}, no record here")
        return
    if paid_at_stripe and not _is_paid(record):
        services.donation_fulfil(session_id=session["id"])
        record.refresh_from_db()
        if _is_paid(record):
            report.repaired.append(f"{type(record).__name__} {record.pk}: fulfilled")
    if paid_at_stripe != _is_paid(record):
        report.mismatches.append(
            f"{type(record).__name__} {record.pk}: Stripe session {session['id']} "
            f"payment_status={session.get('payment_status')}, here status={record.status}"
        )
    elif (
        isinstance(record, Donation)
        and paid_at_stripe
        and (
            session.get("amount_total") != record.amount_minor
            or (session.get("currency") or "").upper() != record.currency
        )
    ):
        report.mismatches.append(
            f"Donation {record.pk}: Stripe {session.get('amount_total')} "
            f"{(session.get('currency') or '').upper()}, "
            f"here {record.amount_minor} {record.currency}"
        )


def stripe_reconcile(*, since: timedelta) -> Report:
    """Repair and compare everything Stripe holds from the last ``since``.

    Raises ``stripe_gateway.StripeUnavailable`` when Stripe cannot be asked.
    """
    report = Report()
    created_since = int((timezone.now() - since).timestamp())
    for event in gateway.events_since(created_since, types=HANDLERS):
        report.events_seen += 1
        if event_process(event) == "processed":
            report.events_applied += 1
            report.repaired.append(f"event {event['id']} ({event['type']}) applied")
    for session in gateway.checkout_sessions_since(created_since):
        _session_check(session, report)
    for donation_id in Donation.objects.filter(refund_requested_at__isnull=False).values_list(
        "pk", flat=True
    ):
        services.donation_withdrawal_refund(donation_id=donation_id)
        report.refunds_retried += 1
    ProcessedStripeEvent.objects.filter(
        processed_at__lt=timezone.now() - EVENT_ID_RETENTION
    ).delete()
    for line in report.mismatches:
        logger.error("Reconciliation mismatch: %s", line)
    return report
