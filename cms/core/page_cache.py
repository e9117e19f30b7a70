"""A full-page cache for anonymous visitors that can never serve a taken-down story.

Responses are cached in Django's cache (Redis in production, shared by every instance) with
the public-content version they were rendered under (``stories/public_cache.py``), under a
key that includes today's date. Publishing, unpublishing, withdrawal, expiry, erasure and
consent changes bump the version *after their transaction commits*, so from that moment no
instance serves an old entry: a request that started before the commit may still store what
it rendered, but tagged with the version read before it rendered, which never matches
again. The date in the key drops entries rendered before midnight, when consent may have
expired. CDNs in front are purged through ``wagtail.contrib.frontend_cache``
(``stories/takedown.py``) and only told to keep pages for a short ``s-maxage``.

Two parts, one key (``request_key``, read from the WSGI environ alone):

- ``PageCacheApplication`` wraps the WSGI application (``cms/wsgi.py``) and answers a hit
  before Django builds a request: one Redis round trip (the version and the page together),
  then the stored status, headers and bytes. Everything else goes on to Django. The entries
  a process answered lately are kept in it too (``LocalCopies``): a hit on one reads only
  the version from Redis, not the whole entry (100 KB for the map data).
- ``PageCacheMiddleware``, first in ``MIDDLEWARE``, stores what Django answered, with the
  headers every other middleware added (security headers, CSP), so a hit sends exactly
  what a miss sent.

Only the simplest requests are cached: GET or HEAD, no session or message cookie, no query
string other than a page number, a URL outside the admin, the form views and static files;
and only responses that are 200, set no cookie and say nothing private, unless the view
marks a private response as fit for this cache alone (``response.page_cache_private``: the
map data, kept here by version but never by a CDN, which no purge could reach for every
filter).
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from urllib.parse import parse_qsl

from django.conf import settings
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language_from_path

from stories.public_cache import public_cache_get, public_cache_set, public_version

logger = logging.getLogger(__name__)

CACHEABLE_QUERY_KEYS = {"page"}
# Per process: the bytes of content kept as local copies (a gunicorn worker's share).
LOCAL_COPY_BYTES = 16 * 1024 * 1024
# What the application hands the middleware on a miss: the key and the version it read.
ENVIRON_KEY = "igivehope.page_cache"


def _excluded(path: str) -> bool:
    """Static and media files, and the configured paths in every language (``/th/donate/``
    as ``/donate/``)."""
    files = tuple(url for url in (settings.STATIC_URL, settings.MEDIA_URL) if url)
    if path.startswith(files):
        return True
    language = get_language_from_path(path)
    if language:
        path = path.removeprefix(f"/{language}")
    return path.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PATHS))


def request_key(environ) -> str | None:
    """The cache key of a request, or ``None`` when it must be rendered for its sender.

    The key holds every input that can change an anonymous page: the date, the scheme and
    host as Django may read them (proxy headers included), the path, the query string, and
    whether the client takes gzip (the map data is kept once per encoding).
    """
    if not settings.PAGE_CACHE_SECONDS or environ.get("REQUEST_METHOD") not in {"GET", "HEAD"}:
        return None
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    if _excluded(path):
        return None
    # Staff, and anyone with a session or a message waiting, get a fresh page.
    if {settings.SESSION_COOKIE_NAME, "messages"} & parse_cookie(
        environ.get("HTTP_COOKIE", "")
    ).keys():
        return None
    query = environ.get("QUERY_STRING", "")
    if (
        query
        and {name for name, _ in parse_qsl(query, keep_blank_values=True)} - CACHEABLE_QUERY_KEYS
    ):
        return None
    proxy_scheme = settings.SECURE_PROXY_SSL_HEADER[0] if settings.SECURE_PROXY_SSL_HEADER else ""
    raw = "\n".join(
        [
            timezone.localdate().isoformat(),
            environ.get("wsgi.url_scheme", ""),
            environ.get(proxy_scheme, "") if proxy_scheme else "",
            environ.get("HTTP_X_FORWARDED_HOST", "") if settings.USE_X_FORWARDED_HOST else "",
            environ.get("HTTP_HOST")
            or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}",
            path,
            query,
            "gzip" if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "") else "",
        ]
    )
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


class LocalCopies:
    """The entries a process answered lately, kept beside the shared cache, least recently
    used first out.

    A copy answers only while the version it was built under is still current, which the
    caller reads from the shared cache on every request, and only until the shared entry's
    own expiry: it serves exactly what the shared cache would, without fetching it again.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._copies: OrderedDict[str, tuple[str, tuple]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # for gunicorn's threaded workers

    def get(self, key: str) -> tuple[str, tuple] | None:
        """The version and entry kept under ``key``, if it has not expired."""
        with self._lock:
            held = self._copies.get(key)
            if held is None:
                return None
            if held[1][3] <= time.time():
                self._drop(key)
                return None
            self._copies.move_to_end(key)
            return held

    def put(self, key: str, version: str, entry: tuple) -> None:
        with self._lock:
            if key in self._copies:
                self._drop(key)
            self._copies[key] = (version, entry)
            self._bytes += len(entry[2])
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._copies)))

    def _drop(self, key: str) -> None:
        _version, entry = self._copies.pop(key)
        self._bytes -= len(entry[2])


def _answer(entry: tuple, start_response) -> list[bytes]:
    status, headers, content, _expires = entry
    start_response(status, [*headers, ("X-Page-Cache", "hit")])
    return [content]


class PageCacheApplication:
    """Answers page-cache hits in front of Django's WSGI application; the rest goes on."""

    def __init__(self, application):
        self.application = application
        self.copies = LocalCopies(LOCAL_COPY_BYTES)

    def __call__(self, environ, start_response):
        try:
            key = request_key(environ)
            if key is not None:
                held = self.copies.get(key)
                if held is not None and held[0] == public_version():
                    return _answer(held[1], start_response)
                version, entry = public_cache_get(key)
                if entry is not None:
                    self.copies.put(key, version, entry)
                    return _answer(entry, start_response)
                environ[ENVIRON_KEY] = (key, version)
        except Exception:  # the cache is down: Django answers, and reports what fails there
            logger.exception("Page cache lookup failed")
        return self.application(environ, start_response)


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


class PageCacheMiddleware:
    """First in ``MIDDLEWARE``: stores cacheable responses as the client receives them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        looked_up = request.META.get(ENVIRON_KEY)
        if looked_up:
            key, version = looked_up
        else:  # not through PageCacheApplication (the test client)
            key = request_key(request.META)
            if key is None:
                return self.get_response(request)
            version = public_version()  # before rendering: see the module's docstring
        request.get_host()  # an untrusted Host is refused here, before anything is stored
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
            # Plain values, as the WSGI server is given them: cheap to unpickle on a hit. The
            # expiry travels with the entry, for the local copies (LocalCopies).
            status = f"{response.status_code} {response.reason_phrase}"
            expires = time.time() + settings.PAGE_CACHE_SECONDS
            entry = (status, list(response.items()), response.content, expires)
            public_cache_set(key, entry, version=version, timeout=settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response
