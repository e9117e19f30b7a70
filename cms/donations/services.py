"""Everything that happens to donations. Keyword-only, ``<entity>_<action>``:
``grep -n "^def donation_"`` lists what can happen to a donation.

How state moves (security-requirements R55–R59):

- Stripe is the truth. Every handler re-fetches the object from Stripe before changing
  anything, so events may arrive late, twice or in any order.
- State only moves forward: ``pending → paid → partially_refunded → refunded`` (or
  ``pending → failed/expired``); the dispute flag separately ``"" → open → won/lost``.
- Each change happens under the donation's row lock (``select_for_update``), together with
  its ledger entries and its outbox emails, in one transaction. Stripe calls that *change*
  something (refunds, expiring sessions) run before that transaction or after its commit.
- ``donation_fulfil(session_id=…)`` is called by the success page, the webhook and the
  reconciliation; whichever comes first does the work, the others find it done.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.donations import emails, ledger
from cms.donations import stripe_gateway as gateway
from cms.donations.amounts import AmountError, amount_check
from cms.donations.models import (
    Donation,
    Fund,
    HopeMessage,
    LedgerEntry,
    MonthlyGift,
    StoryUpdateNotice,
    WithdrawalChoice,
)
from cms.donations.selectors import donation_refundable_minor, story_donor_addresses
from cms.donations.targets import Target

logger = logging.getLogger(__name__)

# What the fulfilment re-fetch expands, so that one request brings the fee too.
SESSION_EXPAND = ["payment_intent.latest_charge.balance_transaction"]


class DonationsUnavailable(Exception):
    """Stripe cannot be reached: the donor is told to try again later. Nothing was charged."""


class RefundNotPossible(Exception):
    """A refund finance asked for that cannot be made (the message says why)."""


# --------------------------------------------------------------------------------------
# Starting a gift
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutStart:
    """A started checkout: where to send the donor, and what it is for."""

    url: str
    donation: Donation | None = None
    monthly_gift: MonthlyGift | None = None


def _product_name(target: Target, *, monthly: bool, language: str) -> str:
    # Generic on purpose: Stripe shows it on its page, in receipts and in its dashboard.
    with translation.override(language):
        if monthly:
            return _("Monthly gift to the igivehope survivor fund")
        if target.kind == Fund.Kind.NEED:
            return _("Gift towards a survivor's need")
        if target.kind == Fund.Kind.STORY:
            return _("Gift towards a survivor's needs")
        if target.kind == Fund.Kind.CAMPAIGN:
            return _("Gift to an igivehope campaign")
        return _("Gift to the igivehope survivor fund")


def _message_scan(*, text: str, display_name: str, target: Target) -> list[dict]:
    """Personal data in a message of hope: phone numbers, addresses, dates… and, for a
    story, the storyteller's own identifying terms. Only kinds are kept, never the match."""
    from stories.anonymisation import PublicText, Term, scan

    terms = []
    if target.page is not None and target.is_story:
        terms = [
            Term(term.value, term.kind) for term in target.page.storyteller.identifying_terms.all()
        ]
    texts = [PublicText("message", text), PublicText("display_name", display_name)]
    return [
        {"field": finding.field, "kind": finding.kind, "severity": str(finding.severity)}
        for finding in scan([item for item in texts if item.text], terms)
    ]


def _hope_message_add(
    *, fund: Fund, target: Target, language: str, display_name: str, message: str, **owner
) -> None:
    display_name, message = display_name.strip(), message.strip()
    if not (display_name or message):
        return
    HopeMessage.objects.create(
        fund=fund,
        display_name=display_name,
        text=message,
        language=language,
        findings=_message_scan(text=message, display_name=display_name, target=target),
        **owner,
    )


def _fund_for(target: Target) -> Fund:
    fund = ledger.fund_get(kind=target.kind, key=target.key)
    if fund.is_closed:
        # The target was resolved as live with current consent just now: the story is back
        # (consent given again and republished), so its funds take gifts again.
        Fund.objects.filter(pk=fund.pk).update(closed_at=None, closed_reason="")
        fund.refresh_from_db()
    return fund


