"""Faces are flagged at upload, masked in a copy (solid or coarse, never a light blur), and
images are attested by a reviewer; the admin actions are POST-only and permission-checked."""

import io
import re

import numpy as np
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image
from skimage import data as skimage_data
from wagtail.log_actions import registry as log_registry
from wagtail.models import Collection, GroupCollectionPermission, ModelLogEntry

from cms.core.faces import MASK_MARGIN, PIXELATE_BLOCKS, FaceBox, detect_faces, mask_faces
from cms.core.images import NoFacesToMask, image_attest, image_mask_faces
from cms.core.models import CustomImage
from cms.users.models import User

# Where the astronaut's face is on the 1024 px fixture (reference/tooling.md §1).
ASTRONAUT_FACE_CENTRE = (450, 230)


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    """NASA's public-domain portrait bundled with scikit-image, upscaled to 1024 px."""
    return Image.fromarray(skimage_data.astronaut()).resize((1024, 1024), Image.Resampling.LANCZOS)


@pytest.fixture(scope="module")
def rocket() -> Image.Image:
    return Image.fromarray(skimage_data.rocket())


def jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def upload(image: Image.Image, title: str = "A fictional portrait") -> CustomImage:
    saved = CustomImage(title=title, file=ContentFile(jpeg(image), name="portrait.jpg"))
    saved.save()
    return saved


def stored_pixels(image: CustomImage) -> Image.Image:
    with default_storage.open(image.file.name, "rb") as handle:
        return Image.open(io.BytesIO(handle.read())).convert("RGB")


def contains(box: FaceBox, point: tuple[int, int]) -> bool:
    return box.x <= point[0] < box.x + box.width and box.y <= point[1] < box.y + box.height


# -- detection -------------------------------------------------------------------------


def test_the_astronaut_has_a_face(astronaut):
    boxes = detect_faces(astronaut)

    assert len(boxes) >= 1
    assert any(contains(box, ASTRONAUT_FACE_CENTRE) for box in boxes)
    # Boxes are in the coordinates of the image given, not of the 512 px downscale.
    assert all(box.width > 120 for box in boxes)


@pytest.mark.parametrize("name", ["rocket", "grey"])
def test_pictures_without_people_have_no_face(name, rocket):
    image = rocket if name == "rocket" else Image.new("RGB", (800, 600), (128, 128, 128))
    assert detect_faces(image) == []


def test_detection_handles_small_and_odd_modes(astronaut):
    assert detect_faces(astronaut.convert("RGBA")) != []
    assert detect_faces(astronaut.resize((300, 300))) != []  # no downscale needed
    assert detect_faces(Image.new("L", (1, 1))) == []


@pytest.mark.django_db
def test_upload_flags_faces(astronaut, rocket):
    portrait, landscape = upload(astronaut), upload(rocket, title="A fictional launch")

    assert portrait.has_faces
    assert any(contains(box, ASTRONAUT_FACE_CENTRE) for box in portrait.face_boxes)
    assert portrait.faces_detected_at is not None
    assert not landscape.has_faces
    assert landscape.faces_detected_at is not None


# -- masking ---------------------------------------------------------------------------


def test_mask_faces_fills_only_the_enlarged_boxes(astronaut):
    box = FaceBox(x=400, y=200, width=100, height=100)
    masked = mask_faces(astronaut, [box], style="fill")

    region = np.asarray(masked.crop((375, 175, 525, 325)))
    assert (region == region[0, 0]).all()
    grown = box.enlarged(margin=MASK_MARGIN, bounds=astronaut.size)
    assert (grown.x, grown.y, grown.width, grown.height) == (375, 175, 150, 150)
    assert masked.getpixel((370, 170)) == astronaut.getpixel((370, 170))
    assert masked.getpixel((530, 330)) == astronaut.getpixel((530, 330))


def test_fill_is_opaque_on_transparent_images():
    clear = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    masked = mask_faces(clear, [FaceBox(x=50, y=50, width=100, height=100)], style="fill")
    assert masked.getpixel((100, 100))[3] == 255


def test_pixelation_is_coarse(astronaut):
    box = FaceBox(x=352, y=132, width=192, height=192)
    masked = mask_faces(astronaut, [box], style="pixelate")

    grown = box.enlarged(margin=MASK_MARGIN, bounds=astronaut.size)
    region = np.asarray(
        masked.crop((grown.x, grown.y, grown.x + grown.width, grown.y + grown.height))
    )
    # At most PIXELATE_BLOCKS distinct colours per row: each block is ≥ 1/6 of the box.
    assert all(len({tuple(px) for px in row}) <= PIXELATE_BLOCKS for row in region)
    assert len({tuple(px) for px in region.reshape(-1, 3)}) <= PIXELATE_BLOCKS**2


