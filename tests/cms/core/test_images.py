"""Uploads lose every piece of metadata, get neutral names, and bad files are refused politely.

The fixtures carry fictional "canary" values in every place a camera, phone or editing tool
writes metadata; the tests look for them in the stored original and in renditions, both
through Pillow and as raw bytes.
"""

import hashlib
import io

import piexif
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image, ImageCms, PngImagePlugin
from pillow_heif import HeifImagePlugin  # noqa: F401  (registers the HEIF writer)
from wagtail.images import get_image_model

from cms.core.images import ImageRejected, image_attest, neutral_name, sanitise_image_bytes
from cms.core.models import CustomImage, CustomRendition

UPLOAD_NAME = "Testina_Canaryson_shelter_Soi_12.jpg"
NAME_TOKENS = ("testina", "canaryson", "shelter", "soi_12", "soi")
ARTIST = "Testina Canaryson"
SERIAL = "SN-CANARY-4242"
MAKE, MODEL = "CanaryCam", "CC-Model-7"
TAKEN = "2025:03:14 09:26:53"
GPS_DATUM = "CANARY-GPS-DATUM"
COMMENT = "shelter Soi 12 canary comment"
XMP_CREATOR = "Xmp Canary Creator"
IPTC_BYLINE = "Iptc Canary Byline"
CANARIES = (ARTIST, SERIAL, MAKE, MODEL, TAKEN, GPS_DATUM, COMMENT, XMP_CREATOR, IPTC_BYLINE)
RAW_MARKERS = (
    b"Exif\x00\x00",
    b"http://ns.adobe.com/xap",
    b"Photoshop 3.0",
    b"8BIM",
    b"ICC_PROFILE",
)
RENDITION_SPECS = ("fill-200x150", "width-300", "width-300|format-png", "format-webp")
RED = (220, 20, 20)


# -- fixture files ---------------------------------------------------------------------


def landscape_pixels(size=(400, 300)) -> Image.Image:
    """A grey image with a red block in the top-left corner, to check orientation."""
    image = Image.new("RGB", size, (90, 110, 130))
    image.paste(RED, (0, 0, 60, 60))
    return image


def canary_exif(*, orientation: int = 1) -> bytes:
    return piexif.dump(
        {
            "0th": {
                piexif.ImageIFD.Make: MAKE.encode(),
                piexif.ImageIFD.Model: MODEL.encode(),
                piexif.ImageIFD.Artist: ARTIST.encode(),
                piexif.ImageIFD.Orientation: orientation,
            },
            "Exif": {
                piexif.ExifIFD.DateTimeOriginal: TAKEN.encode(),
                piexif.ExifIFD.BodySerialNumber: SERIAL.encode(),
            },
            "GPS": {
                piexif.GPSIFD.GPSLatitudeRef: b"N",
                piexif.GPSIFD.GPSLatitude: ((13, 1), (44, 1), (1234, 100)),
                piexif.GPSIFD.GPSLongitudeRef: b"E",
                piexif.GPSIFD.GPSLongitude: ((100, 1), (31, 1), (4321, 100)),
                piexif.GPSIFD.GPSMapDatum: GPS_DATUM.encode(),
            },
        }
    )


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def xmp_segment() -> bytes:
    xml = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator><rdf:Seq><rdf:li>{XMP_CREATOR}</rdf:li></rdf:Seq></dc:creator>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    return jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xml.encode())


def iptc_segment() -> bytes:
    """APP13: a Photoshop 8BIM resource 0x0404 holding an IPTC By-line (2:80) dataset."""
    by_line = IPTC_BYLINE.encode()
    iptc = b"\x1c\x02\x50" + len(by_line).to_bytes(2, "big") + by_line
    if len(iptc) % 2:
        iptc += b"\x00"
    resource = b"8BIM" + (0x0404).to_bytes(2, "big") + b"\x00\x00"
    resource += len(iptc).to_bytes(4, "big") + iptc
    return jpeg_segment(0xED, b"Photoshop 3.0\x00" + resource)


