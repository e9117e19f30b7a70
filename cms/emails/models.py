"""The outbox: every email the site sends is a row here first (security-requirements R66).

A message is written in the same transaction as whatever caused it (a paid donation, a
refund), so it exists exactly when its cause does, and is sent afterwards by
``cms/emails/sender.py`` with retries. Rows hold a recipient address and rendered text, so
they are deleted ``EMAIL_OUTBOX_RETENTION_DAYS`` after they are sent or given up.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Given up")

    created_at = models.DateTimeField(auto_now_add=True)
    to = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=10)
    # Which template it was rendered from ("donations/emails/receipt"): for reports, never
    # for re-rendering (the context is not kept).
    template = models.CharField(max_length=120)
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # The same key twice is one message: "donation:<uuid>:receipt" is sent once however many
    # times the webhook that causes it is delivered.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    # Opaque labels for the provider's reports (never a name or an address).
    tags = models.JSONField(default=list, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The error's class and status code only: provider messages can echo the address.
    last_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="emails_outbox_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} #{self.pk} ({self.status})"
