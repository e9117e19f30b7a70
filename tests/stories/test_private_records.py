"""Identifying data is encrypted at rest, and the records that must not change cannot."""

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from stories import services
from stories.models import AccessLogEntry, ConsentRecord, IdentifyingTerm, Storyteller
from tests.factories import CANARY_NAME, StorytellerFactory, consent_give, staff_in


@pytest.fixture
def case_worker(db):
    return staff_in("Case workers")


@pytest.fixture
def storyteller(case_worker):
    return StorytellerFactory(case_workers=[case_worker])


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'bytea')
            """
        )
        return cursor.fetchall()


def tables_containing(needle: str) -> list[str]:
    """Every table.column whose value contains the needle, read with raw SQL."""
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE position(%s in "{column}"::text) > 0 '  # noqa: S608
                f"OR position(%s in encode(convert_to(\"{column}\"::text, 'UTF8'), 'escape')) > 0"
                " LIMIT 1",
                [needle, needle],
            )
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found


def test_storyteller_is_known_by_an_opaque_case_code(storyteller):
    assert str(storyteller).startswith("ST-")
    assert storyteller.pseudonym not in str(storyteller)
    assert len(str(storyteller)) == 7


def test_no_identifying_term_is_stored_in_plain_text(storyteller, case_worker):
    thai_name = "ทดสอบนา คานารีสัน"
    for value in (CANARY_NAME, thai_name, "+66 81 234 5678"):
        services.identifying_term_add(
            storyteller=storyteller, kind="name", value=value, by=case_worker
        )

    assert tables_containing(CANARY_NAME) == []
    assert tables_containing(thai_name) == []
    assert tables_containing("81 234 5678") == []
    # …and yet the scanner can read them.
    assert {term.value for term in storyteller.identifying_terms.all()} >= {CANARY_NAME, thai_name}


def test_terms_are_shown_masked(storyteller, case_worker):
    term = services.identifying_term_add(
        storyteller=storyteller, kind="name", value=CANARY_NAME, by=case_worker
    )
    assert term.masked == "•" * 12
    assert CANARY_NAME not in str(term)


def test_keys_can_be_rotated(storyteller, case_worker, settings):
    term = services.identifying_term_add(
        storyteller=storyteller, kind="nickname", value="Canary", by=case_worker
    )
    old_key = settings.IDENTITY_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.IDENTITY_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115

    settings.IDENTITY_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    assert IdentifyingTerm.objects.get(pk=term.pk).value == "Canary"


def test_consent_evidence_is_encrypted_outside_the_media_folder(
    storyteller, case_worker, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    record = consent_give(
        storyteller,
        by=case_worker,
        evidence=ContentFile(f"Signed: {CANARY_NAME}".encode(), name=f"{CANARY_NAME}.pdf"),
    )

    stored = list(tmp_path.rglob("*.*"))
    assert len(stored) == 1
    assert CANARY_NAME not in str(stored[0])  # neutral file name
    assert CANARY_NAME.encode() not in stored[0].read_bytes()  # encrypted content
    with pytest.raises(ValueError, match="no URL"):
        record.evidence.url  # noqa: B018
    handle = services.consent_evidence_open(record=record, by=case_worker)
    assert handle.read() == f"Signed: {CANARY_NAME}".encode()


def test_consent_versions_are_append_only(storyteller, case_worker):
    record = consent_give(storyteller, by=case_worker)

    record.languages = ["en", "th", "km"]
    with pytest.raises(ValidationError, match="append-only"):
        record.save()
    with pytest.raises(ValidationError, match="append-only"):
        ConsentRecord.objects.filter(pk=record.pk).update(story_text=False)
    with pytest.raises(ValidationError):
        record.delete()
    # Even raw SQL cannot change what was agreed.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE stories_consentrecord SET story_text = false WHERE id = %s", [record.pk]
        )
    assert ConsentRecord.objects.get(pk=record.pk).story_text is True


def test_a_new_version_leaves_the_old_one_as_it_was(storyteller, case_worker):
    first = consent_give(storyteller, by=case_worker, languages=["en"])
    second = consent_give(storyteller, by=case_worker, languages=["en", "th"])

    assert (first.version, second.version) == (1, 2)
    assert ConsentRecord.objects.get(pk=first.pk).languages == ["en"]
    assert storyteller.current_consent == second


def test_withdrawal_is_recorded_once_with_who_and_when(storyteller, case_worker):
    consent_give(storyteller, by=case_worker)
    services.consent_withdraw(storyteller=storyteller, by=case_worker)

    consent = Storyteller.objects.get(pk=storyteller.pk).current_consent
    assert consent.withdrawn_by == case_worker
    assert timezone.now() - consent.withdrawn_at < timedelta(minutes=1)


def test_reveal_is_logged_and_the_log_cannot_be_changed(storyteller, case_worker):
    term = services.identifying_term_add(
        storyteller=storyteller, kind="name", value=CANARY_NAME, by=case_worker
    )
    assert services.identifying_term_reveal(term=term, by=case_worker) == CANARY_NAME

    entry = AccessLogEntry.objects.get()
    assert (entry.actor, entry.action, entry.storyteller_code) == (
        case_worker,
        "reveal_term",
        storyteller.case_code,
    )
    entry.action = "download_evidence"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AccessLogEntry.objects.all().update(actor=None)
    with pytest.raises(ValidationError):
        AccessLogEntry.objects.all().delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM stories_accesslogentry")
    assert AccessLogEntry.objects.count() == 1


def test_only_assigned_case_workers_may_reveal(storyteller, case_worker):
    from django.core.exceptions import PermissionDenied

    term = services.identifying_term_add(
        storyteller=storyteller, kind="name", value=CANARY_NAME, by=case_worker
    )
    other_case_worker = staff_in("Case workers")
    superuser = staff_in("Case workers", is_superuser=True)

    for user in (other_case_worker, superuser):
        with pytest.raises(PermissionDenied):
            services.identifying_term_reveal(term=term, by=user)
    assert not AccessLogEntry.objects.exists()
