"""Campaign pages, the #igivehope page, and the private records behind them.

- ``CampaignPage``: hashtag, goal, dates, campaign art, body, featured stories (shown only
  while public: ``stories.selectors.stories_public``), a donate block for the campaign fund
  (``cms.donations``: a ``Fund`` keyed by the page's ``translation_key``), a share kit and a
  "how to" kit (one Wagtail document per locale).
- ``IGiveHopePage``: a campaign page with a coordinated **moment** replacing Thunderclap:
  supporters sign up (double opt-in) and at the moment each gets one email with share
  links. Nothing is ever posted on anyone's behalf.
- ``Supporter`` and ``MomentRun`` are private (``__str__`` opaque, not searchable, purged
  ``CAMPAIGN_DATA_RETENTION_DAYS`` after the campaign ends). Messages of hope on the wall are
  ``cms.donations.models.HopeMessage`` rows without a donation.

Supporters and moments belong to a campaign's ``translation_key``, so every language of the
page counts towards one moment.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from cms.core.models import BasePage
from cms.donations.currencies import CURRENCY_CHOICES
from stories.models.pages import FeaturedStory

# --------------------------------------------------------------------------------------
# Blocks
# --------------------------------------------------------------------------------------


class CampaignQuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"), max_length=600)
    attribution = blocks.CharBlock(label=_("attribution"), required=False, max_length=80)

    class Meta:
        icon = "openquote"
        template = "components/blocks/quote_block.html"


class CampaignBodyBlock(blocks.StreamBlock):
    """Text only: the hero is the campaign's one image, so no survivor media slips in."""

    paragraph = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link"], label=_("paragraph")
    )
    quote = CampaignQuoteBlock()


SHARE_NETWORKS = [
    ("x", "X"),
    ("facebook", "Facebook"),
    ("whatsapp", "WhatsApp"),
    ("line", "LINE"),
    ("telegram", "Telegram"),
    ("email", _("Email")),
]


class ShareMessageBlock(blocks.StructBlock):
    network = blocks.ChoiceBlock(choices=SHARE_NETWORKS, label=_("network"))
    text = blocks.TextBlock(
        label=_("message"),
        max_length=240,
        help_text=_("Written for this network. The hashtag and the page link are added."),
    )

    class Meta:
        icon = "link"


# --------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------

hashtag_validator = RegexValidator(
    r"^#?[^\s#]{2,50}$",
    _("Enter one hashtag without spaces, like #igivehope."),
)


class CampaignPage(BasePage):
    """An awareness and fundraising campaign."""

    class Goal(models.TextChoices):
        NONE = "", _("No goal shown")
        MONEY = "money", _("An amount raised (from the ledger)")
        SUPPORTERS = "supporters", _("A number of supporters")

    hashtag = models.CharField(
        _("hashtag"),
        max_length=51,
        validators=[hashtag_validator],
        help_text=_("Without spaces, e.g. #igivehope."),
    )
    intro = models.TextField(_("introduction"), max_length=600, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    goal_kind = models.CharField(
        _("goal"), max_length=12, choices=Goal.choices, default=Goal.NONE, blank=True
    )
    goal_minor = models.PositiveBigIntegerField(
        _("amount goal (minor units)"),
        null=True,
        blank=True,
        help_text=_("In the currency's smallest unit: 500000 is 5,000.00 USD."),
    )
    goal_currency = models.CharField(
        _("goal currency"), max_length=3, choices=CURRENCY_CHOICES, blank=True
    )
    goal_supporters = models.PositiveIntegerField(_("supporter goal"), null=True, blank=True)
    hero_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("campaign art"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Campaign artwork only: never a photo of a survivor. Images used in a story or "
            "showing faces are refused."
        ),
    )
    hero_alt = models.CharField(
        _("campaign art description"),
        max_length=200,
        blank=True,
        help_text=_("What the artwork shows, for people who cannot see it."),
    )
    body = StreamField(CampaignBodyBlock(), verbose_name=_("body"), blank=True)
    share_kit = StreamField(
        [("message", ShareMessageBlock())], verbose_name=_("share kit"), blank=True
    )
    how_to_kit = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("“how to” kit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A download in this page's language; each translation can have its own."),
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("hashtag"),
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")], heading=_("Dates")),
        MultiFieldPanel(
            [
                FieldPanel("goal_kind"),
                FieldRowPanel([FieldPanel("goal_minor"), FieldPanel("goal_currency")]),
                FieldPanel("goal_supporters"),
            ],
            heading=_("Goal"),
        ),
        MultiFieldPanel(
            [FieldPanel("hero_image"), FieldPanel("hero_alt")], heading=_("Campaign art")
        ),
        FieldPanel("body"),
        InlinePanel(
            "featured_stories",
            label=_("featured story"),
            max_num=6,
            help_text=_("Only stories that are public appear; the others are left out."),
        ),
        FieldPanel("share_kit"),
        FieldPanel("how_to_kit"),
    ]

    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        TranslatableField("seo_title"),
        TranslatableField("search_description"),
        TranslatableField("intro"),
        TranslatableField("hero_alt"),
        TranslatableField("body"),
        TranslatableField("share_kit"),
        SynchronizedField("hashtag", overridable=False),
        SynchronizedField("starts_on", overridable=False),
        SynchronizedField("ends_on", overridable=False),
        SynchronizedField("goal_kind", overridable=False),
        SynchronizedField("goal_minor", overridable=False),
        SynchronizedField("goal_currency", overridable=False),
        SynchronizedField("goal_supporters", overridable=False),
        SynchronizedField("hero_image", overridable=False),
        SynchronizedField("how_to_kit", overridable=True),
        SynchronizedField("featured_stories", overridable=False),
    ]

    search_fields = BasePage.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("campaign page")

    @property
    def hashtag_text(self) -> str:
        """The hashtag without its "#", as share links want it."""
        return self.hashtag.lstrip("#")

    def clean(self) -> None:
        super().clean()
        from campaigns.policy import goal_errors, hero_image_problem

        errors = goal_errors(self)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end must be on or after the start.")
        if problem := hero_image_problem(self.hero_image):
            errors["hero_image"] = problem
        if errors:
            raise ValidationError(errors)

    def get_context(self, request, *args, **kwargs):
        from campaigns.selectors import campaign_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(campaign_page_context(page=self, request=request))
        return context


