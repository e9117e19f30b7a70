"""Public story pages. They hold only what may be public (see stories/models/private.py)."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from cms.core.models import BasePage
from cms.donations.currencies import CURRENCY_CHOICES
from stories.blocks import StoryBodyBlock
from stories.panels import PublicationCheckPanel
from stories.regions import REGION_CHOICES, region_get


class StoryIndexPage(BasePage):
    intro = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    subpage_types = ["stories.StoryPage"]
    max_count_per_parent = 1

    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        TranslatableField("seo_title"),
        TranslatableField("search_description"),
        TranslatableField("intro"),
    ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["stories"] = (
            StoryPage.objects.child_of(self).live().public().order_by("-first_published_at")
        )
        return context


class StoryPage(BasePage):
    """A survivor's story, told under a pseudonym, with what they need next."""

    class AgeBand(models.TextChoices):
        CHILD = "under-18", _("Under 18")
        YOUNG = "18-24", _("18–24")
        ADULT = "25-34", _("25–34")
        MIDDLE = "35-44", _("35–44")
        OLDER = "45+", _("45 and over")

    class Exploitation(models.TextChoices):
        FORCED_LABOUR = "forced-labour", _("Forced labour")
        FISHING = "fishing", _("Forced labour at sea")
        DOMESTIC = "domestic", _("Domestic servitude")
        SEXUAL = "sexual", _("Sexual exploitation")
        MARRIAGE = "marriage", _("Forced marriage")
        CRIMINALITY = "criminality", _("Forced criminality and online scams")
        OTHER = "other", _("Other exploitation")

    storyteller = models.ForeignKey(
        "stories.Storyteller",
        on_delete=models.PROTECT,
        related_name="story_pages",
        verbose_name=_("storyteller (case code)"),
        help_text=_("Chosen with the case worker. Consent for this person decides publication."),
    )
    summary = models.TextField(
        _("summary"), max_length=300, help_text=_("One or two sentences for listings.")
    )
    body = StreamField(StoryBodyBlock(), verbose_name=_("story"), blank=True)
    region = models.CharField(
        _("region"),
        max_length=10,
        choices=REGION_CHOICES,
        blank=True,
        help_text=_("Only as precise as the consent allows; leave empty if no place may be named."),
    )
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, blank=True)
    exploitation = models.CharField(
        _("form of exploitation"), max_length=20, choices=Exploitation.choices, blank=True
    )

    content_panels = [
        PublicationCheckPanel(),
        *BasePage.content_panels,
        FieldPanel("storyteller"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("region"), FieldPanel("age_band"), FieldPanel("exploitation")],
            heading=_("About the storyteller"),
        ),
        FieldPanel("body"),
        InlinePanel("needs", heading=_("Needs"), label=_("need")),
        InlinePanel("updates", heading=_("Outcome updates"), label=_("update")),
    ]

    parent_page_types = ["stories.StoryIndexPage"]
    subpage_types = []

    # The storyteller link and the facts that consent bounds are copied to every
    # translation and can never be overridden by a translator.
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        TranslatableField("seo_title"),
        TranslatableField("search_description"),
        TranslatableField("summary"),
        TranslatableField("body"),
        SynchronizedField("storyteller", overridable=False),
        SynchronizedField("region", overridable=False),
        SynchronizedField("age_band", overridable=False),
        SynchronizedField("exploitation", overridable=False),
        TranslatableField("needs"),
        TranslatableField("updates"),
    ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        consent = self.storyteller.current_consent
        context["show_pseudonym"] = bool(consent and consent.pseudonym)
        context["region"] = region_get(self.region) if self.region else None
        return context

    # Only public text is indexed; nothing from the private storyteller record.
    search_fields = BasePage.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("region"),
    ]


class StoryNeed(TranslatableMixin, Orderable):
    """A concrete thing the storyteller needs, with its goal in integer minor units."""

    class Category(models.TextChoices):
        SHELTER = "shelter", _("Shelter")
        MEDICAL = "medical", _("Medical care")
        LEGAL = "legal", _("Legal help")
        JOURNEY_HOME = "journey-home", _("Journey home")
        EDUCATION = "education", _("Education")
        SKILLS = "skills", _("Skills training")
        JOB = "job", _("Finding a job")
        SMALL_BUSINESS = "small-business", _("Small business")

    class Status(models.TextChoices):
        OPEN = "open", _("Open for gifts")
        FUNDED = "funded", _("Fully funded")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("No longer needed")

    page = ParentalKey(StoryPage, on_delete=models.CASCADE, related_name="needs")
    title = models.CharField(_("what is needed"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    goal_minor = models.PositiveBigIntegerField(
        _("goal (in cents, satang… the currency's smallest unit)"),
        validators=[MinValueValidator(1)],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("category"),
        FieldPanel("goal_minor"),
        FieldPanel("currency"),
        FieldPanel("status"),
    ]

    # Money fields follow the source page: a translator cannot change an amount.
    translatable_fields = [
        TranslatableField("title"),
        SynchronizedField("category", overridable=False),
        SynchronizedField("goal_minor", overridable=False),
        SynchronizedField("currency", overridable=False),
        SynchronizedField("status", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("need")

    def __str__(self) -> str:
        return self.title


class StoryUpdate(TranslatableMixin, Orderable):
    """What happened next, so donors learn what their gift did. Dated to the month."""

    page = ParentalKey(StoryPage, on_delete=models.CASCADE, related_name="updates")
    month = models.DateField(
        _("month"), help_text=_("Any day of the month: only the month and year are shown.")
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("what happened"), max_length=1500)

    panels = [FieldPanel("month"), FieldPanel("title"), FieldPanel("text")]

    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("text"),
        SynchronizedField("month", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("outcome update")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        if self.month:
            self.month = self.month.replace(day=1)  # never keep a day-precise date
