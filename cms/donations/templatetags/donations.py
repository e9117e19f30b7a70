"""Template tags for the public site: links to donate and what a need has raised.

``{% donate_url need=need %}``, ``{% donate_url page=story_page %}``,
``{% donate_url campaign=campaign_page %}``, ``{% donate_url %}``;
``{% need_funded need as funded %}`` (one query; for many needs on a page, use
``cms.donations.selectors.needs_funded_minor`` in the view instead).
"""

from django import template
from django.urls import reverse

from cms.donations.selectors import need_funded_minor

register = template.Library()


@register.simple_tag
def donate_url(need=None, page=None, campaign=None) -> str:
    if campaign is not None:
        return reverse("donations:campaign", args=[campaign.translation_key])
    if need is not None:
        return reverse("donations:need", args=[need.translation_key])
    if page is not None:
        return reverse("donations:story", args=[page.translation_key])
    return reverse("donations:general")


@register.simple_tag
def need_funded(need) -> int:
    return need_funded_minor(need_key=need.translation_key)
