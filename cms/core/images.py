"""Image safety: metadata-free re-encoding, neutral file names, face masking and attestation.

Why re-encode: Wagtail stores the uploaded original byte for byte and Willow copies EXIF
(GPS included) into every JPEG and PNG rendition; a plain Pillow re-save still keeps the JPEG
COM comment (reference/tooling.md §2). So at upload the pixels are copied into a fresh image,
which has no ``.info`` at all, and only that is encoded and stored.

The pure functions (``sanitise_image_bytes``, ``encode_clean``, ``neutral_name``) need no
database; the services (``image_mask_faces``, ``image_attest``) write and log.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, get_args

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from pillow_heif import HeifImagePlugin  # noqa: F401  (registers the HEIF opener, as Willow does)
from wagtail.log_actions import log

from cms.core import faces
from cms.core.faces import MaskStyle

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from cms.core.models import CustomImage

JPEG_QUALITY = 88
# Pillow format name of an accepted upload -> the format it is stored in. HEIC is converted
# to JPEG because browsers cannot show it and pillow-heif writes EXIF back into HEIC.
# MPO is how Pillow names many camera JPEGs (they carry extra preview frames).
STORED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MASKED_TITLE_SUFFIX = " (faces masked)"
# After masking, look again: hiding one face can let the detector see another.
EXTRA_MASKING_PASSES = 2

_SRGB = ImageCms.createProfile("sRGB")
# What a re-encoded file may contain, checked structurally on every stored file as a last
# line of defence, so that a future Pillow default cannot silently bring metadata back.
# JPEG markers before the scan: APP0 (JFIF), DQT, DHT, DRI and the SOFn frame headers.
_JPEG_ALLOWED_MARKERS = {0xE0, 0xDB, 0xC4, 0xDD, *range(0xC0, 0xC4), *range(0xC5, 0xD0)}
_PNG_ALLOWED_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
_WEBP_ALLOWED_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}


UNREADABLE_MESSAGE = gettext_lazy(
    "This image could not be read: the file is damaged or incomplete. "
    "Please export it again and upload the new file."
)


class ImageRejected(ValueError):
    """The upload is not a decodable image of an accepted format within the limits.

    The message is written for the person uploading and is shown on the upload form.
    """


class NoFacesToMask(ValueError):
    """Masking was asked for an image on which no face was detected."""


@dataclass(frozen=True)
class CleanImage:
    """The result of sanitising an upload: bytes to store and the pixels they encode."""

    content: bytes
    format: str
    pixels: Image.Image

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def neutral_name(folder: str, filename: str) -> str:
    """``folder/<random hex>.<ext>``: nothing of the uploaded name survives but its extension.

    Uploaded names are often the survivor's name, a place or a date
    ("Testina_Canaryson_shelter_Soi_12.jpg"), and Wagtail keeps them in both the original's
    and the renditions' paths.
    """
    suffix = PurePosixPath(filename).suffix.lower().lstrip(".")
    suffix = "jpg" if suffix == "jpeg" else suffix
    extension = f".{suffix}" if re.fullmatch(r"[a-z0-9]{1,5}", suffix) else ""
    return f"{folder}/{uuid.uuid4().hex}{extension}"


def sanitise_image_bytes(data: bytes, *, max_pixels: int | None) -> CleanImage:
    """Decode ``data`` fully and re-encode its pixels with no metadata at all.

    Orientation is baked into the pixels, colour is converted to sRGB and the profile dropped,
    animations keep their first frame. Raises ``ImageRejected`` for anything that is not a
    complete JPEG, PNG, WebP or HEIC image of at most ``max_pixels`` pixels.
    """
    image = _decode(data, max_pixels=max_pixels)
    stored_format = STORED_FORMATS[image.format]
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(image)
    pixels = _fresh_copy(_mode_for(image, stored_format))
    return CleanImage(
        content=encode_clean(pixels, image_format=stored_format),
        format=stored_format,
        pixels=pixels,
    )


def encode_clean(image: Image.Image, *, image_format: str, quality: int = JPEG_QUALITY) -> bytes:
    """Encode ``image`` (which must have empty ``.info``) and check no metadata got in."""
    if image.info:
        raise ValueError("encode_clean() needs a fresh image without .info")
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=quality, optimize=True)
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=quality)
    elif image_format == "PNG":
        image.save(buffer, "PNG")
    else:
        raise ValueError(f"Cannot store {image_format!r} images.")
    content = buffer.getvalue()
    _assert_no_metadata(content)
    return content


def _decode(data: bytes, *, max_pixels: int | None) -> Image.Image:
    # Pillow only warns between MAX_IMAGE_PIXELS and twice that: apply its limit ourselves
    # (a warnings filter would be process-wide, so not safe in a threaded server).
    limit = max_pixels if max_pixels is not None else Image.MAX_IMAGE_PIXELS
    try:
        # Only these decoders may run on uploads: fewer parsers, less attack surface.
        image = Image.open(io.BytesIO(data), formats=["JPEG", "PNG", "WEBP", "HEIF"])
        width, height = image.size
        if limit is not None and width * height > limit:
            raise ImageRejected(_too_many_pixels(width * height, limit))
        image.load()
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise ImageRejected(_too_many_pixels(None, limit)) from None
    except UnidentifiedImageError:
        raise ImageRejected(
            _(
                "This file is not a JPEG, PNG, WebP or HEIC image. SVG, GIF and other "
                "formats are not accepted."
            )
        ) from None
    except Exception:  # hostile files make Pillow's decoders raise almost anything
        raise ImageRejected(str(UNREADABLE_MESSAGE)) from None
    return image


def _too_many_pixels(count: int | None, max_pixels: int | None) -> str:
    message = _("This image has too many pixels (%(count)s). Maximum: %(maximum)s.") % {
        "count": f"{count:,}" if count is not None else _("unknown number"),
        "maximum": f"{max_pixels:,}" if max_pixels is not None else _("unknown"),
    }
    return message + " " + _("Please resize it before uploading.")


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert colour-managed images to sRGB, so the profile can be dropped without a shift.

    An embedded ICC profile can carry a device description, copyright or owner text; an
    untagged image is treated as sRGB by browsers.
    """
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        return ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            _SRGB,
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A broken or unusual profile: keep the pixels as they are; the profile still goes.
        return image


