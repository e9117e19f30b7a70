"""Private media: renditions only from MEDIA_ROOT, documents through the permission check,
consent evidence never by URL, no SVG, no shared-password privacy."""

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction

from cms.core.media import media_urlpatterns, rendition_serve
from cms.core.private_storage import private_storage


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    for folder in ("images", "original_images", "documents"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "f.jpg").write_bytes(b"\xff\xd8\xff")
    return tmp_path


def test_no_media_url_without_debug(settings):
    settings.DEBUG = False
    assert media_urlpatterns() == []


@pytest.mark.parametrize(
    ("path", "served"),
    [
        ("images/f.jpg", True),
        ("original_images/f.jpg", False),
        ("documents/f.jpg", False),
        ("images/../original_images/f.jpg", False),
        ("images/../../etc/passwd", False),
    ],
)
def test_development_serves_renditions_only(media, settings, path, served):
    settings.DEBUG = True
    (pattern,) = media_urlpatterns()
    match = pattern.resolve(f"media/{path}")
    assert match.func is rendition_serve
    request = RequestFactory().get(f"/media/{path}")
    if served:
        assert rendition_serve(request, **match.kwargs).status_code == 200
    else:
        with pytest.raises(Http404):
            rendition_serve(request, **match.kwargs)


def test_without_debug_media_urls_reach_no_file(client, media, home_page):
    for path in ("/media/original_images/f.jpg", "/media/documents/f.jpg", "/media/images/f.jpg"):
        assert client.get(path).status_code == 404, path


def test_a_private_collection_document_needs_sign_in_and_leaks_no_etag(client, media, db):
    collection = Collection.get_first_root_node().add_child(name="Case files")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    document = Document.objects.create(
        title="Referral", collection=collection, file=ContentFile(b"%PDF-1.4", name="r.pdf")
    )
    url = reverse("wagtaildocs_serve", args=[document.pk, document.filename])

    response = client.get(url, HTTP_IF_NONE_MATCH=f'"{document.file_hash}"')

    assert response.status_code == 302
    assert response["Location"].startswith("/_util/login/") or "login" in response["Location"]
    assert "ETag" not in response.headers
    assert b"PDF" not in response.content


def test_documents_are_served_by_the_view_not_the_storage():
    assert django_settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"


def test_consent_evidence_has_no_url_and_lives_outside_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    storage = private_storage()
    with pytest.raises(ValueError, match="no URL"):
        storage.url("consent-evidence/x.pdf")
    assert not str(django_settings.PRIVATE_MEDIA_ROOT).startswith(str(django_settings.MEDIA_ROOT))


def test_uploads_are_limited():
    assert "svg" not in django_settings.WAGTAILIMAGES_EXTENSIONS
    assert django_settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE <= 10 * 1024 * 1024
    assert django_settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS <= 40_000_000
    assert django_settings.WAGTAIL_PRIVACY_OPTIONS == {"login": True, "password": False}


def test_an_svg_upload_is_refused(client, db):
    from tests.factories import staff_in

    client.force_login(staff_in("Editors"))
    svg = ContentFile(b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>')
    svg.name = "logo.svg"
    response = client.post(
        reverse("wagtailimages:add"), {"title": "Logo", "file": svg, "collection": 1}
    )
    assert response.status_code == 200
    assert "Not a supported image format" in response.content.decode()
