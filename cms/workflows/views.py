"""The translator's "Submit translation for review" (wagtail-localize's editor has none)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.models import Page

from cms.workflows.services import page_submit_for_moderation
from cms.workflows.translators import is_translation


def translation_submit(request, page_id: int):
    page = get_object_or_404(Page, pk=page_id).specific
    if not is_translation(page) or not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    if request.method == "POST":
        if page.workflow_in_progress:
            messages.warning(request, _("This translation is already in review."))
        else:
            page_submit_for_moderation(page=page, by=request.user)
            messages.success(
                request,
                _("“%(title)s” was submitted for review.")
                % {"title": page.get_admin_display_title()},
            )
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return TemplateResponse(
        request,
        "workflows/translation_submit.html",
        {"page": page, "blockers": page.publication_blockers()},
    )