@transaction.atomic
def donation_create(
    *,
    target: Target,
    amount_minor: int,
    currency: str,
    email: str,
    language: str,
    on_withdrawal: str = WithdrawalChoice.GENERAL,
    updates_opt_in: bool = False,
    display_name: str = "",
    message: str = "",
) -> Donation:
    """A pending one-off gift. Raises ``AmountError`` for an amount outside the policy."""
    amount_check(amount_minor, currency)
    if target.fixed_currency and currency != target.fixed_currency:
        raise AmountError(_("This need takes gifts in %(code)s.") % {"code": target.fixed_currency})
    fund = _fund_for(target)
    donation = Donation.objects.create(
        target=fund,
        amount_minor=amount_minor,
        currency=currency,
        email=email.strip(),
        language=language,
        on_withdrawal=on_withdrawal if target.is_story else WithdrawalChoice.GENERAL,
        updates_opt_in=updates_opt_in and target.is_story,
    )
    _hope_message_add(
        fund=fund,
        target=target,
        language=language,
        display_name=display_name,
        message=message,
        donation=donation,
    )
    return donation


@transaction.atomic
def monthly_gift_create(
    *,
    amount_minor: int,
    currency: str,
    email: str,
    language: str,
    display_name: str = "",
    message: str = "",
) -> MonthlyGift:
    """A pending monthly gift; monthly gifts always go to the general survivor fund."""
    amount_check(amount_minor, currency)
    gift = MonthlyGift.objects.create(
        amount_minor=amount_minor, currency=currency, email=email.strip(), language=language
    )
    from cms.donations.targets import GENERAL

    _hope_message_add(
        fund=ledger.general_fund(),
        target=GENERAL,
        language=language,
        display_name=display_name,
        message=message,
        monthly_gift=gift,
    )
    return gift


def _checkout_urls(*, language: str, cancel_ref: str) -> tuple[str, str]:
    success = emails.url_in(language, "donations:thanks") + "?session_id={CHECKOUT_SESSION_ID}"
    cancel = emails.url_in(language, "donations:cancelled") + f"?ref={cancel_ref}"
    return success, cancel


def _expires_at(created) -> int:
    # From the row's creation time, not "now": a retried request must send the same
    # parameters, or Stripe refuses the reused idempotency key.
    return int((created + timedelta(minutes=settings.DONATION_CHECKOUT_EXPIRY_MINUTES)).timestamp())


def _checkout_begin(*, record, mode: str, product_name: str, metadata: dict, key: str) -> str:
    """Open a Stripe Checkout Session for a pending gift row (a ``Donation`` or a
    ``MonthlyGift``) and remember its id; returns the URL to send the donor to.

    If Stripe cannot be reached the pending row is removed (nothing can be paid on it) and
    ``DonationsUnavailable`` is raised.
    """
    success_url, cancel_url = _checkout_urls(language=record.language, cancel_ref=str(record.pk))
    try:
        session = gateway.checkout_session_create(
            mode=mode,
            amount_minor=record.amount_minor,
            currency=record.currency,
            product_name=product_name,
            email=record.email,
            language=record.language,
            metadata=metadata,
            success_url=success_url,
            cancel_url=cancel_url,
            expires_at=_expires_at(record.created_at),
            idempotency_key=key,
        )
    except (gateway.StripeUnavailable, gateway.StripeRefused) as error:
        logger.warning("Checkout for %s %s not started: %s", key, record.pk, error)
        gateway.mark_unavailable()
        record.delete()
        raise DonationsUnavailable from error
    type(record).objects.filter(pk=record.pk).update(stripe_checkout_session_id=session["id"])
    record.stripe_checkout_session_id = session["id"]
    return session["url"]


def donation_checkout_start(*, donation: Donation, target: Target) -> str:
    """Create the Stripe Checkout Session for a pending one-off gift; returns its URL."""
    return _checkout_begin(
        record=donation,
        mode="payment",
        product_name=_product_name(target, monthly=False, language=donation.language),
        metadata={
            "donation_id": str(donation.pk),
            "fund": donation.target.kind,
            "fund_key": str(donation.target.key or ""),
            "language": donation.language,
        },
        key=f"checkout-{donation.pk}",
    )


def monthly_gift_checkout_start(*, gift: MonthlyGift) -> str:
    """Create the Stripe Checkout Session of a monthly gift (to the general fund)."""
    from cms.donations.targets import GENERAL

    return _checkout_begin(
        record=gift,
        mode="subscription",
        product_name=_product_name(GENERAL, monthly=True, language=gift.language),
        metadata={"monthly_gift_id": str(gift.pk), "fund": "general", "language": gift.language},
        key=f"checkout-monthly-{gift.pk}",
    )


