"""Every route by which Wagtail makes a page live ends at the gate.

Each route is tried with a story that must stay a draft — for each reason the policy knows —
and with a story whose consent and review are in order, which the same route publishes.

Routes that publish a revision of the story itself (admin publish, revert, bulk, scheduled,
``revision.publish()``, the admin API, ``page.live = True; page.save()``) start from a draft
in each blocked state. Routes that copy a live story (copy with keep-live, aliases,
wagtail-localize) start from a live, valid story and then break it the way each case says:
a story cannot have been live without consent, so "no consent" does not apply to them, and a
consent that lapses later is simulated by moving the clock past its expiry.
"""

import contextlib
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.actions.convert_alias import ConvertAliasPageAction
from wagtail.actions.copy_page import CopyPageAction
from wagtail.actions.create_alias import CreatePageAliasAction
from wagtail.models import Locale, Page, Revision
from wagtail_localize.models import TranslationSource

from cms.core.publishing import PublishGateError
from cms.workflows.approvals import content_fingerprint
from cms.workflows.models import ContentApproval
from cms.workflows.services import page_submit_for_moderation, page_task_act
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

TODAY = timezone.localdate
DRAFT_CASES = [
    "no consent",
    "expired",
    "withdrawn",
    "locale not in scope",
    "blocking finding",
    "unapproved revision",
    "approved by its own author",
]


@pytest.fixture
def people(db):
    return {
        "author": staff_in("Editors"),
        "case_worker": staff_in("Case workers"),
        "reviewer": staff_in("Safeguarding reviewers"),
        "admin": staff_in("Editors", is_superuser=True),
    }


def approve(page, *, by) -> None:
    """What the safeguarding review records when it approves this content."""
    ContentApproval.objects.create(
        fingerprint=content_fingerprint(page),
        page=page,
        revision=page.get_latest_revision(),
        approved_by=by,
        checklist={"by": "test"},
    )


def draft_story(home_page, people, case: str | None) -> StoryPage:
    """A draft story in the state `case` names (None: everything in order)."""
    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    consent = {}
    if case == "expired":
        consent = {"granted_on": TODAY() - timedelta(400), "expires_on": TODAY() - timedelta(1)}
    if case == "locale not in scope":
        consent = {"languages": ["th"]}
    if case != "no consent":
        consent_give(storyteller, by=people["case_worker"], **consent)
    summary = "She trained as a tailor and wants a stall of her own."
    if case == "blocking finding":
        summary += " Call her on +66 81 234 5678."
    page = story_page(home_page, storyteller, summary=summary)
    page.save_revision(user=people["author"])
    if case == "withdrawn":
        services.consent_withdraw(storyteller=storyteller, by=people["case_worker"])
    if case == "approved by its own author":
        approve(page, by=people["author"])
    elif case != "unapproved revision":
        approve(page, by=people["reviewer"])
    return StoryPage.objects.get(pk=page.pk)


def is_live(page) -> bool:
    return Page.objects.filter(pk=page.pk, live=True).exists()


# -- routes that publish the story's own revision ---------------------------------------


def route_admin_publish(client, page, people):
    client.force_login(people["admin"])
    return client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        story_edit_form_data(page, **{"action-publish": "publish"}),
    )


def route_revert_and_publish(client, page, people):
    client.force_login(people["admin"])
    revision = page.get_latest_revision()
    return client.post(
        reverse("wagtailadmin_pages:revisions_revert", args=[page.pk, revision.pk]),
        story_edit_form_data(page, **{"action-publish": "publish"}),
    )


def route_bulk_publish(client, page, people):
    client.force_login(people["admin"])
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    return client.post(f"{url}?id={page.pk}", {"include_descendants": ""})


def route_admin_api(client, page, people):
    client.force_login(people["admin"])
    return client.post(
        f"/admin/api/main/pages/{page.pk}/action/publish/", {}, content_type="application/json"
    )


def route_revision_publish(client, page, people):
    with pytest.raises(ValidationError):
        page.get_latest_revision().publish(user=people["admin"])


def route_save_live(client, page, people):
    page.live = True
    with pytest.raises(PublishGateError):
        page.save()