def canary_jpeg() -> bytes:
    """400×300 pixels stored sideways: EXIF (GPS, serial, artist, Orientation=6), XMP, IPTC, COM."""
    buffer = io.BytesIO()
    landscape_pixels().save(buffer, "JPEG", quality=90)
    with_exif = io.BytesIO()
    piexif.insert(canary_exif(orientation=6), buffer.getvalue(), with_exif)
    data = with_exif.getvalue()
    extra = xmp_segment() + iptc_segment() + jpeg_segment(0xFE, COMMENT.encode())
    return data[:2] + extra + data[2:]


def canary_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", ARTIST)
    info.add_itxt("Comment", COMMENT, lang="en", tkey="Comment")
    info.add_text("Description", XMP_CREATOR, zip=True)  # a zTXt chunk
    buffer = io.BytesIO()
    image = landscape_pixels().convert("RGBA")
    image.putpixel((399, 299), (0, 0, 0, 0))
    image.save(buffer, "PNG", pnginfo=info, exif=canary_exif())  # exif= writes an eXIf chunk
    return buffer.getvalue()


def canary_heic() -> bytes:
    buffer = io.BytesIO()
    landscape_pixels().save(buffer, "HEIF", exif=canary_exif(), quality=90)
    return buffer.getvalue()


def canary_webp() -> bytes:
    buffer = io.BytesIO()
    landscape_pixels().save(buffer, "WEBP", exif=canary_exif(), xmp=xmp_segment()[4:])
    return buffer.getvalue()


# -- checks ----------------------------------------------------------------------------


def assert_no_metadata(data: bytes) -> None:
    """Neither Pillow nor a raw byte search finds any trace of the fixtures' metadata."""
    for marker in RAW_MARKERS:
        assert marker not in data, marker
    for canary in CANARIES:
        assert canary.encode() not in data, canary
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP"):
        if data.startswith(b"\x89PNG"):
            assert chunk not in data, chunk
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert not set(image.info) & {"exif", "xmp", "comment", "icc_profile", "photoshop"}
        if image.format == "JPEG":
            assert [marker for marker, _ in image.applist] == ["APP0"]
        if image.format == "PNG":
            assert image.text == {}


def stored_bytes(file) -> bytes:
    with default_storage.open(file.name, "rb") as handle:
        return handle.read()


def create_image(data: bytes, name: str = UPLOAD_NAME, **fields) -> CustomImage:
    fields.setdefault("title", "A fictional test image")
    image = CustomImage(file=ContentFile(data, name=name), **fields)
    image.save()
    return image


# -- metadata --------------------------------------------------------------------------


def test_the_fixture_really_carries_the_metadata():
    data = canary_jpeg()
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert exif[0x013B] == ARTIST
        assert exif.get_ifd(0x8825)  # GPS
        assert image.info["comment"] == COMMENT.encode()
        assert {"APP1", "APP13", "COM"} <= {marker for marker, _ in image.applist}
    for marker in (b"Exif\x00\x00", b"http://ns.adobe.com/xap", b"Photoshop 3.0", b"8BIM"):
        assert marker in data


@pytest.mark.django_db
def test_jpeg_upload_is_stored_and_rendered_without_metadata():
    image = create_image(canary_jpeg())

    assert_no_metadata(stored_bytes(image.file))
    for spec in RENDITION_SPECS:
        assert_no_metadata(stored_bytes(image.get_rendition(spec).file))


@pytest.mark.django_db
def test_orientation_is_baked_into_the_pixels():
    image = create_image(canary_jpeg())

    assert (image.width, image.height) == (300, 400)
    with Image.open(io.BytesIO(stored_bytes(image.file))) as stored:
        assert stored.size == (300, 400)
        # Orientation 6 means "rotate 90° clockwise to display": the red corner goes top-right.
        assert _close(stored.getpixel((290, 10)), RED)
        assert not _close(stored.getpixel((10, 10)), RED)


@pytest.mark.django_db
def test_file_fields_describe_the_stored_file():
    image = create_image(canary_jpeg())
    data = stored_bytes(image.file)

    assert image.file_size == len(data)
    # Wagtail's duplicate detection compares this SHA-1 of the stored bytes.
    assert image.file_hash == hashlib.sha1(data, usedforsecurity=False).hexdigest()
    assert image.faces == []
    assert image.faces_detected_at is not None


