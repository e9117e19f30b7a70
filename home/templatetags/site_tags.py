"""Template tags for the page chrome and the story map."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils import translation

from home.languages import page_alternates
from home.selectors import site_links

register = template.Library()

OG_IMAGE = "img/og-igivehope.png"


def _links(context):
    request = context.get("request")
    cached = getattr(request, "_site_links", None) if request is not None else None
    if cached is None:
        cached = site_links(language=translation.get_language())
        if request is not None:
            request._site_links = cached
    return cached


def _alternates(context):
    page, request = context.get("page"), context.get("request")
    if page is None or not getattr(page, "pk", None):
        return []
    cached = getattr(request, "_page_alternates", None) if request is not None else None
    if cached is None:
        cached = page_alternates(page, request)
        if request is not None:
            request._page_alternates = cached
    return cached


@register.inclusion_tag("components/header.html", takes_context=True)
def site_header(context):
    alternates = _alternates(context)
    return {
        "request": context.get("request"),
        "links": _links(context).header,
        # The switcher only offers languages this very page is live in.
        "alternates": alternates if len(alternates) > 1 else [],
    }


@register.inclusion_tag("components/hreflang.html", takes_context=True)
def hreflang_links(context):
    request = context.get("request")
    alternates = _alternates(context)
    return {
        "alternates": [
            (alternate.language_code, request.build_absolute_uri(alternate.url))
            for alternate in alternates
        ]
        if len(alternates) > 1
        else [],
    }


@register.inclusion_tag("components/footer.html", takes_context=True)
def site_footer(context):
    return {"request": context.get("request"), "links": _links(context).footer}


@register.inclusion_tag("components/story_map.html")
def story_map(data_url: str, index_url: str = "", label: str = ""):
    """The map's element: configuration in data- attributes, read by static/js/map.js."""
    return {
        "data_url": data_url,
        "index_url": index_url,
        "label": label,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "max_zoom": settings.MAP_MAX_ZOOM,
    }


@register.simple_tag(takes_context=True)
def og_image_url(context) -> str:
    """Campaign art for social previews: never an image from a story."""
    url = static(OG_IMAGE)
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url
