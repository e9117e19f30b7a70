"""Image forms: the upload form's safety net (``WAGTAILIMAGES_IMAGE_FORM_BASE``)."""

from django.core.exceptions import ValidationError
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from cms.core.images import UNREADABLE_MESSAGE


class DecodingImageField(WagtailImageField):
    """Wagtail's upload field, turning a decoding failure into a form error.

    Wagtail 8.0.1 checks the pixel count through Willow, which decodes the whole file and lets
    ``OSError`` ("image file is truncated") escape: a truncated JPEG gave a 500.
    """

    def check_image_pixel_size(self, f):
        try:
            super().check_image_pixel_size(f)
        except ValidationError:
            raise
        except Exception:  # hostile files make Pillow's decoders raise almost anything
            raise ValidationError(UNREADABLE_MESSAGE, code="invalid_image") from None


class ImageForm(BaseImageForm):
    """Base of every image form (``WAGTAILIMAGES_IMAGE_FORM_BASE``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            # Wagtail builds this field in a hard-coded formfield callback; switching the class
            # keeps its label, limits, widget and messages (it only adds an except clause).
            # Declaring the field instead would force it into the multi-upload edit form.
            self.fields["file"].__class__ = DecodingImageField
