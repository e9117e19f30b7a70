"""Which page answers a public URL, worked out once per public version.

Wagtail finds the page for a request afresh every time: the site for the host, the active
locale, each page down the path (two queries each, the page and its specific type), then the
view restrictions of the page and its ancestors. That is seven of the ten queries of a
story page, and most of its Python. ``PageRouteMiddleware`` keeps what Wagtail found (the
site and the route result, pickled with the page as it was read) in the public cache
(``stories/public_cache.py``) and hands it back to Wagtail's ``serve`` view through the two
request attributes Wagtail itself caches them in (``request._wagtail_site``,
``request._wagtail_route_for_request``). Everything else, from the consent check in
``StoryPage.serve`` to the template, still runs on every request.

This is as safe as the page cache: every change that can alter a route or what a route
result holds (publishing, unpublishing, moving, renaming or deleting a page, any other write
to a page row but a draft's bookkeeping, withdrawal, consent, a storyteller, a site, a
locale, a view restriction) bumps the public version after it commits
(``stories/receivers.py``), which retires every entry at once on every instance. Only found
pages are kept, and only for hosts in ``ALLOWED_HOSTS``, so a scan of made-up addresses
cannot fill the cache.
"""

import hashlib

from django.http.request import split_domain_port
from django.utils import translation
from wagtail.models import Page, Site
from wagtail.views import serve as wagtail_serve

from stories.public_cache import public_cache_get, public_cache_set

ROUTE_SECONDS = 60 * 60  # retired long before by any change; this only bounds idle entries


def route_keys(hostname: str, port: str, path: str) -> tuple[str, str]:
    """The inputs of Wagtail's routing: the host and port as ``Site.find_for_request``
    reads them, the language, the path.

    Two keys: one for any port of the host, one for this port. Wagtail tells sites apart by
    port only when several share a hostname; otherwise the route is kept for every port,
    so the one publishing found (``home/tasks.py::page_prepare``, at the site's own port)
    also serves visitors reaching an instance behind a proxy on its own port."""
    language = translation.get_language() or ""

    def key(port: str) -> str:
        raw = "\n".join([hostname, port, language, path])
        return "route:" + hashlib.sha256(raw.encode()).hexdigest()

    return key(""), key(port)


class PageRouteMiddleware:
    """Last in ``MIDDLEWARE``: for a GET or HEAD of a Wagtail page, routes from the cache
    when it can, else routes as Wagtail would and keeps the result."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not wagtail_serve or request.method not in {"GET", "HEAD"}:
            return None
        path = view_args[0] if view_args else view_kwargs["path"]
        request.get_host()  # DisallowedHost (400) before anything is looked up or stored
        hostname = split_domain_port(request._get_raw_host())[0]
        any_port, this_port = route_keys(hostname, request.get_port(), path)
        version, found = public_cache_get(any_port, this_port)
        if found is not None:
            request._wagtail_site, request._wagtail_route_for_request = found
            return None
        route = Page.route_for_request(request, path)  # kept on the request for serve()
        if route is not None:
            page = route[0]
            # Most pages have no restriction; saying so spares serve() two queries a request
            # (cms/core/models.py: BasePage.get_view_restrictions).
            page.view_restrictions_none = not page.get_view_restrictions().exists()
            shared = Site.objects.filter(hostname=hostname).count() > 1
            entry = (request._wagtail_site, route)
            key = this_port if shared else any_port
            public_cache_set(key, entry, version=version, timeout=ROUTE_SECONDS)
        return None