@pytest.mark.django_db
def test_png_text_and_exif_chunks_are_dropped_and_alpha_kept():
    source = canary_png()
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf"):
        assert chunk in source

    image = create_image(source, name="Testina_Canaryson.png")

    data = stored_bytes(image.file)
    assert image.file.name.endswith(".png")
    assert_no_metadata(data)
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.mode == "RGBA"
        assert stored.getpixel((399, 299))[3] == 0
    for spec in RENDITION_SPECS:
        assert_no_metadata(stored_bytes(image.get_rendition(spec).file))


@pytest.mark.django_db
def test_heic_is_stored_as_jpeg_without_metadata():
    source = canary_heic()
    assert b"Exif" in source  # the fixture does carry EXIF

    image = create_image(source, name="IMG_0001_Testina.heic")

    data = stored_bytes(image.file)
    assert image.file.name.endswith(".jpg")
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    assert_no_metadata(data)
    assert_no_metadata(stored_bytes(image.get_rendition("width-300").file))


@pytest.mark.django_db
def test_webp_stays_webp_without_metadata():
    source = canary_webp()
    assert b"EXIF" in source  # the WebP metadata chunks
    assert b"XMP " in source

    image = create_image(source, name="Testina.webp")

    data = stored_bytes(image.file)
    assert Image.open(io.BytesIO(data)).format == "WEBP"
    assert_no_metadata(data)


def test_icc_profile_is_converted_to_srgb_and_dropped():
    # An sRGB profile stands in for a camera's: profiles can carry device and owner text.
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    landscape_pixels().save(buffer, "JPEG", icc_profile=profile)
    assert b"ICC_PROFILE" in buffer.getvalue()

    clean = sanitise_image_bytes(buffer.getvalue(), max_pixels=None)

    assert b"ICC_PROFILE" not in clean.content
    assert "icc_profile" not in Image.open(io.BytesIO(clean.content)).info
    assert _close(clean.pixels.getpixel((10, 10)), RED)


@pytest.mark.django_db
def test_a_new_file_clears_the_attestation_and_is_cleaned(admin_user):
    image = create_image(landscape_pixels_jpeg())
    image.attested_by, image.attested_at = admin_user, image.created_at
    image.save()
    image.get_rendition("width-300")
    assert image.is_attested

    image.file = ContentFile(canary_jpeg(), name=UPLOAD_NAME)
    image.save()

    image.refresh_from_db()
    assert not image.is_attested
    assert image.attested_by is None
    assert (image.width, image.height) == (300, 400)
    assert_no_metadata(stored_bytes(image.file))
    assert not CustomRendition.objects.filter(image=image, filter_spec="width-300").exists()


@pytest.mark.django_db
def test_a_metadata_only_save_does_not_re_encode(admin_user):
    image = create_image(canary_jpeg())
    name, detected_at = image.file.name, image.faces_detected_at
    image.attested_by, image.attested_at = admin_user, detected_at

    image = CustomImage.objects.get(pk=image.pk)
    image.title = "Another fictional title"
    image.save()

    image.refresh_from_db()
    assert image.file.name == name
    assert image.faces_detected_at == detected_at


@pytest.mark.django_db
def test_a_raw_file_already_in_storage_is_cleaned_and_deleted():
    # What Wagtail's multiple uploader does when an image needs more fields before saving
    # (CreateFromUploadedImageView.save_object): the raw upload is written to storage first.
    image = CustomImage(title="A fictional late upload")
    image.file.save(UPLOAD_NAME, ContentFile(canary_jpeg()), save=False)
    raw_name = image.file.name
    assert default_storage.exists(raw_name)

    image.save()

    assert image.file.name != raw_name
    assert not default_storage.exists(raw_name)
    assert_no_metadata(stored_bytes(image.file))


