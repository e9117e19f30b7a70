"""Demo stories. Every storyteller, name and place-detail here is invented, obviously so:
the "real names" are words like "Example" in each script, so nobody can mistake them."""

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from cms.core.images import image_attest
from cms.core.models import CustomImage
from cms.workflows.services import page_submit_for_moderation, page_task_act
from stories import services
from stories.models import StoryIndexPage, StoryNeed, StoryPage, Storyteller, StoryUpdate


@dataclass
class DemoStory:
    pseudonym: str
    slug: str
    title: str
    summary: str
    region: str
    age_band: str
    exploitation: str
    terms: list[tuple[str, str]]
    paragraphs: list[str]
    quote: str
    milestones: list[tuple[int, int, str]]
    needs: list[tuple[str, str, int, str, str]]
    languages: list[str] = field(default_factory=lambda: ["en", "th", "km", "my", "vi"])
    updates: list[tuple[date, str, str]] = field(default_factory=list)
    illustration: tuple[str, tuple[str, str, str]] | None = None


DEMO_STORIES = [
    DemoStory(
        pseudonym="Dao",
        slug="a-sewing-machine-and-a-new-start",
        title="A sewing machine and a new start",
        summary=(
            "Dao spent two years in a garment workshop she was not allowed to leave. "
            "Now she wants to sew for herself."
        ),
        region="TH-50",
        age_band="25-34",
        exploitation="forced-labour",
        terms=[
            ("name", "Fictiva Examplename"),
            ("name", "ฟิกทีฟ ตัวอย่าง"),
            ("nickname", "Exampley"),
            ("place", "Ban Demonstration Village"),
        ],
        paragraphs=[
            "<p>The job offer promised a factory wage and a room. What waited was a locked "
            "workshop, sixteen-hour days and a debt that grew every month.</p>",
            "<p>After she was helped out, Dao stayed in a shelter, saw a doctor and a lawyer, "
            "and spent long evenings practising on the shelter's old machine.</p>",
        ],
        quote="I know how to make things. I just need a machine that is mine.",
        milestones=[
            (3, 2023, "Left home for a job that did not exist."),
            (6, 2025, "Reached a shelter and began legal proceedings."),
            (1, 2026, "Finished a tailoring course with her case worker's support."),
        ],
        needs=[
            ("An industrial sewing machine", "small-business", 1_450_000, "THB", "open"),
            ("Three months' rent for a small stall", "small-business", 900_000, "THB", "open"),
        ],
        illustration=("Thread and cloth (illustration)", ("#f4efe6", "#a4361b", "#7a5230")),
    ),
    DemoStory(
        pseudonym="Sophea",
        slug="the-road-home-to-cambodia",
        title="The road home",
        summary=(
            "Sophea was recruited to work on a fishing boat's processing line. She is ready "
            "to go home and finish school."
        ),
        region="KH",
        age_band="18-24",
        exploitation="fishing",
        terms=[
            ("name", "Demonstra Samplename"),
            ("name", "ឧទាហរណ៍ គំរូ"),
            ("employer", "Example Seafood Processing Co."),
        ],
        paragraphs=[
            "<p>For a year Sophea worked on a processing line without pay, told that her "
            "wages were held against the cost of her journey.</p>",
            "<p>She wants to finish secondary school and train as a nurse.</p>",
        ],
        quote="My mother kept my school uniform. I want to wear it again.",
        milestones=[
            (8, 2024, "Recruited with a promise of factory work."),
            (11, 2025, "Identified as a victim and referred for support."),
        ],
        needs=[
            ("The journey home, with an escort", "journey-home", 32_000, "USD", "open"),
            ("A year of school fees and books", "education", 45_000, "USD", "open"),
        ],
        languages=["en", "km", "th"],
    ),
    DemoStory(
        pseudonym="Thida",
        slug="legal-help-to-recover-wages",
        title="Recovering what she earned",
        summary=(
            "Thida was a domestic worker whose passport was taken. A lawyer can help her "
            "recover two years of wages."
        ),
        region="MM",
        age_band="35-44",
        exploitation="domestic",
        terms=[("name", "Samplia Demoperson"), ("name", "နမူနာ ဥပမာ")],
        paragraphs=[
            "<p>Thida cooked and cleaned for a household for two years, never paid and never "
            "allowed to keep her own documents.</p>",
        ],
        quote="I want my children to know their mother was paid for her work.",
        milestones=[(5, 2023, "Began work abroad."), (9, 2025, "Reached safety.")],
        needs=[("A lawyer for the wage claim", "legal", 60_000, "USD", "open")],
        updates=[
            (
                date(2026, 10, 1),
                "Her documents are back",
                "With a lawyer's help, Thida has her passport again.",
            )
        ],
    ),
]


def demo_staff(username: str, group: str, last_name: str):
    """A fictional staff member who cannot sign in (no usable password)."""
    user, _ = get_user_model().objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@example.org", "first_name": "Demo", "last_name": last_name},
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=group))
    return user


def demo_case_worker():
    return demo_staff("demo-caseworker", "Case workers", "Worker")


