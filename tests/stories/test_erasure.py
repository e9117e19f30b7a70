"""Erasure leaves no trace of the storyteller anywhere in the database."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from wagtail.models import Comment, Locale, Page, PageLogEntry, Revision
from wagtail_localize.models import TranslationSource

from stories import services
from stories.models import AccessLogEntry, StoryPage, Storyteller
from stories.signals import storyteller_erased
from tests.factories import (
    CANARY_NAME,
    StorytellerFactory,
    consent_give,
    image_block,
    image_make,
    staff_in,
    story_page,
    story_publish,
)

CANARY = "Canarina Fakenamesdottir"  # an obviously invented name, found nowhere else


def columns_containing(needle: str) -> list[str]:
    """Every table.column of the database whose text contains the needle (raw SQL)."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'jsonb', 'json')
            """
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE %s',  # noqa: S608
                [f"%{CANARY}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


@pytest.fixture
def people(db):
    return {
        "author": staff_in("Editors"),
        "case_worker": staff_in("Case workers"),
        "reviewer": staff_in("Safeguarding reviewers"),
    }


def test_erasure_removes_every_trace(
    home_page, people, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    services.identifying_term_add(
        storyteller=storyteller, kind="name", value=CANARY, by=people["case_worker"]
    )
    consent_give(
        storyteller,
        by=people["case_worker"],
        languages=["en", "th"],
        evidence=ContentFile(f"Signed by {CANARY}".encode(), name="consent.pdf"),
    )
    image = image_make(face=False, attested_by=people["reviewer"], title="Cloth and thread")
    page = story_publish(
        story_page(home_page, storyteller, body=[image_block(image)]),
        author=people["author"],
        case_worker=people["case_worker"],
        reviewer=people["reviewer"],
    )
    # A draft that once named the storyteller (the scanner would block it from going live).
    page.summary = f"Draft: {CANARY} told us about the workshop."
    page.save_revision(user=people["author"])
    # …a comment on the page…
    Comment.objects.create(
        page=page, user=people["reviewer"], text=f"Is {CANARY} her real name?", contentpath="title"
    )
    # …and a Thai translation made from that draft.
    TranslationSource.get_or_create_from_instance(page.get_latest_revision_as_object())
    page.copy_for_translation(
        Locale.objects.get_or_create(language_code="th")[0], copy_parents=True
    )
    services.identifying_term_reveal(
        term=storyteller.identifying_terms.get(), by=people["case_worker"]
    )
    assert columns_containing(CANARY)  # the canary really is in the database now
    rendition_name = image.get_rendition("width-300").file.name
    page_ids = set(StoryPage.objects.filter(storyteller=storyteller).values_list("pk", flat=True))
    case_code = storyteller.case_code
    evidence_files = list((tmp_path / "private").rglob("*.*"))
    assert evidence_files

    output = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("erase_storyteller", case_code, "--yes", stdout=output)

    assert columns_containing(CANARY) == []
    assert not Storyteller.objects.filter(case_code=case_code).exists()
    assert not Page.objects.filter(pk__in=page_ids).exists()
    assert not Revision.page_revisions.filter(object_id__in=[str(pk) for pk in page_ids]).exists()
    assert not PageLogEntry.objects.filter(page_id__in=page_ids).exists()
    assert not TranslationSource.objects.filter(object_id=page.translation_key).exists()
    assert all(not path.exists() for path in evidence_files)
    from django.core.files.storage import default_storage

    assert not default_storage.exists(rendition_name)
    # The access log keeps the opaque case code only.
    assert AccessLogEntry.objects.filter(storyteller_code=case_code).exists()
    report = output.getvalue()
    assert "pages: 2" in report
    assert "revisions:" in report
    assert CANARY not in report


def test_erasure_keeps_other_storytellers(home_page, people):
    keep = StorytellerFactory(case_workers=[people["case_worker"]])
    services.identifying_term_add(
        storyteller=keep, kind="name", value=CANARY_NAME, by=people["case_worker"]
    )
    consent_give(keep, by=people["case_worker"])
    kept_page = story_page(home_page, keep)
    gone = StorytellerFactory(case_workers=[people["case_worker"]])
    story_page(home_page, gone, slug="another-story")

    call_command("erase_storyteller", gone.case_code, "--yes", stdout=StringIO())

    assert StoryPage.objects.filter(pk=kept_page.pk).exists()
    assert keep.identifying_terms.get().value == CANARY_NAME


def test_erasure_tells_other_apps_so_they_cut_their_links(home_page, people):
    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    page = story_page(home_page, storyteller)
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    storyteller_erased.connect(receiver)
    try:
        call_command("erase_storyteller", storyteller.case_code, "--yes", stdout=StringIO())
    finally:
        storyteller_erased.disconnect(receiver)
    assert received[0]["story_keys"] == {page.translation_key}


def test_erasure_asks_first(home_page, people, monkeypatch):
    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("erase_storyteller", storyteller.case_code, stdout=StringIO())
    assert Storyteller.objects.filter(pk=storyteller.pk).exists()


def test_unknown_case_code_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No storyteller has the case code"):
        call_command("erase_storyteller", "ST-NONE", "--yes")


def test_erasure_keeps_the_ledger_and_deletes_messages_of_hope(home_page, people):
    from cms.donations.models import Fund, HopeMessage, LedgerEntry

    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    page = story_page(home_page, storyteller)
    fund, _ = Fund.objects.get_or_create(kind=Fund.Kind.STORY, key=page.translation_key)
    HopeMessage.objects.create(fund=fund, text=f"For {CANARY}", language="en")
    entries_before = LedgerEntry.objects.count()

    call_command("erase_storyteller", storyteller.case_code, "--yes", stdout=StringIO())

    assert not HopeMessage.objects.filter(text__contains=CANARY).exists()
    assert LedgerEntry.objects.count() >= entries_before  # the ledger keeps every row
    fund.refresh_from_db()
    assert fund.closed_reason == "erased"
