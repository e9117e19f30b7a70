"""Admin hooks that mirror the publish gate: say why, instead of failing.

Each hook asks the same ``publication_blockers()`` as ``save()`` (cms/core/publishing.py),
so the message and the refusal always agree.
"""

from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.widgets import ListingButton

from cms.workflows import gate_messages, views
from cms.workflows.translators import is_translation


@hooks.register("register_admin_urls")
def register_translation_submit_url():
    return [
        path(
            "translations/<int:page_id>/submit/",
            views.translation_submit,
            name="workflows_translation_submit",
        )
    ]


def translation_submit_button(page, user, *args, next_url=None, **kwargs):
    if (
        page.locale_id
        and is_translation(page)
        and not page.workflow_in_progress
        and page.permissions_for_user(user).can_edit()
    ):
        yield ListingButton(
            _("Submit translation for review"),
            reverse("workflows_translation_submit", args=[page.pk]),
            priority=65,
            icon_name="resubmit",
        )


hooks.register("register_page_listing_more_buttons", translation_submit_button)
hooks.register("register_page_header_buttons", translation_submit_button)


@hooks.register("before_publish_page")
def refuse_blocked_publish(request, page):
    blockers = page.specific.publication_blockers()
    if blockers:
        messages.error(request, gate_messages.summary(page, blockers))
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_bulk_action")
def refuse_blocked_bulk_publish(request, action_type, objects, action_class_instance):
    if action_type != "publish":
        return None
    blocked = [
        page for page in objects if page.get_latest_revision_as_object().publication_blockers()
    ]
    if blocked:
        messages.error(
            request,
            _("Nothing was published: %(count)s page(s) cannot go live yet: %(titles)s.")
            % {"count": len(blocked), "titles": ", ".join(page.title for page in blocked)},
        )
        return redirect(request.META.get("HTTP_REFERER") or "wagtailadmin_explore_root")
    return None


@hooks.register("before_copy_page")
def refuse_publishing_copies_of_stories(request, page):
    # A copy in the admin gets a new slug, so it is new content that needs its own review;
    # saying so here beats the gate's refusal in the middle of the copy.
    from stories.models import StoryPage

    publishing = request.method == "POST" and request.POST.get("publish_copies")
    if publishing and isinstance(page.specific, StoryPage):
        messages.error(request, _("Copies of stories start as drafts: submit the copy for review."))
        return redirect("wagtailadmin_pages:copy", page.pk)
    return None


@hooks.register("register_log_actions")
def register_story_log_actions(actions):
    actions.register_action(
        "stories.withdrawn", _("Withdrawn"), _("Taken down: the storyteller withdrew consent")
    )
    actions.register_action(
        "stories.consent_expired", _("Consent expired"), _("Taken down: consent expired")
    )
    actions.register_action(
        "stories.consent_narrowed",
        _("Consent narrowed"),
        _("Taken down: the new consent does not cover this page"),
    )
    actions.register_action(
        "stories.publish_blocked", _("Publish blocked"), _("Publishing refused by the gate")
    )