def checkout_begin(
    *,
    target: Target,
    monthly: bool,
    amount_minor: int,
    currency: str,
    email: str,
    language: str,
    on_withdrawal: str = WithdrawalChoice.GENERAL,
    updates_opt_in: bool = False,
    display_name: str = "",
    message: str = "",
) -> CheckoutStart:
    """Record the gift and open Stripe Checkout for it (what the donate form does)."""
    if monthly:
        gift = monthly_gift_create(
            amount_minor=amount_minor,
            currency=currency,
            email=email,
            language=language,
            display_name=display_name,
            message=message,
        )
        return CheckoutStart(url=monthly_gift_checkout_start(gift=gift), monthly_gift=gift)
    donation = donation_create(
        target=target,
        amount_minor=amount_minor,
        currency=currency,
        email=email,
        language=language,
        on_withdrawal=on_withdrawal,
        updates_opt_in=updates_opt_in,
        display_name=display_name,
        message=message,
    )
    return CheckoutStart(
        url=donation_checkout_start(donation=donation, target=target), donation=donation
    )


# --------------------------------------------------------------------------------------
# Fulfilment (R57): success page, webhook and reconciliation all end here
# --------------------------------------------------------------------------------------


def _id(value) -> str:
    """A Stripe reference that may be expanded (a dict) or not (an id)."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def _advance(donation: Donation, status: str) -> bool:
    """Move the status forward; an older event can never move it back."""
    allowed = {
        Donation.Status.PENDING: {
            Donation.Status.PAID,
            Donation.Status.FAILED,
            Donation.Status.EXPIRED,
        },
        # Stripe says paid: money arrived, whatever we thought before.
        Donation.Status.FAILED: {Donation.Status.PAID},
        Donation.Status.EXPIRED: {Donation.Status.PAID},
        Donation.Status.PAID: {Donation.Status.PARTIALLY_REFUNDED, Donation.Status.REFUNDED},
        Donation.Status.PARTIALLY_REFUNDED: {Donation.Status.REFUNDED},
    }
    if status in allowed.get(donation.status, set()):
        donation.status = status
        return True
    return False


def _paid_donation_book(donation: Donation, *, charge: dict | None) -> None:
    """Everything that follows a confirmed payment, in the caller's transaction."""
    entries = ledger.gift_record(donation=donation)
    balance_transaction = (charge or {}).get("balance_transaction")
    if isinstance(balance_transaction, dict) and balance_transaction.get("fee"):
        ledger.fee_record(
            donation=donation,
            amount_minor=balance_transaction["fee"],
            currency=balance_transaction.get("currency") or donation.currency,
            stripe_ref=balance_transaction.get("id", ""),
        )
    target = entries[0].fund if entries else Fund.objects.get(pk=donation.target_id)
    emails.receipt_send(donation)
    if target.is_closed:
        # Paid after its story was withdrawn: the donor's choice applies straight away.
        _withdrawal_apply(donation, closed={target.pk})


def _donation_for_session(session: dict) -> Donation | None:
    """The donation a Checkout Session belongs to, locked."""
    locked = Donation.objects.select_related("target").select_for_update(of=("self",))
    donation = locked.filter(stripe_checkout_session_id=session["id"]).first()
    donation_id = (session.get("metadata") or {}).get("donation_id")
    if donation is None and donation_id:
        # The session was created but its id never saved here (a crash in between).
        with contextlib.suppress(ValueError):  # not a UUID: not one of ours
            donation = locked.filter(
                pk=UUID(donation_id), stripe_checkout_session_id__isnull=True
            ).first()
    return donation


def _session_apply(session: dict) -> Donation | MonthlyGift | None:
    """Bring our record in line with a freshly fetched Checkout Session."""
    if session.get("mode") == "subscription":
        return _monthly_session_apply(session)
    # No savepoint when nested (the webhook's transaction): a failure rolls back everything.
    with transaction.atomic(savepoint=False):
        donation = _donation_for_session(session)
        if donation is None:
            logger.info("Checkout session %s is not one of our donations", session["id"])
            return None
        if (session.get("amount_total"), (session.get("currency") or "").upper()) != (
            donation.amount_minor,
            donation.currency,
        ):
            # The amount is set by us on the server; a difference means something is wrong.
            logger.error(
                "Checkout session %s does not match donation %s", session["id"], donation.pk
            )
            return donation
        donation.stripe_checkout_session_id = session["id"]
        payment_intent = session.get("payment_intent")
        charge = None
        if isinstance(payment_intent, dict):
            charge = payment_intent.get("latest_charge")
            charge = charge if isinstance(charge, dict) else None
            if payment_intent.get("status") in {"requires_payment_method", "canceled"} and (
                session.get("status") == "complete"
            ):
                # A delayed payment method (bank debit…) failed after the session completed.
                if _advance(donation, Donation.Status.FAILED):
                    donation.save()
                return donation
        if session.get("payment_status") == "paid":
            if _advance(donation, Donation.Status.PAID):
                donation.paid_at = timezone.now()
                donation.stripe_payment_intent_id = _id(payment_intent) or None
                donation.stripe_charge_id = _id(charge) if charge else ""
                donation.save(
                    update_fields=[
                        "status",
                        "paid_at",
                        "stripe_checkout_session_id",
                        "stripe_payment_intent_id",
                        "stripe_charge_id",
                    ]
                )
                _paid_donation_book(donation, charge=charge)
                if charge and charge.get("amount_refunded"):
                    # A refund happened before we heard of the payment: catch up after commit.
                    charge_id = charge["id"]
                    transaction.on_commit(lambda: _refunds_sync_quietly(charge_id))
        elif session.get("status") == "expired" and _advance(donation, Donation.Status.EXPIRED):
            donation.save()
        return donation


