"""What a campaign page may hold: plain functions asked by ``CampaignPage.clean()``.

Campaign art is never survivor media. An image is refused as a campaign's hero if a story
page refers to it (Wagtail's reference index, which records every image a page uses) or if
the face detector found a face in it (``CustomImage.has_faces``).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _


def hero_image_problem(image) -> str | None:
    """Why ``image`` cannot be campaign art, or ``None``."""
    if image is None:
        return None
    from wagtail.models import ReferenceIndex

    from stories.models import StoryPage

    story_types = [
        ContentType.objects.get_for_model(model)
        for model in (StoryPage, *StoryPage.__subclasses__())
    ]
    used_by_story = (
        ReferenceIndex.get_references_to(image).filter(content_type__in=story_types).exists()
    )
    if used_by_story:
        return _("This image is used in a story: campaign art must never be survivor media.")
    if image.has_faces:
        return _("This image shows a face: campaign art must not show people's faces.")
    return None


def goal_errors(page) -> dict[str, str]:
    """A goal of money needs an amount and a currency; a goal of supporters, a number."""
    errors: dict[str, str] = {}
    if page.goal_kind == "money":
        if not page.goal_minor:
            errors["goal_minor"] = _("Enter the amount to raise.")
        if not page.goal_currency:
            errors["goal_currency"] = _("Choose the currency of the goal.")
    elif page.goal_kind == "supporters" and not page.goal_supporters:
        errors["goal_supporters"] = _("Enter the number of supporters to reach.")
    return errors
