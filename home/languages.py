"""Which languages a page can be read in: live, public translations only.

The language switcher and the ``hreflang`` alternates both come from here, so neither ever
points at a draft translation, a private page, or a story whose consent does not cover that
language (such a page would answer 410).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import override
from wagtail.models import Page, Site

from stories.public_cache import public_cache_get, public_cache_set


@dataclass(frozen=True)
class Alternate:
    language_code: str
    name: str
    url: str
    current: bool


def page_alternates(page: Page, request) -> list[Alternate]:
    """The current page in every language it is live and public in, current one included.

    A story's translations share its storyteller, so the consent read when the page was
    served (``StoryPage.serve`` sets ``readable_languages``) decides for all of them: a
    language outside it is left out.

    Cached until anything public changes (publishing, unpublishing, consent: the public
    version, stories/public_cache.py), as the same translations serve every visitor.
    """
    readable = getattr(page, "readable_languages", None)
    languages = "*" if readable is None else ",".join(sorted(readable))
    # The URLs depend on the site serving the request (relative within it), not its Host.
    site = Site.find_for_request(request)
    key = f"home:alternates:{page.pk}:{site.pk if site else ''}:{languages}"
    version, alternates = public_cache_get(key)
    if alternates is None:
        alternates = _alternates(page, request, readable)
        public_cache_set(key, alternates, version=version, timeout=60 * 60)
    return alternates


def _alternates(page: Page, request, readable) -> list[Alternate]:
    names = dict(settings.LANGUAGES)
    translations = page.get_translations(inclusive=True).live().public().select_related("locale")
    alternates = []
    for translation in translations:
        code = translation.locale.language_code
        if code not in names or (readable is not None and code not in readable):
            continue
        url = translation.get_url(request=request)
        if url:
            # Each language named in itself ("ไทย", "Tiếng Việt"), as its lang attribute says.
            with override(code):
                name = str(names[code])
            alternates.append(Alternate(code, name, url, current=translation.pk == page.pk))
    order = list(names)
    return sorted(alternates, key=lambda alternate: order.index(alternate.language_code))