def donation_fulfil(*, session_id: str) -> Donation | MonthlyGift | None:
    """Record a Checkout Session's outcome: idempotent, concurrency-safe, order-independent.

    Raises ``stripe_gateway.StripeUnavailable`` if Stripe cannot be asked (nothing changes).
    """
    try:
        session = gateway.checkout_session_get(session_id, expand=SESSION_EXPAND)
    except gateway.StripeRefused:
        logger.info("Checkout session %s is unknown to Stripe", session_id)
        return None
    return _session_apply(session)


# --------------------------------------------------------------------------------------
# Refunds and disputes (R59)
# --------------------------------------------------------------------------------------


def _donation_for_payment(*, payment_intent_id: str, charge_id: str = "") -> Donation | None:
    """The donation a payment belongs to, fulfilling it first if we had not heard yet."""
    donation = None
    if payment_intent_id:
        donation = Donation.objects.filter(stripe_payment_intent_id=payment_intent_id).first()
    if donation is None and charge_id:
        donation = Donation.objects.filter(stripe_charge_id=charge_id).first()
    if donation is None and payment_intent_id:
        payment_intent = gateway.payment_intent_get(payment_intent_id)
        donation_id = (payment_intent.get("metadata") or {}).get("donation_id")
        try:
            donation = (
                Donation.objects.filter(pk=UUID(donation_id)).first() if donation_id else None
            )
        except ValueError:
            donation = None
    if donation is not None and not donation.is_paid and donation.stripe_checkout_session_id:
        # e.g. charge.refunded arrived before checkout.session.completed.
        donation_fulfil(session_id=donation.stripe_checkout_session_id)
        donation.refresh_from_db()
    return donation


def _refunds_sync_quietly(charge_id: str) -> None:
    try:
        donation_refunds_sync(charge_id=charge_id)
    except gateway.StripeUnavailable:
        logger.warning("Refunds of charge %s left for reconciliation", charge_id)


def donation_refunds_sync(*, charge_id: str) -> Donation | None:
    """Record every refund Stripe holds for a charge that the ledger does not have yet."""
    charge = gateway.charge_get(charge_id)
    donation = _donation_for_payment(
        payment_intent_id=_id(charge.get("payment_intent")), charge_id=charge_id
    )
    if donation is None:
        logger.info("Charge %s is not one of our donations", charge_id)
        return None
    refunds = [
        refund
        for refund in gateway.refunds_for_charge(charge_id)
        if refund.get("status") in {"succeeded", "pending"}
    ]
    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=donation.pk)
        if not donation.is_paid:
            return donation  # never refund a payment we have not booked; reconcile will
        closed = {fund.pk for fund, _amount in ledger.donation_balances(donation) if fund.is_closed}
        for refund in sorted(refunds, key=lambda item: item.get("created") or 0):
            reason = (refund.get("metadata") or {}).get("reason") or Donation.RefundReason.STRIPE
            entries = ledger.debit(
                donation=donation,
                kind=LedgerEntry.Kind.REFUND,
                amount_minor=refund["amount"],
                stripe_ref=refund["id"],
                reason=reason,
                prefer_funds=closed if reason == Donation.RefundReason.WITHDRAWAL else frozenset(),
            )
            if entries:
                donation.refund_reason = donation.refund_reason or reason
                emails.refund_notice_send(
                    donation, refund_id=refund["id"], amount_minor=refund["amount"], reason=reason
                )
        refunded = sum(refund["amount"] for refund in refunds)
        if refunded >= donation.amount_minor:
            _advance(donation, Donation.Status.PARTIALLY_REFUNDED)
            _advance(donation, Donation.Status.REFUNDED)
        elif refunded > 0:
            _advance(donation, Donation.Status.PARTIALLY_REFUNDED)
        if donation.refund_requested_at and any(
            (refund.get("metadata") or {}).get("reason") == Donation.RefundReason.WITHDRAWAL
            for refund in refunds
        ):
            donation.refund_requested_at = None
        if charge.get("id"):
            donation.stripe_charge_id = donation.stripe_charge_id or charge["id"]
        donation.save()
    return donation