class CampaignPageFeaturedStory(FeaturedStory):
    page = ParentalKey(CampaignPage, on_delete=models.CASCADE, related_name="featured_stories")

    class Meta(FeaturedStory.Meta):
        verbose_name = _("featured story")


class IGiveHopePage(CampaignPage):
    """#igivehope: a campaign with a coordinated moment (what Thunderclap did, without
    posting on anyone's behalf)."""

    moment = models.DateTimeField(
        _("the moment (UTC)"),
        help_text=_(
            "One instant, in UTC. Visitors see it in their own time zone, with a countdown."
        ),
    )
    threshold = models.PositiveIntegerField(
        _("supporter threshold"),
        null=True,
        blank=True,
        help_text=_(
            "Optional. If fewer supporters have confirmed by the moment, they receive the "
            "“not yet” message instead."
        ),
    )
    moment_message = models.TextField(
        _("message to share"),
        max_length=200,
        help_text=_("What supporters share at the moment. The hashtag and link are added."),
    )
    not_yet_message = models.TextField(
        _("“not yet” message"),
        max_length=1000,
        blank=True,
        help_text=_("Sent instead when the threshold was not reached."),
    )

    content_panels = CampaignPage.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("moment"),
                FieldPanel("threshold"),
                FieldPanel("moment_message"),
                FieldPanel("not_yet_message"),
            ],
            heading=_("The moment"),
        ),
    ]

    translatable_fields = CampaignPage.translatable_fields + [
        SynchronizedField("moment", overridable=False),
        SynchronizedField("threshold", overridable=False),
        TranslatableField("moment_message"),
        TranslatableField("not_yet_message"),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("#igivehope page")

    def get_template(self, request, *args, **kwargs):
        return "pages/igivehope_page.html"

    @property
    def moment_passed(self) -> bool:
        return self.moment <= timezone.now()


# --------------------------------------------------------------------------------------
# Private records
# --------------------------------------------------------------------------------------


class Supporter(models.Model):
    """Someone who asked for the #igivehope moment email. Private: an address and a
    language, nothing else; purged after the campaign (``purge_campaign_data``)."""

    campaign_key = models.UUIDField(db_index=True)  # the IGiveHopePage's translation_key
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=10)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Written in the same transaction as the moment email's outbox row: exactly once.
    moment_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                "campaign_key", Lower("email"), name="campaigns_one_supporter_per_address"
            )
        ]
        indexes = [
            models.Index(
                fields=["campaign_key"],
                condition=models.Q(
                    confirmed_at__isnull=False,
                    unsubscribed_at__isnull=True,
                    moment_sent_at__isnull=True,
                ),
                name="campaigns_supporter_due",
            )
        ]

    def __str__(self) -> str:
        return f"Supporter {self.pk}"

    @property
    def is_counted(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class MomentRun(models.Model):
    """The moment of one campaign, once it started: whether the threshold was reached is
    decided at the first run and kept, so a resumed run sends the same kind of email."""

    campaign_key = models.UUIDField(unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    confirmed_supporters = models.PositiveIntegerField()
    threshold_reached = models.BooleanField()

    def __str__(self) -> str:
        return f"Moment {self.campaign_key}"
