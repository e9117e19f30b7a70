"""Which languages a page can be read in: live, public translations only.

The language switcher and the ``hreflang`` alternates both come from here, so neither ever
points at a draft translation, a private page, or a story whose consent does not cover that
language (such a page would answer 410).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import override
from wagtail.models import Page


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
    """
    names = dict(settings.LANGUAGES)
    readable = getattr(page, "readable_languages", None)
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