def test_unknown_style_is_refused(astronaut):
    with pytest.raises(ValueError, match="blur"):
        mask_faces(astronaut, [], style="blur")


def block_interiors(region: np.ndarray, blocks: int, inset: int = 3):
    """The inner part of each pixelation block (JPEG ringing stays near block edges)."""
    height, width = region.shape[:2]
    for row in range(blocks):
        for col in range(blocks):
            top, bottom = row * height // blocks + inset, (row + 1) * height // blocks - inset
            left, right = col * width // blocks + inset, (col + 1) * width // blocks - inset
            yield region[top:bottom, left:right]


@pytest.mark.django_db
@pytest.mark.parametrize("style", ["fill", "pixelate"])
def test_image_mask_faces_saves_a_masked_copy(astronaut, admin_user, style):
    source = upload(astronaut)
    [face] = [box for box in source.face_boxes if contains(box, ASTRONAUT_FACE_CENTRE)]

    copy = image_mask_faces(image=source, by=admin_user, style=style)

    assert copy.pk != source.pk
    assert copy.title == "A fictional portrait (faces masked)"
    assert copy.collection_id == source.collection_id
    assert copy.masked_from == source
    assert copy.uploaded_by_user == admin_user
    assert copy.file.name != source.file.name
    assert copy.file.name.startswith("original_images/")
    assert not copy.is_attested
    # The detector finds nothing on the stored copy, on save and when asked again.
    assert copy.faces == []
    masked_pixels = stored_pixels(copy)
    assert detect_faces(masked_pixels) == []

    crop = (face.x, face.y, face.x + face.width, face.y + face.height)
    before = np.asarray(stored_pixels(source).crop(crop), dtype=float)
    after = np.asarray(masked_pixels.crop(crop), dtype=float)
    assert np.abs(after - before).mean() > 25  # not a light blur: the face is gone
    if style == "fill":
        assert after.reshape(-1, 3).std(axis=0).max() < 2  # one flat colour
    else:
        grown = face.enlarged(margin=MASK_MARGIN, bounds=masked_pixels.size)
        region = np.asarray(
            masked_pixels.crop((grown.x, grown.y, grown.x + grown.width, grown.y + grown.height)),
            dtype=float,
        )
        for block in block_interiors(region, PIXELATE_BLOCKS):
            assert block.reshape(-1, 3).std(axis=0).max() < 6  # one colour per block

    # The source is untouched and the masking is in its audit log.
    source.refresh_from_db()
    assert source.has_faces
    entry = ModelLogEntry.objects.get(action="core.image.masked", object_id=str(source.pk))
    assert entry.user == admin_user
    assert entry.data == {"masked_copy_id": copy.pk, "style": style, "faces": 1}


@pytest.mark.django_db
def test_masking_an_image_without_faces_is_refused(rocket, admin_user):
    image = upload(rocket)
    with pytest.raises(NoFacesToMask):
        image_mask_faces(image=image, by=admin_user)
    assert CustomImage.objects.count() == 1


# -- attestation -----------------------------------------------------------------------


@pytest.mark.django_db
def test_image_attest_records_the_reviewer(rocket, admin_user):
    image = upload(rocket)
    assert not image.is_attested

    image_attest(image=image, by=admin_user)

    image.refresh_from_db()
    assert image.is_attested
    assert image.attested_by == admin_user
    entry = ModelLogEntry.objects.get(action="core.image.attested", object_id=str(image.pk))
    assert entry.user == admin_user


def test_log_actions_are_registered():
    assert log_registry.action_exists("core.image.masked")
    assert log_registry.action_exists("core.image.attested")


# -- admin actions ---------------------------------------------------------------------


def mask_url(image: CustomImage) -> str:
    return reverse("core_image_mask_faces", args=[image.pk])


def attest_url(image: CustomImage) -> str:
    return reverse("core_image_attest", args=[image.pk])


def admin_user_with(
    *, collection_permission: str | None, model_permission: str | None = None
) -> User:
    group = Group.objects.create(name=f"Fictional group {collection_permission}")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    if model_permission:
        app_label, codename = model_permission.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    if collection_permission:
        GroupCollectionPermission.objects.create(
            group=group,
            collection=Collection.get_first_root_node(),
            # Wagtail checks image permissions against wagtailimages.Image, also for a
            # custom image model (wagtail/images/__init__.py get_permission_policy).
            permission=Permission.objects.get(
                content_type__app_label="wagtailimages", codename=collection_permission
            ),
        )
    user = User.objects.create_user(username=f"user-{collection_permission}", password="x")
    user.groups.add(group)
    return user