def donation_refund(*, donation: Donation, by, amount_minor: int | None = None) -> int:
    """A refund finance makes from the admin; returns the amount refunded.

    Raises ``RefundNotPossible`` with a reason, or ``DonationsUnavailable``.
    """
    if not donation.is_paid or not donation.stripe_payment_intent_id:
        raise RefundNotPossible(_("Only a paid donation can be refunded."))
    if donation.dispute == Donation.Dispute.OPEN:
        raise RefundNotPossible(_("This payment is disputed: it cannot be refunded meanwhile."))
    refundable = donation_refundable_minor(donation)
    amount = refundable if amount_minor is None else amount_minor
    if not 0 < amount <= refundable:
        raise RefundNotPossible(_("Nothing of this donation can be refunded any more."))
    try:
        refund = gateway.refund_create(
            payment_intent_id=donation.stripe_payment_intent_id,
            amount_minor=amount,
            metadata={"donation_id": str(donation.pk), "reason": Donation.RefundReason.FINANCE},
            # The same refund asked twice (a double click, a retry) is made once.
            idempotency_key=f"refund-{donation.pk}-{refundable}-{amount}",
        )
    except gateway.StripeUnavailable as error:
        raise DonationsUnavailable from error
    except gateway.StripeRefused as error:
        raise RefundNotPossible(str(error)) from error
    logger.info("Donation %s refunded %s by user %s", donation.pk, amount, by.pk)
    with contextlib.suppress(gateway.StripeUnavailable):  # then charge.refunded records it
        donation_refunds_sync(charge_id=_id(refund.get("charge")))
    return amount


def donation_dispute_sync(*, dispute_id: str) -> Donation | None:
    """Record a dispute's current state: money withdrawn when it opens, returned if won."""
    dispute = gateway.dispute_get(dispute_id)
    donation = _donation_for_payment(
        payment_intent_id=_id(dispute.get("payment_intent")), charge_id=_id(dispute.get("charge"))
    )
    if donation is None:
        logger.info("Dispute %s is not about one of our donations", dispute_id)
        return None
    status = dispute.get("status") or ""
    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=donation.pk)
        if not donation.is_paid or status.startswith("warning_"):
            return donation  # an inquiry moves no money
        opened = ledger.debit(
            donation=donation,
            kind=LedgerEntry.Kind.DISPUTE,
            amount_minor=dispute["amount"],
            stripe_ref=dispute_id,
            reason="dispute",
        )
        if opened:
            emails.finance_alert_send(
                subject=gettext_lazy("A donation payment was disputed"),
                donation=donation,
                what=_("The payment of this donation was disputed by the card holder."),
                dedupe_key=f"dispute:{dispute_id}:opened",
            )
        if status == "won":
            ledger.dispute_reverse(donation=donation, dispute_id=dispute_id)
            donation.dispute = Donation.Dispute.WON
        elif status == "lost":
            donation.dispute = Donation.Dispute.LOST
        elif donation.dispute == Donation.Dispute.NONE:
            donation.dispute = Donation.Dispute.OPEN
        donation.save()
    return donation


# --------------------------------------------------------------------------------------
# Monthly gifts
# --------------------------------------------------------------------------------------


def _monthly_activate(gift: MonthlyGift, *, subscription_id: str, customer_id: str) -> None:
    """Mark a (locked) pending monthly gift active; the confirmation email goes once."""
    if gift.status != MonthlyGift.Status.PENDING:
        return
    gift.status = MonthlyGift.Status.ACTIVE
    gift.activated_at = timezone.now()
    gift.stripe_subscription_id = subscription_id or gift.stripe_subscription_id
    gift.stripe_customer_id = customer_id or gift.stripe_customer_id
    gift.save()
    emails.monthly_confirmation_send(gift)


def _monthly_gift_locked(*, gift_id: str | None, subscription_id: str = "", session_id: str = ""):
    query = Q(pk__in=[])
    if gift_id:
        with contextlib.suppress(ValueError):  # not a UUID: not one of ours
            query |= Q(pk=UUID(gift_id))
    if subscription_id:
        query |= Q(stripe_subscription_id=subscription_id)
    if session_id:
        query |= Q(stripe_checkout_session_id=session_id)
    return MonthlyGift.objects.select_for_update().filter(query).first()