@pytest.mark.django_db
def test_loading_without_the_file_field_does_not_re_encode(admin_user):
    image = create_image(canary_jpeg())
    image_attest(image=image, by=admin_user)

    partial = CustomImage.objects.only("title").get(pk=image.pk)
    partial.title = "A renamed fictional image"
    partial.save()
    assert partial.file.name == image.file.name  # loads the deferred field
    partial.save()

    image.refresh_from_db()
    assert image.is_attested
    assert image.title == "A renamed fictional image"


def landscape_pixels_jpeg() -> bytes:
    buffer = io.BytesIO()
    landscape_pixels().save(buffer, "JPEG")
    return buffer.getvalue()


def _close(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


# -- neutral names ---------------------------------------------------------------------


def assert_neutral(path: str) -> None:
    lowered = path.lower()
    for token in NAME_TOKENS:
        assert token not in lowered, (token, path)


@pytest.mark.django_db
def test_stored_paths_keep_nothing_of_the_uploaded_name():
    image = create_image(canary_jpeg())

    assert image.file.name.startswith("original_images/")
    assert_neutral(image.file.name)
    for spec in RENDITION_SPECS:
        rendition = image.get_rendition(spec)
        assert rendition.file.name.startswith("images/")
        assert_neutral(rendition.file.name)
        assert spec.split("|")[0] not in rendition.file.name
        assert_neutral(rendition.url)


def test_neutral_name_keeps_only_a_plain_extension():
    assert neutral_name("images", "Testina Canaryson.JPEG").endswith(".jpg")
    assert "." not in neutral_name("images", "Testina.Canaryson").split("/")[1][:32]
    assert neutral_name("images", "x.php%00.png").endswith(".png")
    assert neutral_name("images", "Testina.tar.gz").endswith(".gz")
    assert neutral_name("images", "Testina.<script>").count(".") == 0
    assert neutral_name("a", "x.jpg") != neutral_name("a", "x.jpg")


# -- admin uploads ---------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_upload_is_cleaned_and_neutrally_named(admin_client):
    response = admin_client.post(
        reverse("wagtailimages:add"),
        {
            "title": "A fictional shelter window",
            "file": SimpleUploadedFile(UPLOAD_NAME, canary_jpeg(), content_type="image/jpeg"),
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    image = CustomImage.objects.get()
    assert_neutral(image.file.name)
    assert (image.width, image.height) == (300, 400)
    assert_no_metadata(stored_bytes(image.file))


@pytest.mark.django_db
def test_admin_multiple_uploader_is_cleaned_and_neutrally_named(admin_client):
    response = admin_client.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": SimpleUploadedFile(UPLOAD_NAME, canary_jpeg(), content_type="image/jpeg")},
    )

    assert response.status_code == 200
    assert response.json()["success"] is True
    image = CustomImage.objects.get()
    assert_neutral(image.file.name)
    assert_no_metadata(stored_bytes(image.file))


@pytest.mark.django_db
def test_admin_file_replacement_is_cleaned_and_needs_a_new_review(admin_client, admin_user):
    image = create_image(landscape_pixels_jpeg())
    image_attest(image=image, by=admin_user)
    image.get_rendition("width-300")

    response = admin_client.post(
        reverse("wagtailimages:edit", args=[image.pk]),
        {
            "title": "A fictional replacement",
            "file": SimpleUploadedFile(UPLOAD_NAME, canary_jpeg(), content_type="image/jpeg"),
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    image.refresh_from_db()
    assert not image.is_attested
    assert (image.width, image.height) == (300, 400)
    assert_neutral(image.file.name)
    assert_no_metadata(stored_bytes(image.file))
    assert not image.renditions.exists()


def _bad_upload(admin_client, name: str, data: bytes, content_type: str):
    before = set(_stored_names())
    response = admin_client.post(
        reverse("wagtailimages:add"),
        {"title": "A fictional bad upload", "file": SimpleUploadedFile(name, data, content_type)},
    )
    assert response.status_code == 200
    assert not get_image_model().objects.exists()
    assert set(_stored_names()) == before
    return response.context["form"].errors["file"]


def _stored_names() -> list[str]:
    try:
        return default_storage.listdir("original_images")[1]
    except FileNotFoundError:
        return []


@pytest.mark.django_db
def test_admin_refuses_a_text_file_named_jpg(admin_client):
    errors = _bad_upload(
        admin_client, "notes.jpg", b"Just some text, not a picture.\n", "image/jpeg"
    )
    assert "Upload a valid image" in errors[0]


@pytest.mark.django_db
def test_admin_refuses_svg(admin_client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script/></svg>'
    errors = _bad_upload(admin_client, "drawing.svg", svg, "image/svg+xml")
    assert "Not a supported image format" in errors[0]


@pytest.mark.django_db
def test_admin_refuses_a_gif_named_jpg(admin_client):
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    errors = _bad_upload(admin_client, "holiday.jpg", gif.getvalue(), "image/jpeg")
    assert "The extension does not match the file format" in errors[0]


@pytest.mark.django_db
def test_admin_refuses_a_truncated_jpeg(admin_client):
    data = landscape_pixels_jpeg()
    errors = _bad_upload(admin_client, "cut.jpg", data[: len(data) // 2], "image/jpeg")
    assert "damaged or incomplete" in errors[0]


@pytest.mark.django_db
def test_admin_multiple_uploader_refuses_a_truncated_jpeg(admin_client):
    data = landscape_pixels_jpeg()
    response = admin_client.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": SimpleUploadedFile("cut.jpg", data[: len(data) // 2], "image/jpeg")},
    )

    assert response.status_code == 200
    assert response.json()["success"] is False
    assert "damaged or incomplete" in response.json()["error_message"]
    assert not CustomImage.objects.exists()


@pytest.mark.django_db
@override_settings(WAGTAILIMAGES_MAX_IMAGE_PIXELS=10_000)
def test_admin_refuses_too_many_pixels(admin_client):
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100)).save(buffer, "PNG")
    errors = _bad_upload(admin_client, "big.png", buffer.getvalue(), "image/png")
    assert "too many pixels" in errors[0]


@pytest.mark.django_db
@override_settings(WAGTAILIMAGES_MAX_UPLOAD_SIZE=1_000)
def test_admin_refuses_too_large_a_file(admin_client):
    errors = _bad_upload(admin_client, "large.jpg", canary_jpeg(), "image/jpeg")
    assert "This file is too big" in errors[0]


# -- the sanitiser on its own ----------------------------------------------------------


# Pillow warns on opening anything over its own limit; the rejection is what matters here.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_sanitiser_refuses_a_decompression_bomb():
    buffer = io.BytesIO()
    Image.new("L", (12_000, 12_000)).save(buffer, "PNG")  # 144 MP, a few hundred kB

    with pytest.raises(ImageRejected, match="too many pixels"):
        sanitise_image_bytes(buffer.getvalue(), max_pixels=40_000_000)
    with pytest.raises(ImageRejected, match="too many pixels"):
        sanitise_image_bytes(buffer.getvalue(), max_pixels=None)  # Pillow's own limit


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "not a JPEG, PNG, WebP or HEIC"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a JPEG, PNG, WebP or HEIC"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "damaged or incomplete"),
    ],
)
def test_sanitiser_refuses_other_formats_and_broken_files(data, message):
    with pytest.raises(ImageRejected, match=message):
        sanitise_image_bytes(data, max_pixels=None)


@pytest.mark.django_db
def test_saving_too_many_pixels_from_code_raises_and_stores_nothing(settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 10_000
    before = set(_stored_names())

    with pytest.raises(ImageRejected, match="too many pixels"):
        create_image(landscape_pixels_jpeg(), name="big.jpg")

    assert not CustomImage.objects.exists()
    assert set(_stored_names()) == before


@pytest.mark.django_db
def test_a_broken_file_from_code_never_gets_saved():
    data = landscape_pixels_jpeg()

    # Wagtail's file field reads the dimensions (through Willow) as soon as the file is
    # assigned, so the error comes before save().
    with pytest.raises(OSError, match="truncated"):
        create_image(data[: len(data) // 2], name="cut.jpg")

    assert not CustomImage.objects.exists()
