"""Case workers keep the private record in the admin; nobody else can reach it."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from stories import services
from stories.models import AccessLogEntry, ConsentRecord, IdentifyingTerm
from tests.factories import (
    CANARY_NAME,
    StorytellerFactory,
    consent_give,
    staff_in,
    story_page,
    story_publish,
)

WAGTAIL_VIEWSET_URLS = {"list", "edit", "add"}
OUTSIDERS = ["Editors", "Translators", "Finance", "Safeguarding reviewers", "Moderators"]


@pytest.fixture
def case_worker(db):
    return staff_in("Case workers")


@pytest.fixture
def record(case_worker, settings, tmp_path):
    """A storyteller with a term and consent evidence, assigned to `case_worker`."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    storyteller = StorytellerFactory(case_workers=[case_worker])
    term = services.identifying_term_add(
        storyteller=storyteller, kind="name", value=CANARY_NAME, by=case_worker
    )
    consent = consent_give(
        storyteller, by=case_worker, evidence=ContentFile(b"%PDF-1.4 signed", name="form.pdf")
    )
    return storyteller, term, consent


def private_urls(storyteller, term, consent) -> dict[str, tuple[str, str]]:
    return {
        "list": ("get", reverse("storytellers:index")),
        "edit": ("get", reverse("storytellers:edit", args=[storyteller.pk])),
        "add": ("get", reverse("storytellers:add")),
        "record": ("get", reverse("stories_admin:record", args=[storyteller.pk])),
        "reveal": ("post", reverse("stories_admin:term_reveal", args=[term.pk])),
        "consent": ("get", reverse("stories_admin:consent_add", args=[storyteller.pk])),
        "evidence": ("get", reverse("stories_admin:consent_evidence", args=[consent.pk])),
        "withdraw": ("post", reverse("stories_admin:withdraw", args=[storyteller.pk])),
        "access log": ("get", reverse("stories_admin:access_log")),
    }


@pytest.mark.parametrize("group", OUTSIDERS)
def test_other_roles_cannot_reach_private_records(client, record, group):
    client.force_login(staff_in(group))
    for name, (method, url) in private_urls(*record).items():
        response = getattr(client, method)(url, {"confirm": "on"})
        if name in WAGTAIL_VIEWSET_URLS:
            # Wagtail's own views answer a permission error with a redirect to the dashboard.
            assert (response.status_code, response["Location"]) == (302, "/admin/"), name
        else:
            assert response.status_code == 404, name
        assert CANARY_NAME.encode() not in response.content, name
        assert record[0].pseudonym.encode() not in response.content, name
    assert not AccessLogEntry.objects.exists()
    assert record[2].__class__.objects.get(pk=record[2].pk).withdrawn_at is None


def test_anonymous_visitors_are_sent_to_login(client, record):
    for name, (method, url) in private_urls(*record).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/admin/login/"), name


def test_a_case_worker_not_assigned_gets_404(client, record):
    client.force_login(staff_in("Case workers"))
    for name, (method, url) in private_urls(*record).items():
        if name in {"list", "add", "access log"}:
            continue
        assert getattr(client, method)(url).status_code == 404, name
    listing = client.get(reverse("storytellers:index"))
    assert record[0].case_code not in listing.content.decode()


def test_the_record_shows_terms_masked(client, record, case_worker):
    client.force_login(case_worker)
    response = client.get(reverse("stories_admin:record", args=[record[0].pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert record[0].case_code in html
    assert "••••" in html
    assert CANARY_NAME not in html


def test_reveal_and_evidence_download_are_logged(client, record, case_worker):
    storyteller, term, consent = record
    client.force_login(case_worker)

    revealed = client.post(reverse("stories_admin:term_reveal", args=[term.pk]))
    download = client.get(reverse("stories_admin:consent_evidence", args=[consent.pk]))

    assert CANARY_NAME in revealed.content.decode()
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed"
    assert "no-cache" in revealed["Cache-Control"]
    assert list(AccessLogEntry.objects.order_by("at").values_list("action", "actor")) == [
        ("reveal_term", case_worker.pk),
        ("download_evidence", case_worker.pk),
    ]
    log = client.get(reverse("stories_admin:access_log"))
    assert storyteller.case_code in log.content.decode()
    assert CANARY_NAME not in log.content.decode()


def test_reveal_needs_a_post(client, record, case_worker):
    client.force_login(case_worker)
    response = client.get(reverse("stories_admin:term_reveal", args=[record[1].pk]))
    assert response.status_code == 405
    assert not AccessLogEntry.objects.exists()


def test_adding_a_term_through_the_form_stores_it_encrypted(client, record, case_worker):
    client.force_login(case_worker)
    response = client.post(
        reverse("stories_admin:term_add", args=[record[0].pk]),
        {"kind": "place", "value": "Ban Canary Nok"},
    )
    assert response.status_code == 302
    term = IdentifyingTerm.objects.latest("pk")
    assert term.value == "Ban Canary Nok"
    assert b"Canary" not in bytes(term.value_encrypted)


def test_consent_is_recorded_through_the_form(client, record, case_worker):
    client.force_login(case_worker)
    url = reverse("stories_admin:consent_add", args=[record[0].pk])
    form = client.get(url)
    assert form.status_code == 200

    response = client.post(
        url,
        {
            "story_text": "on",
            "pseudonym": "on",
            "map_precision": "country",
            "languages": ["en", "km"],
            "channels": ["website"],
            "granted_on": "2026-11-01",
            "expires_on": "2027-11-01",
            "explained_in": "km",
            "interpreter": "NGO interpreter",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = record[0].current_consent
    assert (latest.version, latest.languages, latest.explained_by) == (2, ["en", "km"], case_worker)


def test_bad_consent_input_gets_a_clear_error_and_saves_nothing(client, record, case_worker):
    client.force_login(case_worker)
    response = client.post(
        reverse("stories_admin:consent_add", args=[record[0].pk]),
        {
            "story_text": "on",
            "map_precision": "country",
            "languages": ["en"],
            "granted_on": "2026-01-01",
            "expires_on": "2031-01-01",
            "explained_in": "en",
        },
    )
    assert response.status_code == 200
    assert "36 months at most" in response.content.decode()
    assert ConsentRecord.objects.filter(storyteller=record[0]).count() == 1


def test_withdrawal_is_one_submission_and_takes_the_story_down(
    client, record, case_worker, home_page
):
    storyteller = record[0]
    page = story_publish(story_page(home_page, storyteller))
    assert page.live
    client.force_login(case_worker)

    response = client.post(
        reverse("stories_admin:withdraw", args=[storyteller.pk]), {"confirm": "on"}
    )

    assert response.status_code == 302
    assert storyteller.current_consent.withdrawn_by == case_worker
    page.refresh_from_db()
    assert not page.live


def test_editors_cannot_record_withdrawal(client, record, home_page):
    storyteller = record[0]
    page = story_publish(story_page(home_page, storyteller))
    assert page.live
    client.force_login(staff_in("Editors"))

    response = client.post(
        reverse("stories_admin:withdraw", args=[storyteller.pk]), {"confirm": "on"}
    )

    assert response.status_code == 404
    page.refresh_from_db()
    assert page.live
    assert storyteller.current_consent.withdrawn_at is None
