"""Public views beside the story pages: the map's data and its thumbnails."""

import gzip

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from stories.filters import StoryFilterForm
from stories.public_cache import public_cache_get, public_cache_set
from stories.selectors import map_json, story_thumbnail_url

# Level 4: smaller than the default 6 for this JSON (its repeats are near), in half the time.
MAP_GZIP_LEVEL = 4


def _cache_key(*parts: str) -> str:
    """Today's key; the public version travels inside the entry (``public_cache_get``)."""
    return ":".join(["stories", timezone.localdate().isoformat(), *parts])


def thumbnail_url_template() -> str:
    return reverse("story_thumbnail", args=[0]).replace("/0/", "/{id}/")


@require_GET
def map_data_json(request):
    """Public, consented stories grouped by place, as JSON (gzip when the client accepts it).

    Built in one query (the database writes the JSON) and cached until the public set
    changes (see stories/public_cache.py) or the day ends. The filters are the story
    index's, so the map and the list agree.
    """
    filters = StoryFilterForm(request.GET).filters()
    language = translation.get_language()
    key = _cache_key("map", language, filters.cache_key)
    version, body = public_cache_get(key)
    if body is None:
        raw = map_json(
            language=language, filters=filters, thumbnail_url_template=thumbnail_url_template()
        ).encode()
        body = gzip.compress(raw, compresslevel=MAP_GZIP_LEVEL, mtime=0)
        public_cache_set(key, body, version=version, timeout=settings.MAP_DATA_CACHE_SECONDS)
    response = HttpResponse(content_type="application/json")
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response["Content-Encoding"] = "gzip"
        response.content = body
    else:
        response.content = gzip.decompress(body)
    response["Vary"] = "Accept-Encoding"
    # Browsers may keep it briefly; a CDN may not (no purge names every filtered URL). The
    # page cache may, under the public version (cms/core/page_cache.py).
    response["Cache-Control"] = "private, max-age=60"
    response.page_cache_private = True
    return response


@require_GET
def story_thumbnail(request, page_id: int):
    """Redirect to a small rendition of a public story's first usable image, or to a neutral
    illustration. 404 for anything not public, exactly as for a story that never existed."""
    key = _cache_key("thumbnail", str(page_id))
    version, url = public_cache_get(key)
    if url is None:
        url = story_thumbnail_url(page_id=page_id)
        if url is None:
            raise Http404
        url = url or static("img/story-placeholder.svg")
        public_cache_set(key, url, version=version, timeout=settings.MAP_DATA_CACHE_SECONDS)
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, max-age=300"
    return response
