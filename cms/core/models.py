"""Shared building blocks: the base page type and the custom image model."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone
from django.utils.text import camel_case_to_spaces
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Page, PageViewRestriction
from wagtail.utils.file import hash_filelike

from cms.core.faces import FaceBox, detect_faces
from cms.core.images import ImageRejected, neutral_name, sanitise_image_bytes
from cms.core.publishing import PublishGateMixin


class BasePage(PublishGateMixin, Page):
    """Every page type of the site derives from this, and so passes the publish gate
    (``cms/core/publishing.py``).

    Templates are organised by role, not by app: ``StoryPage`` renders
    ``templates/pages/story_page.html``, so a designer finds it without knowing Django.
    """

    class Meta:
        abstract = True

    def get_template(self, request, *args, **kwargs):
        name = camel_case_to_spaces(type(self).__name__).replace(" ", "_")
        return f"pages/{name}.html"

    # Set on a page found through the route cache when no view restriction applies to it
    # or its ancestors (cms/core/page_routes.py); a new restriction retires that entry.
    view_restrictions_none = False

    def get_view_restrictions(self):
        if self.view_restrictions_none:
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class CustomImage(AbstractImage):
    """The site's image model (``WAGTAILIMAGES_IMAGE_MODEL``).

    Every new file, however it arrives (admin upload, API, code), is re-encoded without
    metadata, stored under a random name and checked for faces before it is saved
    (``cms/core/images.py``, ``cms/core/faces.py``). A reviewer then attests the image; any
    change of file clears the attestation.
    """

    faces = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Face boxes found at upload: x, y, width, height in pixels of the stored file.",
    )
    faces_detected_at = models.DateTimeField(null=True, blank=True, editable=False)
    masked_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="masked_copies",
        help_text="The image this one was made from by masking faces.",
    )
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attested_by.wagtail_reference_index_ignore = True
    attested_at = models.DateTimeField(null=True, blank=True, editable=False)

    admin_form_fields = Image.admin_form_fields

    # Set by save() from the file; listed so that save(update_fields=["file"]) writes them too.
    FILE_DERIVED_FIELDS = (
        "width",
        "height",
        "file_size",
        "file_hash",
        "faces",
        "faces_detected_at",
        "attested_by",
        "attested_at",
    )

    class Meta(AbstractImage.Meta):
        verbose_name = "image"
        verbose_name_plural = "images"
        permissions = [
            ("choose_image", "Can choose image"),
            ("attest_image", "Can attest that an image was reviewed for safety"),
        ]

    @property
    def face_boxes(self) -> list[FaceBox]:
        """The faces found at upload, as ``FaceBox`` objects."""
        return [FaceBox.from_dict(box) for box in self.faces]

    @property
    def has_faces(self) -> bool:
        """True if the detector found at least one face (it can miss faces: see faces.py)."""
        return bool(self.faces)

    @property
    def is_attested(self) -> bool:
        """True once a reviewer attested this file (kept if that user is later deleted)."""
        return self.attested_at is not None

    def get_upload_to(self, filename: str) -> str:
        """``original_images/<random>.<ext>``: no part of the uploaded name is kept."""
        return neutral_name("original_images", filename)

    def clean(self) -> None:
        """Reject undecodable, truncated, oversized or unsupported files on the upload form.

        Wagtail's form field only reads the header, so a truncated JPEG would pass it and then
        fail when ``save()`` re-encodes it.
        """
        super().clean()
        if self._has_new_file():
            try:
                with self.open_file() as handle:
                    sanitise_image_bytes(handle.read(), max_pixels=_max_pixels())
            except ImageRejected as rejected:
                raise ValidationError({"file": str(rejected)}) from None

    def save(self, *args, **kwargs) -> None:
        """Save, re-encoding and face-checking the file first if it is new.

        Raises ``ImageRejected`` if the new file is not an acceptable image.
        """
        update_fields = kwargs.get("update_fields")
        file_is_new = self._has_new_file() and (update_fields is None or "file" in update_fields)
        existed = self.pk is not None
        raw_name = None
        if file_is_new:
            raw_name = self._replace_file_with_clean_copy()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *self.FILE_DERIVED_FIELDS}
        super().save(*args, **kwargs)
        if file_is_new:
            if raw_name:
                self._delete_unreferenced_file(raw_name)
            if existed:
                # Renditions of the previous file would otherwise keep being served.
                self.renditions.all().delete()

    def _has_new_file(self) -> bool:
        """True for a file that has not been through ``_replace_file_with_clean_copy`` yet."""
        if "file" in self.get_deferred_fields() or not self.file:
            return False
        if not self.file._committed:
            return True  # an upload, not yet in storage
        if self.pk is None:
            return True  # a stored file attached to a new image
        stored = type(self).objects.filter(pk=self.pk).values_list("file", flat=True).first()
        return self.file.name != stored

    def _replace_file_with_clean_copy(self) -> str | None:
        """Swap ``self.file`` for its sanitised copy; return the name of a raw stored file.

        Wagtail's multiple uploader writes the raw upload to storage before saving the model
        (``CreateFromUploadedImageView``); that raw file has to be deleted afterwards.
        """
        raw_name = self.file.name if self.file._committed else None
        with self.open_file() as handle:
            clean = sanitise_image_bytes(handle.read(), max_pixels=_max_pixels())
        found = detect_faces(clean.pixels)
        self.file = ContentFile(clean.content, name=f"image.{clean.extension}")
        self.width, self.height = clean.pixels.size
        self.file_size = len(clean.content)
        self.file_hash = hash_filelike(io.BytesIO(clean.content))
        self.faces = [box.as_dict() for box in found]
        self.faces_detected_at = timezone.now()
        self.attested_by = None
        self.attested_at = None
        return raw_name

    def _delete_unreferenced_file(self, name: str) -> None:
        if name != self.file.name and not type(self).objects.filter(file=name).exists():
            self.file.storage.delete(name)


def _max_pixels() -> int | None:
    return getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 128_000_000)


class CustomRendition(AbstractRendition):
    image = models.ForeignKey(CustomImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)

    def get_upload_to(self, filename: str) -> str:
        """``images/<random>.<ext>``.

        Wagtail names renditions after the original's name plus the filter spec; a fresh random
        name keeps both out of public URLs.
        """
        return neutral_name("images", filename)