def _monthly_session_apply(session: dict) -> MonthlyGift | None:
    with transaction.atomic():
        gift = _monthly_gift_locked(
            gift_id=(session.get("metadata") or {}).get("monthly_gift_id"),
            session_id=session["id"],
        )
        if gift is None:
            return None
        if session.get("payment_status") in {"paid", "no_payment_required"}:
            gift.stripe_checkout_session_id = session["id"]
            _monthly_activate(
                gift,
                subscription_id=_id(session.get("subscription")),
                customer_id=_id(session.get("customer")),
            )
        return gift


def monthly_instalment_record(*, invoice_id: str) -> Donation | None:
    """One paid month of a monthly gift: a paid donation to the general fund and a receipt."""
    invoice = gateway.invoice_get(invoice_id)
    if invoice.get("status") != "paid":
        return None
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    subscription_id = _id(details.get("subscription"))
    payments = ((invoice.get("payments") or {}).get("data")) or []
    payment_intent_id = next(
        (
            _id((payment.get("payment") or {}).get("payment_intent"))
            for payment in payments
            if (payment.get("payment") or {}).get("payment_intent")
        ),
        "",
    )
    with transaction.atomic():
        gift = _monthly_gift_locked(
            gift_id=(details.get("metadata") or {}).get("monthly_gift_id"),
            subscription_id=subscription_id,
        )
        if gift is None:
            logger.info("Invoice %s is not for one of our monthly gifts", invoice_id)
            return None
        _monthly_activate(
            gift, subscription_id=subscription_id, customer_id=_id(invoice.get("customer"))
        )
        if gift.stripe_subscription_id != subscription_id and subscription_id:
            gift.stripe_subscription_id = subscription_id
            gift.save(update_fields=["stripe_subscription_id"])
        amount = invoice.get("amount_paid") or 0
        currency = (invoice.get("currency") or gift.currency).upper()
        if amount <= 0:
            return None
        existing = Donation.objects.filter(stripe_invoice_id=invoice_id).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                donation = Donation.objects.create(
                    frequency=Donation.Frequency.MONTHLY,
                    monthly_gift=gift,
                    target=ledger.general_fund(),
                    amount_minor=amount,
                    currency=currency,
                    email=gift.email,
                    language=gift.language,
                    status=Donation.Status.PAID,
                    paid_at=timezone.now(),
                    stripe_invoice_id=invoice_id,
                    stripe_payment_intent_id=payment_intent_id or None,
                )
        except IntegrityError:
            return Donation.objects.filter(stripe_invoice_id=invoice_id).first()
        _paid_donation_book(donation, charge=None)
    return donation


def monthly_gift_cancel_sync(*, subscription_id: str) -> MonthlyGift | None:
    subscription = gateway.subscription_get(subscription_id)
    with transaction.atomic():
        gift = _monthly_gift_locked(
            gift_id=(subscription.get("metadata") or {}).get("monthly_gift_id"),
            subscription_id=subscription_id,
        )
        if gift is None or subscription.get("status") != "canceled":
            return gift
        if gift.status != MonthlyGift.Status.CANCELLED:
            gift.status = MonthlyGift.Status.CANCELLED
            gift.cancelled_at = timezone.now()
            gift.save()
        return gift


@transaction.atomic
def monthly_manage_link_request(*, email: str, language: str) -> None:
    """Email links to manage the address's monthly gifts. Says nothing to the caller, so the
    page answers the same whether or not the address gives monthly."""
    from cms.donations.selectors import monthly_gifts_for_email

    gifts = list(monthly_gifts_for_email(email))
    if gifts:
        emails.manage_link_send(email=gifts[0].email, language=language, gifts=gifts)


def monthly_manage_portal_url(*, token: str, language: str) -> str | None:
    """The Stripe billing portal for the monthly gift in a manage link, or ``None`` if the
    link is not genuine, too old or the gift has ended. Raises ``DonationsUnavailable``."""
    gift_id = emails.manage_token_read(token)
    gift = (
        MonthlyGift.objects.filter(pk=gift_id, status=MonthlyGift.Status.ACTIVE).first()
        if gift_id
        else None
    )
    if gift is None or not gift.stripe_customer_id:
        return None
    try:
        portal = gateway.billing_portal_session_create(
            customer_id=gift.stripe_customer_id,
            return_url=emails.url_in(language, "donations:manage"),
        )
    except (gateway.StripeUnavailable, gateway.StripeRefused) as error:
        raise DonationsUnavailable from error
    return portal["url"]


# --------------------------------------------------------------------------------------
# Withdrawal of a story (DESIGN.md §1 rule 2): money is never lost
# --------------------------------------------------------------------------------------


