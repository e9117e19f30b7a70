"""Admin for images: the mask-faces and attest actions.

Thin views: check the request, call the service in ``cms/core/images.py``, say what happened.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.images import get_image_model
from wagtail.permissions import policy_registry

from cms.core.images import (
    ImageRejected,
    NoFacesToMask,
    image_attest,
    image_mask_faces,
)
from cms.core.models import CustomImage


class MaskFacesForm(forms.Form):
    style = forms.ChoiceField(
        choices=[
            ("fill", gettext_lazy("Solid fill")),
            ("pixelate", gettext_lazy("Coarse pixelation")),
        ],
        initial="fill",
    )


def _image_for_change(request: HttpRequest, image_id: int) -> CustomImage | None:
    """The image, or None if the user may not change it.

    Either permission counts: the model permission ``core.change_customimage`` (what our
    groups grant), or Wagtail's collection permission ``wagtailimages.change_image`` (what
    Wagtail's image admin checks, also for a custom image model).
    """
    image = get_object_or_404(get_image_model(), pk=image_id)
    policy = policy_registry.get_by_type(get_image_model())
    if request.user.has_perm("core.change_customimage"):
        return image
    if policy.user_has_permission_for_instance(request.user, "change", image):
        return image
    return None


def _forbidden() -> HttpResponse:
    # Not PermissionDenied: Wagtail's admin wrapper turns that into a redirect to the dashboard.
    return HttpResponseForbidden(_("You do not have permission to change this image."))


@require_POST
def image_mask_faces_view(request: HttpRequest, image_id: int) -> HttpResponse:
    image = _image_for_change(request, image_id)
    if image is None:
        return _forbidden()
    form = MaskFacesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to mask the faces: solid fill or pixelation."))
        return redirect("wagtailimages:edit", image.pk)
    try:
        copy = image_mask_faces(image=image, by=request.user, style=form.cleaned_data["style"])
    except NoFacesToMask as reason:
        messages.warning(request, str(reason))
        return redirect("wagtailimages:edit", image.pk)
    except ImageRejected:
        messages.error(request, _("The masked copy could not be saved. Please try again."))
        return redirect("wagtailimages:edit", image.pk)
    edit_copy = messages.button(reverse("wagtailimages:edit", args=[copy.pk]), _("Edit the copy"))
    if copy.has_faces:
        messages.warning(
            request,
            _(
                "A masked copy was saved, but the detector still finds a face on it. "
                "Review the copy before using it."
            ),
            buttons=[edit_copy],
        )
    else:
        messages.success(
            request,
            _("A copy with the faces masked was saved. Use the copy; this original is unchanged."),
            buttons=[edit_copy],
        )
    return redirect("wagtailimages:edit", image.pk)


@require_POST
def image_attest_view(request: HttpRequest, image_id: int) -> HttpResponse:
    # The attest permission (not the change permission) decides; the service checks it.
    image = get_object_or_404(get_image_model(), pk=image_id)
    try:
        image_attest(image=image, by=request.user)
    except PermissionDenied as reason:
        return HttpResponseForbidden(str(reason))
    messages.success(request, _("You attested that this image was reviewed."))
    return redirect("wagtailimages:edit", image.pk)
