"""Writing to the outbox. Other apps call ``email_enqueue`` and never send mail themselves."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from cms.emails.models import OutboxMessage

logger = logging.getLogger(__name__)


def email_render(*, template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """``<template>.txt`` (required) and ``<template>.html`` (optional), in ``language``."""
    with translation.override(language):
        text = render_to_string(f"{template}.txt", context).strip() + "\n"
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = ""
    return text, html


def email_enqueue(
    *,
    to: str,
    subject: Any,
    template: str,
    context: dict[str, Any],
    language: str,
    dedupe_key: str | None = None,
    tags: Iterable[str] = (),
) -> OutboxMessage | None:
    """Put a message in the outbox, rendered now in the recipient's ``language``.

    Call it inside the transaction that causes the message: it is sent only if that commits.
    ``subject`` may be a lazy translation; it is evaluated in ``language``. With a
    ``dedupe_key`` already used, nothing is added and ``None`` is returned.
    """
    text, html = email_render(template=template, context=context, language=language)
    with translation.override(language):
        subject_text = " ".join(str(subject).split())
    try:
        # A savepoint: a concurrent twin with the same key must not break the caller's
        # transaction, only lose the race.
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                to=to,
                language=language,
                template=template,
                subject=subject_text[:250],
                body_text=text,
                body_html=html,
                dedupe_key=dedupe_key or None,
                tags=list(tags),
            )
    except IntegrityError:
        return None
    transaction.on_commit(_send_soon, robust=True)  # see stories/receivers.py
    return message


def _send_soon() -> None:
    from cms.emails.tasks import outbox_send_task

    try:
        outbox_send_task.enqueue()
    except Exception:
        # The message is safe in the outbox; `send_outbox` (or the next enqueue) sends it.
        logger.exception("Could not queue the outbox task")