def _mode_for(image: Image.Image, image_format: str) -> Image.Image:
    """Convert to a mode the stored format can hold, keeping transparency where it can."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if image_format == "PNG":
        if image.mode in ("1", "L", "LA", "I", "I;16", "RGB", "RGBA"):
            return image
        return image.convert("RGBA" if has_alpha else "RGB")
    if image_format == "WEBP":
        return image.convert("RGBA" if has_alpha else "RGB")
    # JPEG has no alpha: flatten on white, which is what a transparent area looks like on
    # the site's pages.
    if has_alpha:
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(flat, rgba).convert("RGB")
    if image.mode in ("L", "RGB"):
        return image
    return image.convert("L" if image.mode in ("1", "I", "I;16", "F") else "RGB")


def _fresh_copy(image: Image.Image) -> Image.Image:
    """The same pixels in a new image object: ``.info`` (exif, xmp, comment, icc…) is empty."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _assert_no_metadata(content: bytes) -> None:
    """Raise ``RuntimeError`` if ``content`` has any segment or chunk beyond pixel data."""
    if content.startswith(b"\xff\xd8"):
        unexpected = [f"0x{marker:02X}" for marker in _jpeg_markers(content)]
        unexpected = [m for m in unexpected if int(m, 16) not in _JPEG_ALLOWED_MARKERS]
    elif content.startswith(b"\x89PNG\r\n\x1a\n"):
        unexpected = [repr(c) for c in _png_chunks(content) if c not in _PNG_ALLOWED_CHUNKS]
    elif content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        unexpected = [repr(c) for c in _webp_chunks(content) if c not in _WEBP_ALLOWED_CHUNKS]
    else:
        raise RuntimeError("Re-encoded image in an unexpected container")
    if unexpected:
        raise RuntimeError(f"Metadata in a re-encoded image: {', '.join(unexpected)}")