def route_scheduled(client, page, people):
    go_live = timezone.now() + timedelta(hours=1)
    page.go_live_at = go_live
    revision = page.save_revision(user=people["author"])
    # Scheduling itself does not make anything live (and the content is unchanged, so the
    # approval recorded for it still stands).
    revision.publish(user=people["admin"], skip_permission_checks=True)
    assert not is_live(page)
    with time_machine.travel(go_live + timedelta(minutes=5)):
        call_command("publish_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115


def route_workflow(page, people, *, submitter):
    page_submit_for_moderation(page=page, by=submitter)
    try:
        page_task_act(page=page, by=people["case_worker"])
        page_task_act(page=page, by=people["reviewer"], **SAFEGUARDING_CHECKLIST)
    except PermissionDenied:
        pass  # the task refuses to approve: that is the gate speaking


REVISION_ROUTES = {
    "admin publish": route_admin_publish,
    "revert and publish": route_revert_and_publish,
    "bulk publish": route_bulk_publish,
    "admin API publish": route_admin_api,
    "revision.publish()": route_revision_publish,
    "page.live = True; page.save()": route_save_live,
    "scheduled publishing": route_scheduled,
}


@pytest.mark.parametrize("case", DRAFT_CASES)
@pytest.mark.parametrize("route", list(REVISION_ROUTES))
def test_blocked_story_stays_a_draft(client, home_page, people, route, case):
    page = draft_story(home_page, people, case)
    REVISION_ROUTES[route](client, page, people)
    assert not is_live(page)


@pytest.mark.parametrize("route", list(REVISION_ROUTES))
def test_story_in_order_is_published_by_the_same_route(client, home_page, people, route):
    page = draft_story(home_page, people, None)
    if route in {"revision.publish()", "page.live = True; page.save()"}:
        if route == "revision.publish()":
            page.get_latest_revision().publish(user=people["admin"])
        else:
            page.live = True
            page.save()
    else:
        REVISION_ROUTES[route](client, page, people)
    assert is_live(page)


WORKFLOW_CASES = [case for case in DRAFT_CASES if case != "unapproved revision"]


@pytest.mark.parametrize("case", WORKFLOW_CASES)
def test_workflow_never_approves_a_blocked_story(home_page, people, case):
    page = draft_story(home_page, people, case)
    ContentApproval.objects.all().delete()  # the workflow is the only approval here
    # "Own author": the reviewer wrote the revision under review.
    own = case == "approved by its own author"
    route_workflow(page, people, submitter=people["reviewer"] if own else people["author"])
    assert not is_live(page)
    assert not ContentApproval.objects.exists()


def test_workflow_publishes_a_story_in_order(home_page, people):
    page = draft_story(home_page, people, None)
    ContentApproval.objects.all().delete()

    route_workflow(page, people, submitter=people["author"])

    assert is_live(page)
    approval = ContentApproval.objects.get()
    assert approval.approved_by == people["reviewer"]
    assert approval.checklist["risk_assessed_on"] == "2026-11-01"


def test_reviewers_cannot_approve_what_they_wrote(home_page, people):
    page = draft_story(home_page, people, None)
    reviewer = people["reviewer"]
    page_submit_for_moderation(page=page, by=reviewer)  # the reviewer saved this revision
    page_task_act(page=page, by=people["case_worker"])

    with pytest.raises(PermissionDenied):
        page_task_act(page=page, by=reviewer, **SAFEGUARDING_CHECKLIST)
    assert not is_live(page)


def test_approval_needs_the_checklist(home_page, people):
    page = draft_story(home_page, people, None)
    page_submit_for_moderation(page=page, by=people["author"])
    page_task_act(page=page, by=people["case_worker"])
    incomplete = {**SAFEGUARDING_CHECKLIST, "warnings_acknowledged": False}

    with pytest.raises(PermissionDenied, match="checklist"):
        page_task_act(page=page, by=people["reviewer"], **incomplete)
    assert not is_live(page)


def test_editing_after_approval_needs_a_new_approval(home_page, people):
    page = draft_story(home_page, people, None)
    page.summary = "A different summary, never reviewed."
    page.save_revision(user=people["author"])

    with pytest.raises(PublishGateError):
        page.get_latest_revision().publish(user=people["admin"])
    assert not is_live(page)


# -- the database backstop ---------------------------------------------------------------

CONSENT_CASES = ["no consent", "expired", "withdrawn", "locale not in scope"]


@transaction.atomic
def update_live_and_commit_check(page) -> None:
    """``QuerySet.update`` skips ``save()``; the deferred trigger is checked as at COMMIT."""
    Page.objects.filter(pk=page.pk).update(live=True)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@transaction.atomic
def withdraw_by_hand_and_commit_check(page) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE stories_consentrecord SET withdrawn_at = now() WHERE storyteller_id = %s",
            [page.storyteller_id],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.parametrize("case", CONSENT_CASES)
def test_queryset_update_is_refused_by_the_database(home_page, people, case):
    page = draft_story(home_page, people, case)

    with pytest.raises(IntegrityError):
        update_live_and_commit_check(page)
    assert not is_live(page)


def test_queryset_update_of_a_consented_story_is_allowed(home_page, people):
    page = draft_story(home_page, people, None)
    update_live_and_commit_check(page)
    assert is_live(page)


def test_withdrawing_consent_by_hand_under_a_live_story_is_refused(home_page, people):
    page = story_publish(
        draft_story(home_page, people, "unapproved revision"),
        author=people["author"],
        case_worker=people["case_worker"],
        reviewer=people["reviewer"],
    )
    assert is_live(page)
    with pytest.raises(IntegrityError):
        withdraw_by_hand_and_commit_check(page)


# -- routes that copy a live story ------------------------------------------------------


def live_story(home_page, people) -> StoryPage:
    page = draft_story(home_page, people, "unapproved revision")
    return story_publish(
        page,
        author=people["author"],
        case_worker=people["case_worker"],
        reviewer=people["reviewer"],
    )


def break_live_story(page, people, case: str):
    """Make the live story fail the policy, without writing a live row the database refuses."""
    if case == "withdrawn":
        services.consent_withdraw(storyteller=page.storyteller, by=people["case_worker"])
    elif case == "blocking finding":
        # A detail of the live text turns out to identify the storyteller.
        services.identifying_term_add(
            storyteller=page.storyteller, kind="place", value="tailor", by=people["case_worker"]
        )
    return StoryPage.objects.get(pk=page.pk)


def clock_for(case: str):
    if case == "expired":
        return time_machine.travel(timezone.now() + timedelta(days=400), tick=False)
    return time_machine.travel(timezone.now(), tick=True)


def thai_locale():
    return Locale.objects.get_or_create(language_code="th")[0]


def copy_keep_live(page, people):
    return CopyPageAction(
        page, to=page.get_parent(), update_attrs={"slug": f"{page.slug}-copy"}, keep_live=True
    ).execute(skip_permission_checks=True)


def alias_same_locale(page, people):
    return CreatePageAliasAction(
        page, parent=page.get_parent(), update_slug=f"{page.slug}-alias"
    ).execute(skip_permission_checks=True)


COPY_CASES = ["expired", "withdrawn", "blocking finding", "new content"]
COPY_ROUTES = {"copy with keep-live": copy_keep_live, "create alias": alias_same_locale}


@pytest.mark.parametrize("case", COPY_CASES)
@pytest.mark.parametrize("route", list(COPY_ROUTES))
def test_copies_of_a_broken_story_are_not_live(home_page, people, route, case):
    page = live_story(home_page, people)
    page = break_live_story(page, people, case)
    before = set(Page.objects.values_list("pk", flat=True))
    # A refusal (ValidationError) means nothing was created at all.
    with clock_for(case), contextlib.suppress(ValidationError):
        COPY_ROUTES[route](page, people)
    new_live = Page.objects.live().exclude(pk__in=before)
    assert not new_live.exists()


def test_an_alias_of_a_story_in_order_elsewhere_goes_live(home_page, people):
    """An alias with the same slug elsewhere shows exactly the approved content."""
    page = live_story(home_page, people)
    assert is_live(alias_elsewhere(home_page, page))


def alias_elsewhere(home_page, page):
    other_index = home_page.add_child(
        instance=page.get_parent().specific.__class__(title="More stories", slug="more")
    )
    return CreatePageAliasAction(page, parent=other_index).execute(skip_permission_checks=True)


def test_converting_an_alias_of_a_broken_story_is_refused(home_page, people):
    page = live_story(home_page, people)
    alias = alias_elsewhere(home_page, page)
    break_live_story(page, people, "blocking finding")

    with pytest.raises(ValidationError):
        ConvertAliasPageAction(StoryPage.objects.get(pk=alias.pk)).execute(
            skip_permission_checks=True
        )
    assert StoryPage.objects.get(pk=alias.pk).alias_of_id == page.pk


def test_converting_an_alias_of_a_story_in_order_keeps_it_live(home_page, people):
    page = live_story(home_page, people)
    alias = alias_elsewhere(home_page, page)

    ConvertAliasPageAction(StoryPage.objects.get(pk=alias.pk)).execute(skip_permission_checks=True)

    converted = StoryPage.objects.get(pk=alias.pk)
    assert converted.alias_of_id is None
    assert converted.live


def test_localize_convert_to_alias_never_publishes_outside_consent(client, home_page, people):
    page = live_story(home_page, people)
    consent_give(page.storyteller, by=people["case_worker"], languages=["en"])
    TranslationSource.get_or_create_from_instance(page)
    page.copy_for_translation(thai_locale(), copy_parents=True)
    thai = StoryPage.objects.get(translation_key=page.translation_key, locale=thai_locale())
    from wagtail_localize.models import Translation

    Translation.objects.get_or_create(
        source=TranslationSource.objects.get(object_id=page.translation_key),
        target_locale=thai_locale(),
    )
    client.force_login(people["admin"])

    response = client.post(reverse("wagtail_localize:convert_to_alias", args=[thai.pk]))

    assert response.status_code == 302  # back to the admin with the reasons, not a 500
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("does not cover publishing in this language" in m for m in messages)
    assert not is_live(thai)
    assert StoryPage.objects.get(pk=thai.pk).alias_of_id is None  # nothing half-done


def test_a_thai_translation_outside_consent_never_goes_live(home_page, people):
    page = live_story(home_page, people)
    consent_give(page.storyteller, by=people["case_worker"], languages=["en"])

    TranslationSource.get_or_create_from_instance(page)
    page.copy_for_translation(thai_locale(), copy_parents=True)
    thai = StoryPage.objects.get(translation_key=page.translation_key, locale=thai_locale())
    assert not thai.live
    approve(thai, by=people["reviewer"])  # even with a review, the language is out of scope

    with pytest.raises(PublishGateError) as refusal:
        thai.save_revision(user=people["author"]).publish(user=people["admin"])
    assert {b.code for b in refusal.value.blockers} == {"language_not_in_scope"}
    assert not is_live(thai)


def test_admin_publish_of_a_blocked_story_shows_why(client, home_page, people):
    page = draft_story(home_page, people, "expired")

    response = route_admin_publish(client, page, people)

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("cannot go live" in m and "Consent has expired" in m for m in messages)


def test_nobody_but_a_superuser_sees_a_publish_button_on_stories(client, home_page, people):
    page = draft_story(home_page, people, None)
    for user in (people["author"], staff_in("Moderators")):
        assert not page.permissions_for_user(user).can_publish()
    assert page.permissions_for_user(people["admin"]).can_publish()


def test_scheduled_publishing_goes_on_past_a_blocked_revision(home_page, people, capsys):
    blocked = draft_story(home_page, people, "unapproved revision")
    fine = draft_story(home_page, people, None)
    go_live = timezone.now() + timedelta(hours=1)
    for page in (blocked, fine):
        page.go_live_at = go_live
        revision = page.save_revision(user=people["author"])
        Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=go_live)

    with time_machine.travel(go_live + timedelta(minutes=1)):
        call_command("publish_scheduled")

    assert not is_live(blocked)
    assert is_live(fine)
    errors = capsys.readouterr().err
    assert f"page {blocked.pk}" in errors
    assert "not_approved" in errors


