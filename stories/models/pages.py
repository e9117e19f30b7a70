"""Public story pages. They hold only what may be public (see stories/models/private.py)."""

from django.core.validators import MinValueValidator
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, PagePermissionTester, TranslatableMixin
from wagtail.search import index
from wagtail.url_routing import RouteResult
from wagtail_localize.fields import SynchronizedField, TranslatableField

from cms.core.models import BasePage
from cms.donations.currencies import CURRENCY_CHOICES
from stories.blocks import StoryBodyBlock
from stories.page_forms import StoryPageForm
from stories.panels import PublicationCheckPanel
from stories.regions import REGION_CHOICES


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
        from stories.selectors import story_index_context  # selectors import the models

        context = super().get_context(request, *args, **kwargs)
        context.update(story_index_context(page=self, request=request))
        return context

    def route(self, request, path_components):
        """A story in one query, its storyteller with it (``StoryPage.serve`` reads the
        consent), where Wagtail's default takes two; a story that was public and has been
        taken down answers 410 Gone, not 404."""
        if not path_components:
            return super().route(request, path_components)
        slug, *rest = path_components
        story = (
            StoryPage.objects.child_of(self).filter(slug=slug).select_related("storyteller").first()
        )
        if story is None:
            raise Http404
        story._cached_parent_obj = self  # as Wagtail's route: get_parent() needs no query
        if not story.live and not rest and story.first_published_at is not None:
            return RouteResult(story, kwargs={"gone": True})
        return story.route(request, rest)


STORY_WORKFLOW_NAME = "Story publication"


class StoryPermissionTester(PagePermissionTester):
    """Nobody holds plain publish permission on stories: they go live through the workflow.

    Superusers keep the button, but the gate still requires a safeguarding approval of
    exactly this content by someone else, so they cannot bypass review either.
    """

    def can_publish(self):
        return self.user.is_active and self.user.is_superuser and super().can_publish()

    def can_publish_subpage(self):
        return False


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
    base_form_class = StoryPageForm

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

    # The public content a safeguarding approval covers (cms/workflows/approvals.py).
    approval_fingerprint_fields = [
        "title",
        "slug",
        "seo_title",
        "search_description",
        "summary",
        "region",
        "age_band",
        "exploitation",
        "storyteller_id",
    ]
    approval_fingerprint_children = {
        "needs": ["title", "category", "goal_minor", "currency", "status"],
        "updates": ["month", "title", "text"],
    }
    # Writing any of these on a live row re-runs the gate even with update_fields.
    # Converting an alias (alias_of) makes its content the page's own: checked too.
    publish_gate_fields = frozenset(
        {
            "storyteller",
            "region",
            "title",
            "slug",
            "summary",
            "body",
            "seo_title",
            "alias_of",
            "alias_of_id",
        }
    )

    def publication_blockers(self):
        """The gate's question for stories: consent, scanner findings, four-eyes approval."""
        from cms.workflows.approvals import approval_blockers
        from stories.consent import publication_blockers

        return publication_blockers(self) + approval_blockers(self)

    def get_workflow(self):
        """Stories in every locale use the story workflow, wherever they sit in the tree."""
        from wagtail.models import Workflow

        return Workflow.objects.filter(name=STORY_WORKFLOW_NAME, active=True).first()

    def permissions_for_user(self, user):
        return StoryPermissionTester(user, self)

    def serve(self, request, *args, gone: bool = False, **kwargs):
        # Consent is checked again at request time: between a withdrawal or an expiry and
        # the job that unpublishes, nothing of the story is served.
        from stories.consent import consent_blockers

        storyteller = self.storyteller
        consent = storyteller.current_consent
        if (
            gone
            or consent_blockers(consent, storyteller=storyteller)
            # The active language is this page's: i18n URLs route to its locale's tree.
            or translation.get_language() not in consent.languages
        ):
            response = TemplateResponse(request, "pages/story_gone.html", status=410)
            response["Cache-Control"] = "no-store"
            return response
        # The language switcher offers only languages this consent covers (home/languages.py);
        # the template's byline and robots tag read the same consent.
        self.readable_languages = set(consent.languages)
        self.served_consent = consent
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from stories.selectors import story_page_context  # selectors import the models

        context = super().get_context(request, *args, **kwargs)
        context.update(story_page_context(page=self))
        return context

    def get_sitemap_urls(self, request=None):
        """Only stories whose current consent allows search engines are in the sitemap."""
        from stories.selectors import stories_searchable

        if not stories_searchable().filter(pk=self.pk).exists():
            return []
        return super().get_sitemap_urls(request)

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


class FeaturedStory(Orderable):
    """A story another page chooses to feature (home, campaigns). Only public stories are
    ever shown: listings go through ``stories.selectors.stories_public``."""

    story = models.ForeignKey(
        "stories.StoryPage", on_delete=models.CASCADE, related_name="+", verbose_name=_("story")
    )

    panels = [FieldPanel("story")]

    class Meta(Orderable.Meta):
        abstract = True
        verbose_name = _("featured story")

    def __str__(self) -> str:
        return f"Featured story {self.sort_order}"
