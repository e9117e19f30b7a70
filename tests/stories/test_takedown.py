"""Withdrawal and expiry take a story down everywhere at once, in every locale."""

import uuid
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from campaigns.models import CampaignPageFeaturedStory
from cms.core.media import rendition_serve
from stories import services
from stories.expiry import consent_reminders_send, consents_expire
from stories.models import StoryPage
from stories.signals import story_withdrawn
from tests.campaigns.conftest import campaign_make
from tests.factories import (
    SAFEGUARDING_CHECKLIST,
    StorytellerFactory,
    consent_give,
    image_block,
    image_make,
    staff_in,
    story_in_two_languages,
    story_page,
    story_publish,
)
from tests.support import frontend_cache
from tests.support.forms import story_edit_form_data
from tests.support.servers import (
    TEST_REDIS_URL,
    StaffClient,
    app_instances,
    cache_keys_delete,
    get,
    redis_client,
)


@pytest.fixture
def people(db):
    return {
        "author": staff_in("Editors"),
        "translator": staff_in("Translators"),
        "case_worker": staff_in("Case workers", email="caseworker@example.org"),
        "reviewer": staff_in("Safeguarding reviewers"),
    }


@pytest.fixture
def recording_cdn(settings):
    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {"BACKEND": "tests.support.frontend_cache.RecordingBackend"}
    }
    frontend_cache.PURGED.clear()
    return frontend_cache.PURGED


def publish(page, people, *, author=None):
    return story_publish(
        page,
        author=author or people["author"],
        case_worker=people["case_worker"],
        reviewer=people["reviewer"],
    )


def test_withdrawal_takes_down_every_locale_with_410(
    client, home_page, people, recording_cdn, django_capture_on_commit_callbacks
):
    storyteller, english, thai = story_in_two_languages(home_page, people)
    index_url = english.get_parent().url
    campaign = campaign_make(home_page)
    CampaignPageFeaturedStory.objects.create(page=campaign, story=english, sort_order=0)
    assert client.get(english.url).status_code == 200
    assert client.get(thai.url).status_code == 200

    assert english.get_full_url() in client.get("/sitemap.xml").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=storyteller, by=people["case_worker"])

    for page in (english, thai):
        response = client.get(page.url)
        assert response.status_code == 410
        assert page.title not in response.content.decode()
    assert "no longer available" in client.get(english.url).content.decode()
    assert english.title not in client.get(index_url).content.decode()
    assert english.get_full_url() not in client.get("/sitemap.xml").content.decode()
    # Both locales' story URLs, their indexes and homes, the campaign featuring the story
    # and the sitemap were purged.
    purged = set(recording_cdn)
    for page in (english, thai):
        assert page.get_full_url() in purged
        assert page.get_parent().get_full_url() in purged
    assert any(url.endswith("/sitemap.xml") for url in purged)
    assert campaign.get_full_url() in purged  # a campaign featuring the story


def test_withdrawal_is_in_the_audit_log_and_staff_are_told(
    home_page, people, django_capture_on_commit_callbacks
):
    storyteller, english, thai = story_in_two_languages(home_page, people)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=storyteller, by=people["case_worker"])

    for page in (english, thai):
        entry = PageLogEntry.objects.filter(page=page, action="stories.withdrawn").get()
        assert entry.user == people["case_worker"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["caseworker@example.org"]
    assert storyteller.case_code in message.subject
    for private in (storyteller.pseudonym, english.title, english.summary):
        assert private not in message.subject + message.body


def test_withdrawal_cancels_workflows_and_schedules(home_page, people):
    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    consent_give(storyteller, by=people["case_worker"])
    in_review = story_page(home_page, storyteller)
    from cms.workflows.services import page_submit_for_moderation

    page_submit_for_moderation(page=in_review, by=people["author"])
    assert in_review.workflow_in_progress

    services.consent_withdraw(storyteller=storyteller, by=people["case_worker"])

    in_review.refresh_from_db()
    assert not in_review.workflow_in_progress


def test_withdrawal_tells_the_donations_app(home_page, people):
    storyteller, _english, _thai = story_in_two_languages(home_page, people)
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    story_withdrawn.connect(receiver)
    try:
        services.consent_withdraw(storyteller=storyteller, by=people["case_worker"])
    finally:
        story_withdrawn.disconnect(receiver)
    assert received[0]["reason"] == "withdrawn"
    assert received[0]["storyteller"] == storyteller


def test_withdrawal_deletes_the_story_renditions(
    home_page, people, recording_cdn, django_capture_on_commit_callbacks, settings, tmp_path
):
    # Files on disk, as in production: Wagtail deletes them in a task that rebuilds the
    # storage from its settings, which an in-memory storage would not survive.
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    image = image_make(face=False, attested_by=people["reviewer"])
    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    consent_give(storyteller, by=people["case_worker"])
    page = publish(story_page(home_page, storyteller, body=[image_block(image)]), people)
    rendition = image.get_rendition("width-400")
    assert default_storage.exists(rendition.file.name)
    # The media URL answers while the story is live (the development view; production's web
    # server serves the same folder)…
    request = RequestFactory().get(rendition.url)
    assert rendition_serve(request, rendition.file.name).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=storyteller, by=people["case_worker"])

    assert not image.renditions.exists()
    assert not default_storage.exists(rendition.file.name)
    assert f"http://testserver{rendition.url}" in recording_cdn  # a CDN forgets it too
    with pytest.raises(Http404):  # …and answers 404 once the story is taken down.
        rendition_serve(request, rendition.file.name)
    assert not page.__class__.objects.get(pk=page.pk).live


