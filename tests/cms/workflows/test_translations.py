"""Translators translate and submit; they never publish and never touch what consent bounds."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import GroupPagePermission, Locale, Page
from wagtail_localize.models import Translation

from cms.workflows.services import page_task_act
from cms.workflows.translators import translator_group_name, translator_groups_sync
from stories import services
from stories.models import StoryPage
from tests.factories import (
    SAFEGUARDING_CHECKLIST,
    StorytellerFactory,
    consent_give,
    staff_in,
    story_page,
    story_publish,
)
from tests.support.forms import story_edit_form_data

THAI_NAME = "ทดสอบ ตัวอย่างนาม"  # "test example-name": obviously invented


@pytest.fixture
def people(db):
    return {
        "author": staff_in("Editors"),
        "case_worker": staff_in("Case workers"),
        "reviewer": staff_in("Safeguarding reviewers"),
        "admin": staff_in("Editors", is_superuser=True),
    }


def thai():
    return Locale.objects.get(language_code="th")


def live_story(home_page, people, *, languages=("en", "th")):
    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    services.identifying_term_add(
        storyteller=storyteller, kind="name", value=THAI_NAME, by=people["case_worker"]
    )
    consent_give(storyteller, by=people["case_worker"], languages=list(languages))
    return story_publish(
        story_page(home_page, storyteller),
        author=people["author"],
        case_worker=people["case_worker"],
        reviewer=people["reviewer"],
    )


def translate(client, page, people) -> StoryPage:
    """The real "Translate this page" view, as an editor with the right would use it."""
    client.force_login(people["admin"])
    response = client.post(
        reverse("wagtail_localize:submit_page_translation", args=[page.pk]),
        {"locales": [thai().pk], "include_subtree": ""},
    )
    assert response.status_code == 302
    return StoryPage.objects.get(translation_key=page.translation_key, locale=thai())


def translator(home_page) -> object:
    user = staff_in(translator_group_name("th"))
    return user


def test_every_configured_language_has_a_locale_and_a_translator_group(db):
    for code in ("th", "km", "my", "vi"):
        assert Locale.objects.filter(language_code=code).exists()
        assert Group.objects.filter(name=translator_group_name(code)).exists()


def test_translators_may_edit_their_language_tree_only(client, home_page, people):
    page = live_story(home_page, people)
    thai_page = translate(client, page, people)
    translator_groups_sync()
    thai_root = thai_page.get_ancestors().get(depth=2)
    group = Group.objects.get(name=translator_group_name("th"))

    assert GroupPagePermission.objects.filter(group=group, page=thai_root).exists()
    thai_translator = translator(home_page)
    assert thai_page.permissions_for_user(thai_translator).can_edit()
    assert not page.permissions_for_user(thai_translator).can_edit()  # the English original
    khmer_translator = staff_in(translator_group_name("km"))
    assert not thai_page.permissions_for_user(khmer_translator).can_edit()


def test_translating_a_live_story_makes_a_draft(client, home_page, people):
    page = live_story(home_page, people)

    thai_page = translate(client, page, people)

    assert not thai_page.live
    assert thai_page.storyteller_id == page.storyteller_id


def test_translators_can_never_publish(client, home_page, people):
    page = live_story(home_page, people)
    thai_page = translate(client, page, people)
    translator_groups_sync()
    thai_translator = translator(home_page)

    assert not thai_page.permissions_for_user(thai_translator).can_publish()
    thai_home = Page.objects.get(depth=2, locale=thai()).specific
    assert not thai_home.permissions_for_user(thai_translator).can_publish()


def test_a_translation_cannot_change_what_consent_bounds(client, home_page, people):
    page = live_story(home_page, people)
    thai_page = translate(client, page, people)
    other = StorytellerFactory(case_workers=[people["case_worker"]])
    form_class = StoryPage.get_edit_handler().get_form_class()
    form = form_class(instance=thai_page, for_user=people["admin"])

    for name in ("storyteller", "region", "age_band", "exploitation"):
        assert form.fields[name].disabled, name
    data = story_edit_form_data(thai_page, storyteller=other.pk, region="KH", title="ทดสอบ")
    bound = form_class(data=data, instance=thai_page, for_user=people["admin"])
    bound.is_valid()
    assert bound.cleaned_data.get("storyteller") == page.storyteller
    assert bound.cleaned_data.get("region") == page.region


def test_translator_submits_and_the_story_workflow_decides(client, home_page, people):
    page = live_story(home_page, people)
    thai_page = translate(client, page, people)
    translator_groups_sync()
    thai_translator = translator(home_page)
    thai_page.title = "จักรเย็บผ้าและการเริ่มต้นใหม่"
    thai_page.save_revision(user=thai_translator)
    client.force_login(thai_translator)

    url = reverse("workflows_translation_submit", args=[thai_page.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302

    thai_page.refresh_from_db()
    assert thai_page.workflow_in_progress
    page_task_act(page=thai_page, by=people["case_worker"])
    # The translator cannot review their own translation, even if they were a reviewer.
    thai_translator.groups.add(Group.objects.get(name="Safeguarding reviewers"))
    with pytest.raises(PermissionDenied):
        page_task_act(page=thai_page, by=thai_translator, **SAFEGUARDING_CHECKLIST)
    page_task_act(page=thai_page, by=people["reviewer"], **SAFEGUARDING_CHECKLIST)
    thai_page.refresh_from_db()
    assert thai_page.live


def test_consent_check_refuses_a_language_outside_consent(client, home_page, people):
    page = live_story(home_page, people, languages=("en",))
    thai_page = translate(client, page, people)
    translator_groups_sync()
    client.force_login(translator(home_page))
    client.post(reverse("workflows_translation_submit", args=[thai_page.pk]))

    with pytest.raises(PermissionDenied):
        page_task_act(page=thai_page, by=people["case_worker"])
    thai_page.refresh_from_db()
    assert not thai_page.live


def test_a_translation_that_names_the_storyteller_in_thai_is_blocked(client, home_page, people):
    page = live_story(home_page, people)
    thai_page = translate(client, page, people)
    thai_page.summary = f"เรื่องของ{THAI_NAME.replace(' ', '')}ที่กลับบ้าน"

    blockers = thai_page.publication_blockers()

    assert "anonymisation" in {blocker.code for blocker in blockers}
    assert all(THAI_NAME.split()[0] not in blocker.message for blocker in blockers)


def test_only_translators_of_a_page_see_the_submit_button(client, home_page, people):
    page = live_story(home_page, people)
    thai_page = translate(client, page, people)
    translator_groups_sync()
    client.force_login(staff_in(translator_group_name("km")))

    response = client.get(reverse("workflows_translation_submit", args=[thai_page.pk]))

    assert response.status_code in (302, 403)
    thai_page.refresh_from_db()
    assert not thai_page.workflow_in_progress


def machine_translate(client, page, user):
    translation = Translation.objects.get(
        source__object_id=page.translation_key, target_locale=thai()
    )
    client.force_login(user)
    return client.post(
        reverse("wagtail_localize:machine_translate", args=[translation.pk]),
        {"next": reverse("wagtailadmin_home")},
    )


def test_machine_translation_is_off_by_default(client, home_page, people, settings):
    assert settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR is None
    page = live_story(home_page, people)
    translate(client, page, people)

    assert machine_translate(client, page, people["admin"]).status_code == 404


def test_a_machine_translation_is_a_draft_that_goes_through_the_workflow(
    client, home_page, people, settings
):
    """With a translator configured (the dummy one here: it sends nothing anywhere), the
    result is a draft in the translation memory, and still needs the whole workflow."""
    settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {
        "CLASS": "wagtail_localize.machine_translators.dummy.DummyTranslator"
    }
    page = live_story(home_page, people)
    thai_page = translate(client, page, people)

    response = machine_translate(client, page, people["admin"])
    assert response.status_code == 302
    translation = Translation.objects.get(
        source__object_id=page.translation_key, target_locale=thai()
    )
    total, done = translation.get_progress()
    assert done == total > 0
    translation.save_target(user=people["admin"], publish=False)

    thai_page.refresh_from_db()
    assert not thai_page.live
    # The dummy translator reverses the order of the words.
    assert thai_page.title == " ".join(reversed(page.title.split(" ")))
    assert "not_approved" in {b.code for b in thai_page.publication_blockers()}
