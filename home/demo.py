"""Demo content for the home app. Fictional, and obviously so."""

from django.db import transaction
from wagtail.models import Page, Site

from home.models import HomePage

MISSION_HEADING = "Fund what a survivor needs next — directly, and safely."
MISSION = (
    "Every story here is told by a survivor of human trafficking, under a pseudonym, with "
    "their consent. Your gift pays for something concrete — a safe room, a lawyer, a "
    "ticket home, a sewing machine — and nothing here shows who or where they are."
)


@transaction.atomic
def home_page_ensure() -> tuple[HomePage, bool]:
    """Make the default site's root a ``HomePage``; return it and whether it was created.

    Replaces Wagtail's "Welcome to your new Wagtail site!" page on a fresh database, and
    leaves an existing home page (and whatever editors changed on it) alone.
    """
    site = Site.objects.select_related("root_page").get(is_default_site=True)
    existing = site.root_page.specific
    if isinstance(existing, HomePage):
        return existing, False

    root = Page.get_first_root_node()
    # The placeholder holds the slug "home"; move it aside before our page takes it.
    placeholder = existing
    placeholder.slug = f"replaced-{placeholder.pk}"
    placeholder.save(update_fields=["slug"])

    home = root.add_child(
        instance=HomePage(
            title="igivehope",
            slug="home",
            mission_heading=MISSION_HEADING,
            mission=MISSION,
            search_description="Fund the concrete needs of trafficking survivors, safely.",
        )
    )
    home.save_revision().publish()
    site.root_page = home
    site.site_name = "igivehope"
    site.save()
    if placeholder.depth == 2 and not placeholder.get_children().exists():
        placeholder.delete()
    return home, True