def _jpeg_markers(content: bytes) -> list[int]:
    """Markers of the segments before the first scan (where all JPEG metadata lives)."""
    markers, position = [], 2
    while position + 4 <= len(content):
        if content[position] != 0xFF:
            raise RuntimeError("Malformed re-encoded JPEG")
        marker = content[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        markers.append(marker)
        position += 2 + int.from_bytes(content[position + 2 : position + 4], "big")
    return markers


def _png_chunks(content: bytes) -> list[bytes]:
    chunks, position = [], 8
    while position + 8 <= len(content):
        length = int.from_bytes(content[position : position + 4], "big")
        chunks.append(content[position + 4 : position + 8])
        position += 12 + length
    return chunks


def _webp_chunks(content: bytes) -> list[bytes]:
    chunks, position = [], 12
    while position + 8 <= len(content):
        size = int.from_bytes(content[position + 4 : position + 8], "little")
        chunks.append(content[position : position + 4])
        position += 8 + size + (size & 1)
    return chunks


# --------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------


@transaction.atomic
def image_mask_faces(
    *, image: CustomImage, by: AbstractBaseUser | None, style: MaskStyle = "fill"
) -> CustomImage:
    """Save a new image with every detected face masked; the source image is left as it is.

    The copy goes in the same collection, titled with " (faces masked)", with ``masked_from``
    pointing at the source. Its own face check runs on save like any upload: callers should
    look at ``copy.has_faces`` (it is expected to be False).
    """
    if style not in get_args(MaskStyle):
        raise ValueError(f"Unknown mask style {style!r}.")
    boxes = image.face_boxes
    if not boxes:
        raise NoFacesToMask(_("No face was detected on this image, so there is nothing to mask."))
    with image.open_file() as handle, Image.open(handle) as source:
        source.load()
        stored_format = STORED_FORMATS.get(source.format, "JPEG")
        masked = faces.mask_faces(source, boxes, style=style)
    for _pass in range(EXTRA_MASKING_PASSES):
        missed = faces.detect_faces(masked)
        if not missed:
            break
        masked = faces.mask_faces(masked, missed, style=style)
    # Near-lossless here: saving the copy re-encodes it once more, like every upload.
    content = encode_clean(
        _fresh_copy(_mode_for(masked, stored_format)), image_format=stored_format, quality=95
    )

    title_room = type(image)._meta.get_field("title").max_length - len(MASKED_TITLE_SUFFIX)
    copy = type(image)(
        title=image.title[:title_room] + MASKED_TITLE_SUFFIX,
        description=image.description,
        collection_id=image.collection_id,
        uploaded_by_user=by,
        masked_from=image,
        file=ContentFile(content, name=f"masked.{EXTENSIONS[stored_format]}"),
    )
    copy.save()
    log(
        instance=image,
        action="core.image.masked",
        user=by,
        data={"masked_copy_id": copy.pk, "style": style, "faces": len(boxes)},
    )
    return copy


@transaction.atomic
def image_attest(*, image: CustomImage, by: AbstractBaseUser) -> CustomImage:
    """Record that ``by`` reviewed ``image`` (faces, names, places, documents, uniforms…).

    The attestation lasts until the image's file changes (``CustomImage.save`` clears it).
    Four eyes: it needs the ``core.attest_image`` permission (safeguarding reviewers), and
    nobody attests an image they uploaded themselves. Raises ``PermissionDenied`` otherwise.
    """
    if not by.has_perm("core.attest_image"):
        raise PermissionDenied(_("Only safeguarding reviewers can attest images."))
    if image.uploaded_by_user_id is not None and image.uploaded_by_user_id == by.pk:
        raise PermissionDenied(_("Someone other than the uploader must attest this image."))
    image.attested_by = by
    image.attested_at = timezone.now()
    image.save(update_fields=["attested_by", "attested_at"])
    log(instance=image, action="core.image.attested", user=by)
    return image
