"""Delivering the outbox through Django's mail API (anymail in production), with retries.

Anymail raises on failure and never retries, so this does: a message that fails is tried
again after 1, 2, 4 … minutes (``EMAIL_OUTBOX_FIRST_RETRY_SECONDS`` doubled each time) until
``EMAIL_OUTBOX_MAX_ATTEMPTS``, then it is dead-lettered and logged as an error. A refusal that
cannot get better by waiting (invalid or refused recipient, another 4xx from the provider) is
dead-lettered at once.

Each message is sent inside its own short transaction that holds its row lock
(``SKIP LOCKED``), so several workers never send the same message twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from anymail.exceptions import (
    AnymailAPIError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
)
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from cms.emails.models import OutboxMessage

logger = logging.getLogger(__name__)

# Provider answers that mean "this will never work": waiting and retrying cannot help.
_RETRYABLE_CLIENT_ERRORS = {408, 409, 425, 429}


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, AnymailRecipientsRefused | AnymailInvalidAddress):
        return True
    status = getattr(error, "status_code", None)
    return (
        isinstance(error, AnymailAPIError)
        and status is not None
        and 400 <= status < 500
        and status not in _RETRYABLE_CLIENT_ERRORS
    )


def _describe(error: Exception) -> str:
    status = getattr(error, "status_code", None)
    name = type(error).__name__
    return f"{name} (HTTP {status})" if status else name


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4 … minutes."""
    return timedelta(seconds=settings.EMAIL_OUTBOX_FIRST_RETRY_SECONDS * 2 ** (attempts - 1))


def _deliver(message: OutboxMessage, connection) -> str:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.to],
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    # Anymail reads these; other backends ignore them. Opaque values only.
    email.tags = list(message.tags)
    email.metadata = {"outbox_id": str(message.pk)}
    email.send()
    status = getattr(email, "anymail_status", None)
    return str(getattr(status, "message_id", "") or "")


def outbox_send_one(*, message_id: int, now: datetime | None = None, connection=None) -> str:
    """Try to send one due message; returns its status afterwards ("" if it was not due)."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return ""
        message.attempts += 1
        try:
            message.provider_message_id = _deliver(message, connection or get_connection())
        except Exception as error:  # any failure of the provider: classify, never crash
            message.last_error = _describe(error)[:200]
            if _is_permanent(error) or message.attempts >= settings.EMAIL_OUTBOX_MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.DEAD
                logger.error(
                    "Email %s (%s) given up after %d attempt(s): %s",
                    message.pk,
                    message.template,
                    message.attempts,
                    message.last_error,
                )
            else:
                message.next_attempt_at = now + retry_delay(message.attempts)
                logger.warning(
                    "Email %s failed (%s); attempt %d, next at %s",
                    message.pk,
                    message.last_error,
                    message.attempts,
                    message.next_attempt_at.isoformat(),
                )
        else:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = now
            message.last_error = ""
        message.save()
        return message.status


def outbox_send_due(*, now: datetime | None = None, limit: int = 200) -> SendReport:
    """Send every message that is due, oldest first; returns what happened."""
    now = now or timezone.now()
    report = SendReport()
    due = list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
        ).values_list("pk", flat=True)[:limit]
    )
    if not due:
        return report
    connection = get_connection()
    for message_id in due:
        status = outbox_send_one(message_id=message_id, now=now, connection=connection)
        if status == OutboxMessage.Status.SENT:
            report.sent += 1
        elif status == OutboxMessage.Status.DEAD:
            report.dead += 1
        elif status == OutboxMessage.Status.PENDING:
            report.retrying += 1
    if report.retrying:
        _schedule_retry()
    return report


def _schedule_retry() -> None:
    """With a backend that can defer tasks (django-tasks-db), wake up for the next retry."""
    from cms.emails.tasks import outbox_send_task

    if not outbox_send_task.get_backend().supports_defer:
        return  # `manage.py send_outbox` on a timer picks retries up
    next_at = (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if next_at is not None:
        outbox_send_task.using(run_after=max(next_at, timezone.now())).enqueue()


def outbox_prune(*, now: datetime | None = None) -> int:
    """Delete sent and dead messages older than the retention period; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EMAIL_OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.DEAD], created_at__lt=cutoff
    ).delete()
    return deleted