NEW_TITLE = "A bicycle for the road to school"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_instances_show_a_publication_and_a_withdrawal_through_the_other_at_once(people):
    """Two gunicorn instances sharing PostgreSQL and Redis, the page cache on: a story
    published and another withdrawn by staff signed in on instance A are served that way by
    instance B at once, although B had every page in the shared cache."""
    from home.demo import home_page_ensure

    home_page, _ = home_page_ensure()
    storyteller, english, thai = story_in_two_languages(home_page, people)
    newcomer = StorytellerFactory(case_workers=[people["case_worker"]])
    consent_give(newcomer, by=people["case_worker"])
    draft = story_page(home_page, newcomer, title=NEW_TITLE, slug="a-bicycle-for-school")
    english_index, thai_index = english.get_parent().url, thai.get_parent().url
    listings = [english_index, thai_index, "/", "/th/"]
    maps = ["/map/stories.json", "/th/map/stories.json"]
    # One Host for both, as behind a load balancer: B may answer from what A cached.
    host = "localhost"
    redis_client()  # says what to start if Redis does not answer
    prefix = f"test-{uuid.uuid4().hex}"
    instances = app_instances(
        2, REDIS_URL=TEST_REDIS_URL, CACHE_KEY_PREFIX=prefix, PAGE_CACHE_SECONDS="300"
    )
    try:
        with instances as (a, b):
            for path in [english.url, thai.url, *listings, *maps]:
                assert get(a + path, host=host).status == 200
            for path in [english.url, thai.url, *listings]:
                assert get(b + path, host=host).headers["X-Page-Cache"] == "hit"
            assert english.title in get(b + "/map/stories.json", host=host).body

            # An editor submits the new story on A; the assigned case worker checks consent,
            # a safeguarding reviewer approves with the checklist: the real admin forms.
            password = "correct horse battery staple"
            editor = StaffClient(a, people["author"], password)
            case_worker = StaffClient(a, people["case_worker"], password)
            reviewer = StaffClient(a, people["reviewer"], password)
            submit = editor.post(
                reverse("wagtailadmin_pages:edit", args=[draft.pk]),
                story_edit_form_data(draft, **{"action-submit": "submit"}),
            )
            assert submit.status_code == 302
            checklist = {
                key: "on" if value is True else value
                for key, value in SAFEGUARDING_CHECKLIST.items()
            }
            for staff, data in ((case_worker, {}), (reviewer, checklist)):
                task_state = StoryPage.objects.get(pk=draft.pk).current_workflow_task_state
                approve = reverse(
                    "wagtailadmin_pages:workflow_action",
                    args=[draft.pk, "approve", task_state.pk],
                )
                assert staff.post(approve, {"comment": "", **data}).status_code == 302
            assert StoryPage.objects.get(pk=draft.pk).live

            for path in [english_index, "/", "/map/stories.json"]:
                assert NEW_TITLE in get(b + path, host=host).body

            # The case worker records the withdrawal on A.
            withdraw = case_worker.post(
                reverse("stories_admin:withdraw", args=[storyteller.pk]), {"confirm": "on"}
            )
            assert withdraw.status_code == 302

            for page in (english, thai):
                response = get(b + page.url, host=host)
                assert response.status == 410
                assert page.title not in response.body
            for path in [*listings, *maps]:
                body = get(b + path, host=host).body
                assert english.title not in body
                assert thai.title not in body
            assert NEW_TITLE in get(b + english_index, host=host).body
    finally:
        cache_keys_delete(prefix)


def test_serve_answers_410_as_soon_as_consent_lapses(client, home_page, people):
    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    consent = consent_give(
        storyteller,
        by=people["case_worker"],
        granted_on=timezone.localdate() - timedelta(days=10),
        expires_on=timezone.localdate() + timedelta(days=5),
    )
    page = publish(story_page(home_page, storyteller), people)
    assert client.get(page.url).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=6)):
        # Before the hourly job has run, the page itself refuses.
        assert page.__class__.objects.get(pk=page.pk).live
        assert client.get(page.url).status_code == 410
        assert consents_expire() == [storyteller.case_code]
    assert not page.__class__.objects.get(pk=page.pk).live
    assert PageLogEntry.objects.filter(page=page, action="stories.consent_expired").exists()
    assert consent.pk  # the record itself is kept


def test_expiry_command_reminds_case_workers_once_30_days_ahead(
    home_page, people, django_capture_on_commit_callbacks
):
    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    consent_give(
        storyteller,
        by=people["case_worker"],
        granted_on=timezone.localdate() - timedelta(days=300),
        expires_on=timezone.localdate() + timedelta(days=20),
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_consents", stdout=StringIO())
        call_command("expire_consents", stdout=StringIO())

    assert len(mail.outbox) == 1
    assert storyteller.case_code in mail.outbox[0].subject
    assert storyteller.pseudonym not in mail.outbox[0].body
    assert consent_reminders_send() == 0


def test_a_case_worker_records_withdrawal_in_one_submission(client, home_page, people):
    storyteller, english, thai = story_in_two_languages(home_page, people)
    client.force_login(people["case_worker"])

    response = client.post(
        reverse("stories_admin:withdraw", args=[storyteller.pk]), {"confirm": "on"}
    )

    assert response.status_code == 302
    for page in (english, thai):
        assert client.get(page.url).status_code == 410