@pytest.mark.parametrize("languages", [["en"], ["en", "th"]])
def test_localize_sync_and_publish_respects_consent(
    home_page, people, languages, django_capture_on_commit_callbacks
):
    """wagtail-localize's "Sync translated pages" with "publish": update the source, then
    save the target with publish=True (it publishes on commit, as its view does)."""
    from wagtail_localize.models import Translation

    page = live_story(home_page, people)
    consent_give(page.storyteller, by=people["case_worker"], languages=languages)
    source, _ = TranslationSource.get_or_create_from_instance(page)
    translation, _ = Translation.objects.get_or_create(source=source, target_locale=thai_locale())
    page.copy_for_translation(thai_locale(), copy_parents=True)
    thai = StoryPage.objects.get(translation_key=page.translation_key, locale=thai_locale())
    approve(thai, by=people["reviewer"])  # the Thai content passed its own review

    source.update_from_db()
    if languages == ["en"]:
        with pytest.raises(PublishGateError), django_capture_on_commit_callbacks(execute=True):
            translation.save_target(user=people["admin"], publish=True)
        assert not is_live(thai)
    else:
        with django_capture_on_commit_callbacks(execute=True):
            translation.save_target(user=people["admin"], publish=True)
        assert is_live(thai)


def test_only_an_assigned_case_worker_checks_consent(home_page, people):
    page = draft_story(home_page, people, None)
    page_submit_for_moderation(page=page, by=people["author"])
    stranger = staff_in("Case workers")  # a case worker, but not this storyteller's

    with pytest.raises(PermissionDenied):
        page_task_act(page=page, by=stranger)
    page_task_act(page=page, by=people["case_worker"])  # assigned: allowed
    page.refresh_from_db()
    assert page.current_workflow_task.name == "Safeguarding review"
