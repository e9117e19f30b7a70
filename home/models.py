from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from cms.core.models import BasePage
from home.blocks import StandardBodyBlock
from stories.models.pages import FeaturedStory


class HomePage(BasePage):
    """The front page: what igivehope is for, the map of stories, and the ways in."""

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
    featured_campaign = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("current campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown on the home page while it is live; leave empty when there is none."),
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("mission_heading"),
        FieldPanel("mission"),
        MultiFieldPanel(
            [
                InlinePanel(
                    "featured_stories",
                    label=_("story"),
                    max_num=3,
                    help_text=_(
                        "Up to three. A story that is no longer public is skipped; the most "
                        "recent stories fill the free places."
                    ),
                ),
                FieldPanel("featured_campaign"),
            ],
            heading=_("Featured"),
        ),
    ]

    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]

    def get_context(self, request, *args, **kwargs):
        from home.selectors import home_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(home_page_context(page=self, request=request))
        return context


class HomePageFeaturedStory(FeaturedStory):
    """A story chosen for the home page. Shown in each language through its translation."""

    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_stories")

    class Meta(FeaturedStory.Meta):
        verbose_name = _("featured story")


class StandardPage(BasePage):
    """A simple page: about us, how your gift is used, privacy, contact."""

    intro = models.TextField(
        _("introduction"), max_length=600, blank=True, help_text=_("One or two sentences.")
    )
    body = StreamField(StandardBodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]
