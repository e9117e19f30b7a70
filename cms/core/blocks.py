"""StreamField blocks shared by every page type (stories, simple pages)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

# Links, headings and emphasis only: no embeds, no raw HTML, no images inside text (images
# go through the image block, where faces and attestation are checked).
PARAGRAPH_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link"]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        max_length=200,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        template = "components/blocks/image_block.html"