def _withdrawal_apply(donation: Donation, *, closed: set[int]) -> None:
    """Apply the donor's choice to what a (locked) donation holds in closed funds."""
    held = sum(amount for fund, amount in ledger.donation_balances(donation) if fund.pk in closed)
    if held <= 0:
        return
    refundable = (
        donation.on_withdrawal == WithdrawalChoice.REFUND
        and donation.frequency == Donation.Frequency.ONE_OFF
        and donation.stripe_payment_intent_id
        and donation.dispute in {Donation.Dispute.NONE, Donation.Dispute.WON}
    )
    if refundable:
        donation.refund_requested_at = timezone.now()
        donation.save(update_fields=["refund_requested_at"])
        donation_id = donation.pk
        transaction.on_commit(
            lambda: donation_withdrawal_refund(donation_id=donation_id), robust=True
        )
        return
    moved = ledger.donation_move_out_of(
        donation=donation, funds=closed, destination=ledger.general_fund(), reason="withdrawal"
    )
    if moved:
        emails.withdrawal_reallocated_send(donation, amount_minor=moved)


def funds_withdraw(*, need_keys: set[UUID], story_keys: set[UUID], reason: str) -> None:
    """A story was withdrawn or its consent expired: close its funds, expire open checkouts
    (after commit), and move or refund every gift in them as each donor chose.

    Runs in the withdrawal's transaction (``stories.signals.story_withdrawn``).
    """
    funds = list(
        Fund.objects.select_for_update()
        .filter(
            Q(kind=Fund.Kind.NEED, key__in=list(need_keys))
            | Q(kind=Fund.Kind.STORY, key__in=list(story_keys))
        )
        .order_by("pk")
    )
    if not funds:
        return
    now = timezone.now()
    closed = {fund.pk for fund in funds}
    Fund.objects.filter(pk__in=closed, closed_at__isnull=True).update(
        closed_at=now, closed_reason=reason
    )
    # Never to be shown now, and they may name the storyteller: deleted, not kept.
    HopeMessage.objects.filter(fund__in=closed).delete()
    open_sessions = list(
        Donation.objects.filter(target__in=closed, status=Donation.Status.PENDING)
        .exclude(stripe_checkout_session_id=None)
        .values_list("stripe_checkout_session_id", flat=True)
    )
    if open_sessions:
        transaction.on_commit(
            lambda: checkout_sessions_expire(session_ids=open_sessions), robust=True
        )
    holders = Donation.objects.filter(ledger_entries__fund__in=closed).distinct().order_by("pk")
    for donation in (
        Donation.objects.select_for_update().filter(pk__in=holders.values("pk")).order_by("pk")
    ):
        _withdrawal_apply(donation, closed=closed)
    logger.info("Funds %s closed (%s)", sorted(closed), reason)


def checkout_sessions_expire(*, session_ids: list[str]) -> None:
    """Stop open checkouts from taking money for a withdrawn story. A session that was paid
    meanwhile is fulfilled (its webhook does the same) and then follows the donor's choice."""
    for session_id in session_ids:
        try:
            gateway.checkout_session_expire(session_id)
        except gateway.StripeRefused:
            pass  # already completed or expired
        except gateway.StripeUnavailable:
            logger.warning(
                "Checkout %s not expired (Stripe unavailable): it lapses on its own", session_id
            )
            continue
        try:
            donation_fulfil(session_id=session_id)
        except gateway.StripeUnavailable:
            continue


def _withdrawal_refund_refused(donation: Donation) -> None:
    """Stripe would not refund: perhaps it already was (in Stripe's dashboard) — then record
    that; otherwise (too old, disputed…) the money goes to the general fund rather than stay
    with a withdrawn story."""
    if donation.stripe_charge_id:
        with contextlib.suppress(gateway.StripeUnavailable, gateway.StripeRefused):
            donation_refunds_sync(charge_id=donation.stripe_charge_id)
    with transaction.atomic():
        locked = Donation.objects.select_for_update().get(pk=donation.pk)
        locked.refund_requested_at = None
        locked.on_withdrawal = WithdrawalChoice.GENERAL
        locked.save(update_fields=["refund_requested_at", "on_withdrawal"])
        closed = {fund.pk for fund, _amount in ledger.donation_balances(locked) if fund.is_closed}
        _withdrawal_apply(locked, closed=closed)


