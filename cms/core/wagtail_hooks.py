"""Wagtail admin registrations for the core app: image safety actions and their audit log."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from cms.core import views


@hooks.register("register_admin_urls")
def register_image_safety_urls():
    # The buttons are in templates/wagtailimages/images/edit.html: Wagtail 8 has no hook for
    # actions on the image edit page.
    return [
        path(
            "image-safety/<int:image_id>/mask-faces/",
            views.image_mask_faces_view,
            name="core_image_mask_faces",
        ),
        path(
            "image-safety/<int:image_id>/attest/",
            views.image_attest_view,
            name="core_image_attest",
        ),
    ]


@hooks.register("register_log_actions")
def register_image_safety_log_actions(actions):
    actions.register_action("core.image.masked", _("Mask faces"), _("Faces masked in a new copy"))
    actions.register_action("core.image.attested", _("Attest review"), _("Attested as reviewed"))
