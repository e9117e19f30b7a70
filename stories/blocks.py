"""StreamField blocks for story bodies. Dates stop at month precision on purpose."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms.core.blocks import PARAGRAPH_FEATURES, ImageBlock

MONTH_CHOICES = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"), max_length=600)
    attribution = blocks.CharBlock(
        label=_("attribution"),
        required=False,
        max_length=80,
        help_text=_("Usually the pseudonym. Never a real name, role or employer."),
    )

    class Meta:
        icon = "openquote"
        template = "components/blocks/quote_block.html"


class MilestoneBlock(blocks.StructBlock):
    """A step of the journey, dated to the month: a day-precise date can identify."""

    month = blocks.ChoiceBlock(choices=MONTH_CHOICES, label=_("month"))
    year = blocks.IntegerBlock(label=_("year"), min_value=1990)
    text = blocks.TextBlock(label=_("what happened"), max_length=400)

    class Meta:
        icon = "date"
        template = "components/blocks/milestone_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["month_name"] = dict(MONTH_CHOICES).get(int(value["month"]), "")
        return context

    def clean(self, value):
        value = super().clean(value)
        today = timezone.localdate()
        if (value["year"], int(value["month"])) > (today.year, today.month):
            raise blocks.StructBlockValidationError(
                block_errors={"year": [_("A milestone cannot be in the future.")]}
            )
        return value


class StoryBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, label=_("paragraph"))
    quote = QuoteBlock()
    image = ImageBlock()
    milestone = MilestoneBlock(label=_("journey milestone"))
