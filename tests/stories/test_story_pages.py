"""Story pages: what translations inherit, and what the editor is shown."""

import pytest
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.fields import SynchronizedField, get_translatable_fields
from wagtail_localize.models import TranslationSource

from stories import services
from stories.models import StoryPage
from tests.factories import (
    CANARY_NAME,
    StorytellerFactory,
    consent_give,
    staff_in,
    story_page,
    story_publish,
)


@pytest.fixture
def case_worker(db):
    return staff_in("Case workers")


@pytest.fixture
def story(home_page, case_worker):
    storyteller = StorytellerFactory(case_workers=[case_worker])
    services.identifying_term_add(
        storyteller=storyteller, kind="name", value=CANARY_NAME, by=case_worker
    )
    consent_give(storyteller, by=case_worker)
    return story_page(home_page, storyteller)


def translate(page, language: str) -> StoryPage:
    locale, _ = Locale.objects.get_or_create(language_code=language)
    TranslationSource.get_or_create_from_instance(page)
    # Parents first: the index and home page get translated (as aliases) along the way.
    page.copy_for_translation(locale, copy_parents=True)
    return StoryPage.objects.get(translation_key=page.translation_key, locale=locale)


def test_a_translation_keeps_the_storyteller_and_the_facts_consent_bounds(story):
    thai = translate(story, "th")

    assert thai.storyteller_id == story.storyteller_id
    assert (thai.region, thai.age_band) == (story.region, story.age_band)
    assert not thai.live


def test_translators_cannot_override_the_storyteller_link(story):
    fields = {field.field_name: field for field in get_translatable_fields(StoryPage)}
    for name in ("storyteller", "region", "age_band", "exploitation"):
        assert isinstance(fields[name], SynchronizedField), name
        assert not fields[name].is_overridable(story), name


def test_the_editor_shows_findings_without_the_identifying_term(client, story):
    story.summary = f"We met {CANARY_NAME} in the shelter. Call +66 81 234 5678."
    story.save_revision()
    client.force_login(staff_in("Editors", is_superuser=True))

    response = client.get(reverse("wagtailadmin_pages:edit", args=[story.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "This story cannot go live yet" in html
    assert "Summary" in html
    assert CANARY_NAME not in html.replace(story.summary, "")  # only inside the field itself


def test_a_story_page_renders_its_pseudonym_needs_and_the_protection_note(client, story):
    story_publish(story)

    response = client.get(story.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Told by {story.storyteller.pseudonym}" in html
    assert "Why you will not see a face or a name" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_the_story_text_is_cached_and_a_published_change_shows_at_once(
    client, story, case_worker, django_capture_on_commit_callbacks
):
    """The story is found and its text fragments are rendered once (fewer queries on the
    next view); publishing a new revision shows it from the moment it commits."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = story_publish(story, case_worker=case_worker)
    first = client.get(page.url).content.decode()
    with CaptureQueriesContext(connection) as warm:
        assert client.get(page.url).content.decode() == first
    page.refresh_from_db()
    page.summary = "A second summary, written after the first visit."
    page.body = [("paragraph", "<p>A paragraph added later.</p>")]
    page.save_revision()
    with django_capture_on_commit_callbacks(execute=True):
        page = story_publish(page, case_worker=case_worker)

    with CaptureQueriesContext(connection) as changed:
        html = client.get(page.url).content.decode()
    assert "A second summary, written after the first visit." in html
    assert "A paragraph added later." in html
    assert len(warm) < len(changed)  # the cached view skipped the story's own content
