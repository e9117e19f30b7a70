"""Donations, monthly gifts, the funds money is given to, and the append-only ledger.

What is stored where, and why:

- ``Fund`` is what money is given to: the general survivor fund, a story's general needs, one
  need, or a campaign. Stories, needs and campaigns are named by their ``translation_key``
  (shared by every locale's copy of the page or need), never by a row id, so a translation is
  the same fund and an erased story leaves its ledger behind with the link cut.
- ``Donation`` is one payment: a one-off gift, or one month of a monthly gift. Its id is an
  opaque UUID, the only thing Stripe's metadata and our idempotency keys carry.
- ``MonthlyGift`` is a standing monthly gift (a Stripe subscription) to the general fund.
- ``LedgerEntry`` rows say where every minor unit is: gifts, refunds, disputes, fees and
  reallocations. Funded amounts and progress bars are sums of it (``selectors.py``); it is
  append-only (model, queryset and a PostgreSQL trigger).
- ``HopeMessage`` is what a donor asked to show publicly (a display name, a message, both),
  held for moderation and scanned for personal data; finance never needs it, moderators
  never see money.
- ``ProcessedStripeEvent`` records each webhook event id in the same transaction as its
  effect: a duplicate delivery finds it and does nothing. No payload is kept (it holds donor
  details).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.donations.currencies import CURRENCY_CHOICES


class Fund(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("General survivor fund")
        STORY = "story", _("A story's general needs")
        NEED = "need", _("A need")
        CAMPAIGN = "campaign", _("A campaign")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # translation_key of the story page, need or campaign page; empty for the general fund.
    key = models.UUIDField(_("key"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the story behind it is withdrawn or expires: no new money stays here.
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"], name="donations_one_fund_per_target", nulls_distinct=False
            ),
            models.CheckConstraint(
                condition=models.Q(kind="general", key__isnull=True)
                | (~models.Q(kind="general") & models.Q(key__isnull=False)),
                name="donations_fund_key_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        # Opaque on purpose: labels with titles come from selectors.fund_label().
        return self.kind if self.key is None else f"{self.kind}:{self.key}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class WithdrawalChoice(models.TextChoices):
    GENERAL = "general", _("Give it to the general survivor fund")
    REFUND = "refund", _("Refund it to me")


class MonthlyGift(models.Model):
    """A standing monthly gift to the general survivor fund (a Stripe subscription)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the first payment")
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Ended")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    email = models.EmailField(_("donor email"))
    language = models.CharField(_("language"), max_length=10)
    amount_minor = models.PositiveBigIntegerField(_("monthly amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Stripe ids are unique once known and NULL until then ("" would collide). DJ001 assumes
    # "" is always a fine empty value; for unique ids it is not.
    stripe_checkout_session_id = models.CharField(max_length=255, unique=True, null=True)  # noqa: DJ001
    stripe_subscription_id = models.CharField(max_length=255, unique=True, null=True)  # noqa: DJ001
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("monthly gift")

    def __str__(self) -> str:
        return f"Monthly gift {self.pk}"


class Donation(models.Model):
    """One payment: a one-off gift, or one month of a ``MonthlyGift``."""

    class Frequency(models.TextChoices):
        ONE_OFF = "one_off", _("One-off")
        MONTHLY = "monthly", _("Monthly")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")
        REFUNDED = "refunded", _("Refunded")
        FAILED = "failed", _("Payment failed")
        EXPIRED = "expired", _("Checkout expired")

    class Dispute(models.TextChoices):
        NONE = "", _("None")
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    class RefundReason(models.TextChoices):
        NONE = "", _("None")
        WITHDRAWAL = "withdrawal", _("The story was withdrawn")
        FINANCE = "finance", _("Refunded by finance")
        STRIPE = "stripe", _("Refunded at Stripe")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.ONE_OFF
    )
    # What the donor chose to give to; the ledger says where the money is now.
    target = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="donations", verbose_name=_("given to")
    )
    amount_minor = models.PositiveBigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    email = models.EmailField(_("donor email"))
    language = models.CharField(_("language"), max_length=10)
    on_withdrawal = models.CharField(
        _("if the story is withdrawn"),
        max_length=10,
        choices=WithdrawalChoice.choices,
        default=WithdrawalChoice.GENERAL,
    )
    updates_opt_in = models.BooleanField(_("wants outcome updates"), default=False)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    dispute = models.CharField(
        _("dispute"), max_length=10, choices=Dispute.choices, default="", blank=True
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    refund_reason = models.CharField(
        max_length=20, choices=RefundReason.choices, default="", blank=True
    )
    # Set while a refund the donor asked for (on withdrawal) waits to be made at Stripe; the
    # reconciliation retries it until it is.
    refund_requested_at = models.DateTimeField(null=True, blank=True)

    monthly_gift = models.ForeignKey(
        MonthlyGift,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    # Unique once known, NULL until then (see MonthlyGift).
    stripe_checkout_session_id = models.CharField(max_length=255, unique=True, null=True)  # noqa: DJ001
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True)  # noqa: DJ001
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_invoice_id = models.CharField(max_length=255, unique=True, null=True)  # noqa: DJ001

    class Meta:
        ordering = ["-created_at"]
        permissions = [("refund_donation", "Can refund donations")]

    def __str__(self) -> str:
        return f"Donation {self.pk}"

    @property
    def is_paid(self) -> bool:
        return self.status in {
            self.Status.PAID,
            self.Status.PARTIALLY_REFUNDED,
            self.Status.REFUNDED,
        }


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("The ledger is append-only: add a correcting entry."))

    def delete(self):
        raise ValidationError(_("The ledger is append-only: add a correcting entry."))


