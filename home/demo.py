"""Demo content for the home app. Fictional, and obviously so."""

from django.db import transaction
from wagtail.models import Page, Site

from home.models import HomePage, HomePageFeaturedStory, StandardPage
from stories.models import StoryPage

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


def _paragraphs(*html: str) -> list[tuple[str, str]]:
    return [("paragraph", part) for part in html]


# (slug, title, in the main menu, intro, body)
STANDARD_PAGES = [
    (
        "how-your-gift-is-used",
        "How your gift is used",
        True,
        "Every gift pays for something a survivor and their case worker decided on together. "
        "Here is what happens after you give.",
        _paragraphs(
            "<h2>A need, not a cause</h2><p>Each story lists concrete needs: three months of "
            "rent in a safe room, a lawyer for a wage claim, the bus and the escort home, a "
            "year of school fees, a sewing machine. A case worker who knows the person sets "
            "each goal at what the thing really costs.</p>",
            "<h2>Straight to the need</h2><p>When a need is fully funded, the assisting "
            "organisation buys it or pays for it, and the story says so. If a need is met "
            "another way or the storyteller withdraws their story, your gift goes to the "
            "general survivor fund or back to you — you choose when you give.</p>",
            "<h2>Nobody waits for a story</h2><p>Telling a story is always optional. People "
            "who prefer not to share one are supported from the general survivor fund, in "
            "exactly the same way.</p>",
            "<h2>Honest numbers</h2><p>The totals and progress bars on this site come "
            "straight from our ledger, after refunds. We publish a yearly account of every "
            "fund.</p>",
        ),
    ),
    (
        "about",
        "About igivehope",
        True,
        "igivehope connects people who want to help with survivors of human trafficking who "
        "are rebuilding their lives — safely.",
        _paragraphs(
            "<p>Across South-East Asia, people who escaped forced labour, domestic servitude, "
            "forced marriage and sexual exploitation are rebuilding their lives with the help "
            "of case workers, shelters and lawyers. What they need next is often simple and "
            "specific, and it is often what stands between them and a safe new start.</p>",
            "<p>igivehope lets members of the public fund those needs directly, follow what "
            "happened next, and join campaigns such as <b>#igivehope</b> around the World Day "
            "against Trafficking in Persons on 30 July.</p>",
            "<h2>Protecting every storyteller</h2><p>Stories are told under a pseudonym, "
            "with recorded consent that says exactly what may be shared, where and for how "
            "long. Places are shown no more precisely than a province. No face is shown unless "
            "the storyteller chose so, and never a child's. Consent can be withdrawn at any "
            "time, and the story then disappears everywhere at once.</p>",
        ),
    ),
    (
        "privacy",
        "Privacy",
        False,
        "What we keep about you when you visit or give, and what we never do.",
        _paragraphs(
            "<p>We do not use advertising or tracking cookies, and no third-party script runs "
            "on this site. The map's background tiles are loaded from our map provider.</p>",
            "<p>When you give, our payment provider processes your card; we never see or "
            "store card numbers. We keep your name, email address and gifts to send receipts "
            "and, if you asked for them, updates about the needs you funded.</p>",
            "<p>Storytellers' private records are kept apart from this website, encrypted, "
            "and seen only by their own case workers.</p>",
        ),
    ),
    (
        "contact",
        "Contact us",
        False,
        "Questions about a gift, a story or a campaign — we would like to hear from you.",
        _paragraphs(
            '<p>Email <a href="mailto:hello@example.org">hello@example.org</a> and we will '
            "answer within two working days.</p>",
            "<p>If you think a story here could identify someone, tell us at once at "
            '<a href="mailto:safeguarding@example.org">safeguarding@example.org</a>. We take '
            "the story down while we look into it.</p>",
            "<p>If you or someone you know needs help now, contact your local anti-trafficking "
            "hotline or the police.</p>",
        ),
    ),
]


@transaction.atomic
def home_content_ensure(home: HomePage, *, story_index=None) -> int:
    """The simple pages (about, how your gift is used, privacy, contact), the story index in
    the menu and the home page's featured stories; returns how many pages were created."""
    created = 0
    for slug, title, in_menu, intro, body in STANDARD_PAGES:
        if StandardPage.objects.child_of(home).filter(slug=slug).exists():
            continue
        page = home.add_child(
            instance=StandardPage(
                title=title,
                slug=slug,
                intro=intro,
                body=body,
                show_in_menus=in_menu,
                search_description=intro,
            )
        )
        page.save_revision().publish()
        created += 1
    if story_index is not None:
        # A fresh copy: saving a stale one would write back an old child count (numchild),
        # and Wagtail would then route none of the stories.
        story_index.refresh_from_db()
        if not story_index.show_in_menus:
            story_index.show_in_menus = True
            story_index.save_revision().publish()
        # Stories first in the menu, before the simple pages.
        first = home.get_children().first()
        if first is not None and first.pk != story_index.pk:
            story_index.refresh_from_db()
            story_index.move(first, pos="left")
            story_index.refresh_from_db()
    home.refresh_from_db()  # pages were added under it: keep its child count current
    if not home.featured_stories.exists():
        stories = (
            list(StoryPage.objects.child_of(story_index).live().order_by("pk")[:3])
            if story_index
            else []
        )
        for position, story in enumerate(stories):
            home.featured_stories.add(HomePageFeaturedStory(story=story, sort_order=position))
        if stories:
            home.save_revision().publish()
    return created
