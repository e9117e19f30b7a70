"""Shared building blocks: the base page type and the custom image model."""

from django.db import models
from django.utils.text import camel_case_to_spaces
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Page


class BasePage(Page):
    """Every page type of the site derives from this.

    Templates are organised by role, not by app: ``StoryPage`` renders
    ``templates/pages/story_page.html``, so a designer finds it without knowing Django.
    """

    class Meta:
        abstract = True

    def get_template(self, request, *args, **kwargs):
        name = camel_case_to_spaces(type(self).__name__).replace(" ", "_")
        return f"pages/{name}.html"


class CustomImage(AbstractImage):
    """The site's image model (``WAGTAILIMAGES_IMAGE_MODEL``).

    Custom from day one, so that upload sanitising and review fields live on our model.
    """

    admin_form_fields = Image.admin_form_fields

    class Meta(AbstractImage.Meta):
        verbose_name = "image"
        verbose_name_plural = "images"
        permissions = [("choose_image", "Can choose image")]


class CustomRendition(AbstractRendition):
    image = models.ForeignKey(CustomImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