def demo_reviewer():
    return demo_staff("demo-reviewer", "Safeguarding reviewers", "Reviewer")


def demo_moderator():
    return demo_staff("demo-moderator", "Moderators", "Moderator")


def _demo_editor():
    return demo_staff("demo-editor", "Editors", "Editor")


def _illustration(title: str, colours: tuple[str, str, str]) -> CustomImage:
    """A generated illustration (a spool of thread on warm paper): no person, no place."""
    existing = CustomImage.objects.filter(title=title).first()
    if existing:
        return existing
    background, thread, wood = colours
    canvas = Image.new("RGB", (1200, 800), background)
    draw = ImageDraw.Draw(canvas)
    for offset in range(0, 800, 40):  # a soft woven texture
        draw.line([(0, offset), (1200, offset + 200)], fill=thread, width=2)
    draw.rectangle([480, 180, 720, 230], fill=wood)
    draw.rectangle([480, 570, 720, 620], fill=wood)
    for row in range(240, 570, 14):
        draw.rectangle([505, row, 695, row + 9], fill=thread)
    draw.line([(695, 400), (1050, 700)], fill=thread, width=6)
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    image = CustomImage(title=title, file=ContentFile(buffer.getvalue(), name="illustration.png"))
    image.save()
    image_attest(image=image, by=demo_reviewer())
    return image


def _publish_through_review(page: StoryPage, *, case_worker) -> None:
    """The real workflow: an editor submits, the case worker checks consent, a reviewer
    approves with the checklist; the finish action publishes. Nothing is forced live."""
    if [b for b in page.publication_blockers() if b.code != "not_approved"]:
        return  # a demo story the policy refuses stays a draft, as it would for anyone
    page_submit_for_moderation(page=page, by=_demo_editor())
    page_task_act(page=page, by=case_worker)
    safeguarding_approve(page, by=demo_reviewer())


def safeguarding_approve(page: StoryPage, *, by) -> None:
    """The safeguarding review, with every point of the reviewer's checklist confirmed."""
    page_task_act(
        page=page,
        by=by,
        no_names=True,
        no_places=True,
        no_faces=True,
        no_quasi_identifiers=True,
        child_rules=True,
        warnings_acknowledged=True,
        risk_assessed_on=timezone.localdate().isoformat(),
    )


def _body(story: DemoStory) -> list[tuple[str, object]]:
    blocks: list[tuple[str, object]] = [("paragraph", html) for html in story.paragraphs]
    if story.illustration:
        title, colours = story.illustration
        blocks.append(
            (
                "image",
                {
                    "image": _illustration(title, colours),
                    "alt_text": "An illustration of a spool of thread on woven cloth.",
                    "caption": "Illustration. Stories here show objects and places, never faces.",
                },
            )
        )
    blocks.insert(1, ("quote", {"text": story.quote, "attribution": story.pseudonym}))
    blocks += [
        ("milestone", {"month": str(month), "year": year, "text": text})
        for month, year, text in story.milestones
    ]
    return blocks


@transaction.atomic
def stories_ensure(home_page, *, staff=()) -> tuple[StoryIndexPage, int]:
    """The story index and the demo stories, each with its private record; returns the
    index and how many stories were created this time."""
    index = StoryIndexPage.objects.child_of(home_page).first()
    if index is None:
        index = home_page.add_child(
            instance=StoryIndexPage(
                title="Stories",
                slug="stories",
                intro="Each story is told by the person who lived it, under a pseudonym.",
            )
        )
        index.save_revision().publish()
    case_worker = demo_case_worker()
    created = 0
    for story in DEMO_STORIES:
        if StoryPage.objects.filter(slug=story.slug, locale=index.locale).exists():
            continue
        storyteller = Storyteller.objects.create(pseudonym=story.pseudonym)
        storyteller.case_workers.add(case_worker, *staff)
        for kind, value in story.terms:
            services.identifying_term_add(
                storyteller=storyteller, kind=kind, value=value, by=case_worker
            )
        today = timezone.localdate()
        services.consent_record(
            storyteller=storyteller,
            by=case_worker,
            story_text=True,
            pseudonym=True,
            photos_without_faces=True,
            map_precision="region",
            languages=story.languages,
            channels=["website", "donor_email", "social"],
            granted_on=today - timedelta(days=20),
            expires_on=today + timedelta(days=345),
            explained_in=story.languages[1],
            explained_by=case_worker,
            interpreter="Staff interpreter (demo)",
        )
        page = StoryPage(
            title=story.title,
            slug=story.slug,
            storyteller=storyteller,
            summary=story.summary,
            region=story.region,
            age_band=story.age_band,
            exploitation=story.exploitation,
            body=_body(story),
            live=False,
        )
        for title, category, goal, currency, status in story.needs:
            page.needs.add(
                StoryNeed(
                    title=title,
                    category=category,
                    goal_minor=goal,
                    currency=currency,
                    status=status,
                )
            )
        for month, title, text in story.updates:
            page.updates.add(StoryUpdate(month=month, title=title, text=text))
        index.add_child(instance=page)
        _publish_through_review(page, case_worker=case_worker)
        created += 1
    return index, created
