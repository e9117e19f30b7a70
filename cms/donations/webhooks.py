"""Stripe webhooks: verify, deduplicate, dispatch, acknowledge (STYLE.md convention 4).

Each event type maps to one function. Handlers treat an event as a notification only: they
take the object's id and re-fetch it from Stripe (``services.py``), so a late, repeated or
out-of-order event can never move a donation backwards.

``event_process`` records the event id and applies its effect in one transaction: a second
delivery of the same event — in sequence or at the same moment — finds the id already there
(the unique index makes concurrent twins wait for the first to commit) and does nothing.
If the effect fails, the id is rolled back with it, and Stripe's retry tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from cms.donations import services
from cms.donations import stripe_gateway as gateway
from cms.donations.db import insert_unless_conflict
from cms.donations.models import ProcessedStripeEvent

logger = logging.getLogger(__name__)


def _checkout_session(obj: dict) -> None:
    services.donation_fulfil(session_id=obj["id"])


def _charge_refunded(obj: dict) -> None:
    services.donation_refunds_sync(charge_id=obj["id"])


def _dispute(obj: dict) -> None:
    services.donation_dispute_sync(dispute_id=obj["id"])


def _invoice_paid(obj: dict) -> None:
    services.monthly_instalment_record(invoice_id=obj["id"])


def _subscription_deleted(obj: dict) -> None:
    services.monthly_gift_cancel_sync(subscription_id=obj["id"])


HANDLERS: dict[str, Callable[[dict], None]] = {
    "checkout.session.completed": _checkout_session,
    "checkout.session.async_payment_succeeded": _checkout_session,
    "checkout.session.async_payment_failed": _checkout_session,
    "checkout.session.expired": _checkout_session,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute,
    "charge.dispute.closed": _dispute,
    "invoice.paid": _invoice_paid,
    "customer.subscription.deleted": _subscription_deleted,
}


def event_process(event: dict) -> str:
    """Apply a verified event exactly once: "processed", "duplicate" or "ignored".

    Raises ``stripe_gateway.StripeUnavailable`` when the object cannot be re-fetched: the
    caller answers 5xx so that Stripe delivers the event again later.
    """
    handler = HANDLERS.get(event["type"])
    with transaction.atomic():
        # A twin delivered at the same moment waits here until this transaction ends.
        if not insert_unless_conflict(
            ProcessedStripeEvent(event_id=event["id"], type=event["type"])
        ):
            return "duplicate"
        if handler is None:
            return "ignored"
        try:
            handler(event["data"]["object"])
        except gateway.StripeRefused as error:
            # Stripe no longer knows the object (deleted, another account's): retrying
            # cannot help, so the event counts as handled.
            logger.warning(
                "Event %s (%s) refers to nothing usable: %s", event["id"], event["type"], error.code
            )
    return "processed"
