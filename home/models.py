from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from cms.core.models import BasePage


class HomePage(BasePage):
    """The front page: what igivehope is for, and the ways in."""

    mission_heading = models.CharField(
        _("mission heading"),
        max_length=120,
        help_text=_("One short sentence, shown as the page's main heading."),
    )
    mission = models.TextField(
        _("mission statement"),
        max_length=600,
        help_text=_("Two or three sentences on what a gift does. Plain text."),
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("mission_heading"),
        FieldPanel("mission"),
    ]

    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]
