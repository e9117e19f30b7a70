"""StreamField blocks for the simple pages (about, how your gift is used, privacy, contact)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms.core.blocks import PARAGRAPH_FEATURES, ImageBlock


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"), max_length=600)
    attribution = blocks.CharBlock(label=_("attribution"), required=False, max_length=80)

    class Meta:
        icon = "openquote"
        template = "components/blocks/quote_block.html"


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("button text"), max_length=60)
    page = blocks.PageChooserBlock(label=_("page"))

    class Meta:
        icon = "link"
        template = "components/blocks/call_to_action_block.html"


class StandardBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, label=_("paragraph"))
    image = ImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock(label=_("call to action"))
