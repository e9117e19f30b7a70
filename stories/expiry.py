"""Consent that runs out takes the story down; case workers hear 30 days before.

Run hourly (``manage.py expire_consents`` or the ``consents_expire_task`` task). Between runs
``StoryPage.serve()`` already answers 410 for a story whose consent is no longer current.
"""

from datetime import date, timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from stories.models import ConsentRecord, ConsentReminder, Storyteller
from stories.takedown import story_takedown

REMINDER_DAYS = 30


def _current_versions():
    """The latest consent version of each storyteller, in one query."""
    latest = (
        ConsentRecord.objects.filter(storyteller=OuterRef("storyteller"))
        .order_by("-version")
        .values("version")[:1]
    )
    return ConsentRecord.objects.filter(version=Subquery(latest))


def consents_expire(*, today: date | None = None) -> list[str]:
    """Take down every live story whose consent is no longer current; return case codes."""
    today = today or timezone.localdate()
    taken_down = []
    storytellers = Storyteller.objects.filter(story_pages__live=True).distinct()
    for storyteller in storytellers:
        consent = storyteller.current_consent
        if consent is not None and consent.is_withdrawn:
            reason = "withdrawn"
        elif consent is None or not consent.is_current(today):
            reason = "expired"
        else:
            continue
        with transaction.atomic():
            story_takedown(storyteller=storyteller, by=None, reason=reason)
        taken_down.append(storyteller.case_code)
    return taken_down


def consent_reminders_send(*, today: date | None = None) -> int:
    """Remind assigned case workers, once per consent version, 30 days before expiry."""
    today = today or timezone.localdate()
    due = (
        _current_versions()
        .filter(
            withdrawn_at=None,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=REMINDER_DAYS),
            expiry_reminder=None,
        )
        .select_related("storyteller")
    )
    sent = 0
    for consent in due:
        recipients = [user.email for user in consent.storyteller.case_workers.all() if user.email]
        with transaction.atomic():
            ConsentReminder.objects.create(consent=consent)
            if recipients:
                code, day = consent.storyteller.case_code, consent.expires_on.isoformat()
                transaction.on_commit(
                    lambda code=code, day=day, recipients=recipients: send_mail(
                        _("Consent for %(code)s expires on %(day)s") % {"code": code, "day": day},
                        _(
                            "The consent recorded for %(code)s expires on %(day)s. Ask the "
                            "storyteller again and record a new version, or the story will be "
                            "taken down that day."
                        )
                        % {"code": code, "day": day},
                        None,
                        recipients,
                        fail_silently=True,
                    )
                )
        sent += 1
    return sent