def donation_withdrawal_refund(*, donation_id: UUID) -> None:
    """Make the refund a donor asked for when their story was withdrawn (after commit, and
    again from the reconciliation until it is done)."""
    donation = Donation.objects.select_related("target").filter(pk=donation_id).first()
    if donation is None or donation.refund_requested_at is None:
        return
    closed = {fund.pk for fund, _amount in ledger.donation_balances(donation) if fund.is_closed}
    held = sum(amount for fund, amount in ledger.donation_balances(donation) if fund.pk in closed)
    if held <= 0:
        Donation.objects.filter(pk=donation.pk).update(refund_requested_at=None)
        return
    try:
        refund = gateway.refund_create(
            payment_intent_id=donation.stripe_payment_intent_id,
            amount_minor=held,
            metadata={"donation_id": str(donation.pk), "reason": Donation.RefundReason.WITHDRAWAL},
            idempotency_key=f"refund-{donation.pk}-withdrawal-{held}",
        )
    except gateway.StripeUnavailable:
        logger.warning("Withdrawal refund of donation %s left for reconciliation", donation.pk)
        return
    except gateway.StripeRefused as error:
        logger.warning("Withdrawal refund of donation %s refused: %s", donation.pk, error.code)
        _withdrawal_refund_refused(donation)
        return
    with contextlib.suppress(gateway.StripeUnavailable):  # then charge.refunded records it
        donation_refunds_sync(charge_id=_id(refund.get("charge")))


# --------------------------------------------------------------------------------------
# Messages of hope and outcome updates
# --------------------------------------------------------------------------------------


class HopeMessageBlocked(Exception):
    """A message with blocking findings cannot be approved; ``kinds`` names them (never
    the text)."""

    def __init__(self, kinds: list[str]):
        self.kinds = kinds
        super().__init__(", ".join(kinds))


def _hope_message_findings_now(message: HopeMessage) -> list[dict]:
    """What the scanner finds now. A campaign wall message (no gift) is scanned again
    against every storyteller's current terms (``campaigns.scanning``); others keep the
    findings of their submission."""
    if (
        message.fund.kind == Fund.Kind.CAMPAIGN
        and message.donation_id is None
        and message.monthly_gift_id is None
    ):
        from campaigns.scanning import message_findings

        message.findings = message_findings(text=message.text, display_name=message.display_name)
        HopeMessage.objects.filter(pk=message.pk).update(findings=message.findings)
    return message.findings


def hope_message_moderate(*, message: HopeMessage, approve: bool, by) -> HopeMessage:
    """Approve a message for public display, or reject it (its text is then deleted).

    Approval is refused (``HopeMessageBlocked``) while the scanner reports blocking
    findings, such as a phone number or a storyteller's name: such a message is never shown.
    """
    if message.status == HopeMessage.Status.REJECTED:
        return message  # nothing left to approve
    if approve:
        findings = _hope_message_findings_now(message)
        if blocking := sorted(
            {f.get("kind", "") for f in findings if f.get("severity") == "blocking"}
        ):
            raise HopeMessageBlocked(blocking)
    message.status = HopeMessage.Status.APPROVED if approve else HopeMessage.Status.REJECTED
    message.moderated_by = by
    message.moderated_at = timezone.now()
    if not approve:
        # Nothing rejected is kept: it may hold the very personal data it was rejected for.
        message.text = message.display_name = ""
    message.save(update_fields=["status", "moderated_by", "moderated_at", "text", "display_name"])
    return message


def story_updates_announce(*, page) -> int:
    """Email a story's donors about outcome updates they have not heard of; returns how many
    emails were queued. Only while the story is public and its consent covers donor emails."""
    from stories.consent import publication_blockers
    from stories.models import ConsentRecord, StoryNeed

    consent = page.storyteller.current_consent
    if (
        not page.live
        or consent is None
        or ConsentRecord.Channel.DONOR_EMAIL not in consent.channels
        or publication_blockers(page)
    ):
        return 0
    updates = [
        update
        for update in page.updates.all()
        if not StoryUpdateNotice.objects.filter(update_key=update.translation_key).exists()
    ]
    if not updates:
        return 0
    need_keys = set(
        StoryNeed.objects.filter(page__translation_key=page.translation_key).values_list(
            "translation_key", flat=True
        )
    )
    donors = story_donor_addresses(story_key=page.translation_key, need_keys=need_keys)
    queued = 0
    for update in updates:
        try:
            with transaction.atomic():
                StoryUpdateNotice.objects.create(
                    update_key=update.translation_key,
                    story_key=page.translation_key,
                    recipients=len(donors),
                )
        except IntegrityError:
            continue  # another locale's publication announced it
        for email, language in donors.items():
            with translation.override(language):
                emails.story_update_send(
                    email=email,
                    language=language,
                    story_key=page.translation_key,
                    update_key=update.translation_key,
                    purpose=_("a survivor's story"),
                )
            queued += 1
    return queued
