"""A full-page cache for anonymous visitors that can never serve a taken-down story.

Responses are cached in Django's cache (Redis in production, shared by every instance) with
the public-content version they were rendered under (``stories/public_cache.py``), under a
key that includes today's date. Publishing, unpublishing, withdrawal, expiry, erasure and
consent changes bump the version *after their transaction commits*, so from that moment no
instance serves an old entry: a request that started before the commit may still store what
it rendered, but tagged with the old version, which never matches again. A hit is one round
trip to the cache (the version and the page together). The date in the key drops entries
rendered before midnight, when consent may have expired. CDNs in front are purged through
``wagtail.contrib.frontend_cache`` (``stories/takedown.py``) and only told to keep pages for a
short ``s-maxage``.

Only the simplest requests are cached: GET or HEAD, no session cookie, no query string other
than a page number, a URL outside the admin and the form views; and only responses that are
200, set no cookie and say nothing private, unless the view marks a private response as fit
for this cache alone (``response.page_cache_private``: the map data, kept here by version but
never by a CDN, which no purge could reach for every filter).
"""

import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language_from_path

from stories.public_cache import public_cache_get, public_cache_set

CACHEABLE_QUERY_KEYS = {"page"}


def _path_without_language(path: str) -> str:
    """``/th/donate/`` → ``/donate/``: exclusions hold in every language."""
    language = get_language_from_path(path)
    return path.removeprefix(f"/{language}") if language else path


def _cacheable_request(request) -> bool:
    if request.method not in {"GET", "HEAD"}:
        return False
    if {settings.SESSION_COOKIE_NAME, "messages"} & set(request.COOKIES):
        return False  # staff, and anyone with a session or a message waiting, get a fresh page
    if set(request.GET) - CACHEABLE_QUERY_KEYS:
        return False
    path = _path_without_language(request.path)
    return not path.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PATHS))


def _shared_only(response) -> bool:
    """A response the view marked as safe to keep here but not in a CDN: it stays
    ``private`` downstream (the map data: a CDN purge cannot name every filtered URL)."""
    return getattr(response, "page_cache_private", False)


def _cacheable_response(response) -> bool:
    # A response that sets a cookie (a CSRF token, a message) belongs to one visitor. Its
    # "Vary: Cookie" alone does not: templates touch the session to ask who is logged in, and
    # only requests without a session cookie are served from here.
    if response.status_code != 200 or response.cookies or response.streaming:
        return False
    if _shared_only(response):
        return True
    control = response.get("Cache-Control", "")
    return not any(word in control for word in ("private", "no-store", "no-cache"))


def page_cache_key(request) -> str:
    raw = "|".join(
        [
            timezone.localdate().isoformat(),
            request.get_host(),
            request.get_full_path(),
            # Responses that vary on it (the gzipped map data) are kept once per encoding.
            "gzip" if "gzip" in request.headers.get("Accept-Encoding", "") else "",
        ]
    )
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


class PageCacheMiddleware:
    """Outermost after security/static middleware, so a hit costs one cache read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_SECONDS or not _cacheable_request(request):
            return self.get_response(request)
        key = page_cache_key(request)
        version, cached = public_cache_get(key)
        if cached is not None:
            status, headers, content = cached
            response = HttpResponse(content, status=status, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if request.method == "GET" and _cacheable_response(response):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            if not _shared_only(response):
                patch_cache_control(
                    response,
                    public=True,
                    max_age=settings.PAGE_CACHE_BROWSER_SECONDS,
                    s_maxage=settings.PAGE_CACHE_CDN_SECONDS,
                )
            # Plain values, not the response object: cheaper to unpickle on every hit.
            entry = (response.status_code, dict(response.items()), response.content)
            public_cache_set(key, entry, version=version, timeout=settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response