@pytest.mark.django_db
def test_edit_page_offers_the_actions(admin_client, astronaut):
    image = upload(astronaut)

    response = admin_client.get(reverse("wagtailimages:edit", args=[image.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{mask_url(image)}"' in html
    assert f'action="{attest_url(image)}"' in html
    assert "The detector found 1 face" in html


@pytest.mark.django_db
def test_superuser_masks_faces_from_the_admin(admin_client, admin_user, astronaut):
    image = upload(astronaut)

    response = admin_client.post(mask_url(image), {"style": "pixelate"})

    assert response.status_code == 302
    assert response.url == reverse("wagtailimages:edit", args=[image.pk])
    copy = CustomImage.objects.get(masked_from=image)
    assert copy.uploaded_by_user == admin_user
    assert not copy.has_faces
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("faces masked was saved" in m for m in messages)


@pytest.mark.django_db
def test_masking_without_faces_says_so(admin_client, rocket):
    image = upload(rocket)

    response = admin_client.post(mask_url(image), {"style": "fill"}, follow=True)

    assert response.status_code == 200
    assert "nothing to mask" in response.content.decode()
    assert CustomImage.objects.count() == 1


@pytest.mark.django_db
def test_superuser_attests_from_the_admin(admin_client, admin_user, rocket):
    image = upload(rocket)

    response = admin_client.post(attest_url(image))

    assert response.status_code == 302
    image.refresh_from_db()
    assert image.attested_by == admin_user


@pytest.mark.django_db
def test_editor_who_may_change_images_still_cannot_attest(client, rocket):
    image = upload(rocket)
    client.force_login(admin_user_with(collection_permission="change_image"))

    assert client.post(attest_url(image)).status_code == 403
    image.refresh_from_db()
    assert not image.is_attested


@pytest.mark.django_db
def test_reviewer_with_the_attest_permission_may_attest(client, rocket):
    image = upload(rocket)
    reviewer = admin_user_with(collection_permission=None, model_permission="core.attest_image")
    client.force_login(reviewer)

    assert client.post(attest_url(image)).status_code == 302
    image.refresh_from_db()
    assert image.attested_by == reviewer


@pytest.mark.django_db
def test_nobody_attests_an_image_they_uploaded(client, rocket):
    reviewer = admin_user_with(collection_permission=None, model_permission="core.attest_image")
    image = upload(rocket)
    image.uploaded_by_user = reviewer
    image.save()
    client.force_login(reviewer)

    assert client.post(attest_url(image)).status_code == 403
    image.refresh_from_db()
    assert not image.is_attested


@pytest.mark.django_db
def test_user_without_change_permission_gets_403(client, astronaut):
    image = upload(astronaut)
    client.force_login(admin_user_with(collection_permission="choose_image"))

    assert client.post(mask_url(image), {"style": "fill"}).status_code == 403
    assert client.post(attest_url(image)).status_code == 403
    image.refresh_from_db()
    assert not image.is_attested
    assert CustomImage.objects.count() == 1


@pytest.mark.django_db
def test_get_is_refused(admin_client, astronaut):
    image = upload(astronaut)

    assert admin_client.get(mask_url(image)).status_code == 405
    assert admin_client.get(attest_url(image)).status_code == 405
    assert CustomImage.objects.count() == 1


@pytest.mark.django_db
def test_actions_need_a_csrf_token(admin_user, astronaut):
    image = upload(astronaut)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    assert client.post(mask_url(image), {"style": "fill"}).status_code == 403
    assert client.post(attest_url(image)).status_code == 403
    image.refresh_from_db()
    assert not image.is_attested


@pytest.mark.django_db
def test_the_edit_page_forms_carry_a_csrf_token(admin_user, rocket):
    image = upload(rocket)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    html = client.get(reverse("wagtailimages:edit", args=[image.pk])).content.decode()
    attest_form = html[html.index(f'action="{attest_url(image)}"') :].split("</form>")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', attest_form).group(1)

    response = client.post(attest_url(image), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    image.refresh_from_db()
    assert image.is_attested


@pytest.mark.django_db
def test_unknown_style_from_the_admin_is_an_error_message(admin_client, astronaut):
    image = upload(astronaut)

    response = admin_client.post(mask_url(image), {"style": "blur"}, follow=True)

    assert "solid fill or pixelation" in response.content.decode()
    assert CustomImage.objects.count() == 1
