"""Writes to the private storyteller records. Keyword-only, one function per action.

Reads of identifying data (a term revealed, evidence downloaded) are also actions here,
because each one must leave a row in the append-only access log.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from stories.models import AccessLogEntry, ConsentRecord, IdentifyingTerm, Storyteller
from stories.takedown import story_takedown, story_takedown_out_of_scope


def _require_assigned(*, storyteller: Storyteller, user) -> None:
    """Only a case worker assigned to this storyteller may see identifying detail.

    Superusers are not exempt: being an administrator is not a reason to know who a
    survivor is.
    """
    if not storyteller.is_assigned(user):
        raise PermissionDenied


def identifying_term_add(*, storyteller: Storyteller, kind: str, value: str, by) -> IdentifyingTerm:
    term = IdentifyingTerm(storyteller=storyteller, kind=kind, added_by=by)
    term.value = value
    term.save()
    return term


@transaction.atomic
def identifying_term_reveal(*, term: IdentifyingTerm, by) -> str:
    """The plain term, for an assigned case worker; the reveal is logged first."""
    _require_assigned(storyteller=term.storyteller, user=by)
    AccessLogEntry.objects.create(
        actor=by,
        action=AccessLogEntry.Action.REVEAL_TERM,
        storyteller_code=term.storyteller.case_code,
        object_id=term.pk,
    )
    return term.value


@transaction.atomic
def consent_record(
    *,
    storyteller: Storyteller,
    by,
    granted_on: date,
    expires_on: date,
    evidence: File | None = None,
    **scope,
) -> ConsentRecord:
    """Record a new version of consent. Earlier versions stay as they were."""
    record = ConsentRecord(
        storyteller=storyteller,
        recorded_by=by,
        granted_on=granted_on,
        expires_on=expires_on,
        **scope,
    )
    if evidence is not None:
        record.evidence.save(evidence.name, evidence, save=False)
    record.full_clean(exclude=["version"])
    record.save()
    # A narrower consent takes down what it no longer covers, in the same transaction.
    story_takedown_out_of_scope(storyteller=storyteller, by=by)
    return record


@transaction.atomic
def consent_evidence_open(*, record: ConsentRecord, by) -> File:
    """The decrypted evidence file, for an assigned case worker; the download is logged."""
    _require_assigned(storyteller=record.storyteller, user=by)
    AccessLogEntry.objects.create(
        actor=by,
        action=AccessLogEntry.Action.DOWNLOAD_EVIDENCE,
        storyteller_code=record.storyteller.case_code,
        object_id=record.pk,
    )
    return record.evidence.open("rb")


@transaction.atomic
def consent_withdraw(*, storyteller: Storyteller, by) -> ConsentRecord | None:
    """Record that the storyteller withdrew consent. Nothing of theirs stays public.

    Every page of the storyteller, in every locale, is taken down in the same transaction
    (``stories/takedown.py``).
    """
    consent = storyteller.current_consent
    if consent is not None and not consent.is_withdrawn:
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = by
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    story_takedown(storyteller=storyteller, by=by, reason="withdrawn")
    return consent
