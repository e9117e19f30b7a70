"""Background work for public pages (run by ``manage.py db_worker``; inline in development)."""

import io
import logging
from urllib.parse import unquote_to_bytes, urlsplit

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.http.request import validate_host
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django_tasks import task
from wagtail.fields import StreamField
from wagtail.models import Page

from stories.selectors import STORY_IMAGE_WIDTHS, THUMBNAIL_SPEC

logger = logging.getLogger(__name__)

RENDITION_SPECS = (*(f"width-{width}" for width in STORY_IMAGE_WIDTHS), THUMBNAIL_SPEC)


def page_images(page) -> list:
    """The images in a page's StreamFields (image blocks are structs with an ``image``)."""
    images = []
    for field in page._meta.get_fields():
        if not isinstance(field, StreamField):
            continue
        for block in getattr(page, field.name):
            value = block.value
            image = value.get("image") if hasattr(value, "get") else None
            if image is not None:
                images.append(image)
    return images


def page_render_as_visitor(page) -> int | None:
    """Render a live page once as an anonymous visitor of its own URL would, through every
    middleware, and return the status code (``None``: the page has no URL). What the render
    caches (the story's text fragments, menus, language alternates) is then ready for the
    first real visitor.

    The Host is the page's site's, or the first allowed host when that one is not allowed
    (as Wagtail's previews do); Wagtail then serves the default site, as it would the
    visitor."""
    full_url = page.get_full_url()
    if full_url is None:
        return None
    url = urlsplit(full_url)
    scheme = url.scheme or "http"
    port = url.port or (443 if scheme == "https" else 80)
    hostname = url.hostname or "localhost"
    allowed = settings.ALLOWED_HOSTS or ["localhost"]
    if not validate_host(hostname, allowed):
        hostname = allowed[0].lstrip(".").replace("*", "localhost")
    host = hostname if port in (80, 443) else f"{hostname}:{port}"
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            # As a server hands it on: escapes decoded, the bytes as latin-1 (PEP 3333).
            "PATH_INFO": unquote_to_bytes(iri_to_uri(url.path)).decode("iso-8859-1"),
            "QUERY_STRING": "",
            "SERVER_NAME": hostname,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(),
        }
    )
    handler = BaseHandler()
    handler.load_middleware()
    # The page's language is activated for the render only: tasks may run inline, inside
    # an editor's request in another language.
    with translation.override(translation.get_language()):
        # Not closed: closing a response sends request_finished, which would close this
        # worker's database connection; the request has no body or files to release.
        return handler.get_response(request).status_code


@task()
def page_prepare(page_id: int) -> int:
    """Get a newly published page ready, so its first visitor does not wait: create the
    renditions its templates use, then render it and the pages that list it (its parent
    and home page, whose cached counts and menus publishing retired) once, as a visitor
    would (``page_render_as_visitor``).

    Returns how many images were prepared.
    """
    page = Page.objects.filter(pk=page_id, live=True).first()
    if page is None:
        return 0
    page = page.specific
    images = page_images(page)
    for image in images:
        image.get_renditions(*RENDITION_SPECS)
    listing = page.get_ancestors().filter(depth__gt=1, live=True).order_by("-depth").specific()
    for shown in [page, *listing]:
        status = page_render_as_visitor(shown)
        if status not in (200, None):
            logger.warning("Page %s answered %s when rendered after publishing", shown.pk, status)
    return len(images)