class LedgerEntry(models.Model):
    """One movement of money into or out of a fund, in integer minor units (signed)."""

    class Kind(models.TextChoices):
        GIFT = "gift", _("Gift")
        REFUND = "refund", _("Refund")
        DISPUTE = "dispute", _("Dispute (funds withdrawn)")
        DISPUTE_REVERSAL = "dispute_reversal", _("Dispute won (funds returned)")
        FEE = "fee", _("Processing fee")
        REALLOCATION_OUT = "reallocation_out", _("Moved out")
        REALLOCATION_IN = "reallocation_in", _("Moved in")

    # The sign each kind must have: a gift adds to a fund, a refund takes from it…
    POSITIVE = frozenset({Kind.GIFT, Kind.DISPUTE_REVERSAL, Kind.REALLOCATION_IN})

    created_at = models.DateTimeField(_("recorded"), auto_now_add=True, db_index=True)
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="entries", verbose_name=_("fund")
    )
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    # The Stripe object behind it (refund, dispute, balance transaction), for reconciliation.
    stripe_ref = models.CharField(max_length=255, blank=True)
    # Why, as a short code: "overflow" (the need was met), "withdrawal", "finance"…
    reason = models.CharField(max_length=20, blank=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["fund", "currency"], name="donations_ledger_fund")]
        constraints = [
            # A donation is given once, however often its webhook arrives.
            models.UniqueConstraint(
                fields=["donation"],
                condition=models.Q(kind="gift"),
                name="donations_ledger_one_gift_per_donation",
            ),
            models.UniqueConstraint(
                fields=["donation"],
                condition=models.Q(kind="fee"),
                name="donations_ledger_one_fee_per_donation",
            ),
            # Each Stripe refund or dispute is recorded once per fund it is taken from.
            models.UniqueConstraint(
                fields=["kind", "stripe_ref", "fund"],
                condition=~models.Q(stripe_ref=""),
                name="donations_ledger_one_entry_per_stripe_object",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind__in=["gift", "dispute_reversal", "reallocation_in"],
                        amount_minor__gt=0,
                    )
                    | models.Q(
                        kind__in=["refund", "dispute", "fee", "reallocation_out"],
                        amount_minor__lt=0,
                    )
                ),
                name="donations_ledger_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_minor} {self.currency}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("The ledger is append-only: add a correcting entry."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The ledger is append-only: add a correcting entry."))


class HopeMessage(models.Model):
    """What a donor asked to show publicly with their gift: a display name, a message of
    hope, or both. Nobody sees it before a moderator approved it, and moderators see it only
    once the gift is paid (``selectors.hope_messages_for_moderation``). A rejected message
    loses its text, and the messages to a withdrawn story are deleted: donors sometimes
    write a survivor's real name."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected (text deleted)")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    donation = models.OneToOneField(
        Donation, on_delete=models.CASCADE, null=True, blank=True, related_name="hope_message"
    )
    monthly_gift = models.OneToOneField(
        MonthlyGift, on_delete=models.CASCADE, null=True, blank=True, related_name="hope_message"
    )
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    text = models.TextField(_("message"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # Kinds of personal data the scanner found ("phone", "name"…), never the text matched.
    findings = models.JSONField(_("scanner findings"), default=list, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message of hope")
        verbose_name_plural = _("messages of hope")
        permissions = [("moderate_hopemessage", "Can approve or reject messages of hope")]

    def __str__(self) -> str:
        return f"Message {self.pk}"


class ProcessedStripeEvent(models.Model):
    """A Stripe webhook event whose effect is committed. Only ids: no payload, no PII."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    processed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-processed_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class StoryUpdateNotice(models.Model):
    """An outcome update whose donors were told, keyed by the update's translation key, so
    each update is announced once whatever locale is published or republished."""

    update_key = models.UUIDField(unique=True)
    story_key = models.UUIDField(db_index=True)
    notified_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Update {self.update_key}"
