"""Factories for test data. Every person here is fictional, and obviously so."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Locale

from cms.users.models import User
from stories import services
from stories.models import ConsentRecord, StoryIndexPage, StoryPage, Storyteller

CANARY_NAME = "Testina Canaryson"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    is_staff = False
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        if create and names:
            self.groups.add(*Group.objects.filter(name__in=names))
            self.save()


def staff_in(group: str, **kwargs) -> User:
    return UserFactory(groups=[group], **kwargs)


class StorytellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Storyteller
        skip_postgeneration_save = True

    pseudonym = factory.Iterator(["Dao", "Mali", "Sophea", "Thida", "Lan"])
    is_child = False

    @factory.post_generation
    def case_workers(self, create, users, **kwargs):
        if create and users:
            self.case_workers.add(*users)


def consent_give(storyteller: Storyteller, *, by: User, **overrides) -> ConsentRecord:
    """A current, broad consent for an adult; override any part of the scope."""
    today = timezone.localdate()
    scope = {
        "story_text": True,
        "pseudonym": True,
        "photos_without_faces": True,
        "photos_with_faces": False,
        "map_precision": "region",
        "languages": ["en", "th"],
        "channels": ["website", "donor_email"],
        "granted_on": today - timedelta(days=30),
        "expires_on": today + timedelta(days=335),
        "explained_in": "th",
        "explained_by": by,
    }
    if storyteller.is_child:
        scope.update(guardian_consent=True, child_assent=True, map_precision="country")
    scope.update(overrides)
    return services.consent_record(storyteller=storyteller, by=by, **scope)


def story_index(home_page) -> StoryIndexPage:
    existing = StoryIndexPage.objects.child_of(home_page).first()
    if existing:
        return existing
    return home_page.add_child(instance=StoryIndexPage(title="Stories", slug="stories"))


def story_page(home_page, storyteller: Storyteller, **fields) -> StoryPage:
    """A draft story page for the storyteller (pages made in code are live unless told)."""
    defaults = {
        "title": "A sewing machine and a new start",
        "slug": f"story-{storyteller.pk}",
        "summary": "After two years in a garment workshop she could not leave, Dao is home.",
        "region": "TH-50",
        "live": False,
        "locale": Locale.get_default(),
    }
    defaults.update(fields)
    return story_index(home_page).add_child(instance=StoryPage(storyteller=storyteller, **defaults))


SAFEGUARDING_CHECKLIST = {
    "no_names": True,
    "no_places": True,
    "no_faces": True,
    "no_quasi_identifiers": True,
    "child_rules": True,
    "warnings_acknowledged": True,
    "risk_assessed_on": "2026-11-01",
}


def story_publish(page, *, author=None, case_worker=None, reviewer=None):
    """Take a story through the real workflow: submitted by an editor, consent checked by a
    case worker, approved by a safeguarding reviewer; the finish action publishes it."""
    from cms.workflows.services import page_submit_for_moderation, page_task_act

    author = author or staff_in("Editors")
    case_worker = case_worker or staff_in("Case workers")
    reviewer = reviewer or staff_in("Safeguarding reviewers")
    page.storyteller.case_workers.add(case_worker)  # only an assigned case worker checks consent
    page_submit_for_moderation(page=page, by=author)
    page_task_act(page=page, by=case_worker)
    page_task_act(page=page, by=reviewer, **SAFEGUARDING_CHECKLIST)
    page.refresh_from_db()
    return page


def image_make(*, face: bool, attested_by: User | None = None, title: str = "Hands at work"):
    """A stored image: NASA's public-domain astronaut portrait (a face) or a rocket (none)."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image
    from skimage import data

    from cms.core.images import image_attest
    from cms.core.models import CustomImage

    pixels = Image.fromarray(data.astronaut() if face else data.rocket()).convert("RGB")
    buffer = io.BytesIO()
    pixels.save(buffer, "JPEG")
    image = CustomImage(title=title, file=ContentFile(buffer.getvalue(), name="photo.jpg"))
    image.save()
    if attested_by is not None:
        image_attest(image=image, by=attested_by)
    return image


def image_block(image, alt_text: str = "Two hands threading a needle") -> tuple[str, dict]:
    return ("image", {"image": image, "alt_text": alt_text, "caption": ""})


# Words for generated stories: varied enough that size measurements are honest.
_BULK_NAMES = ["Dao", "Mali", "Sophea", "Thida", "Lan", "Nary", "Aye", "Kanya", "Vanna", "Hoa"]
_BULK_THINGS = [
    "a sewing machine",
    "the journey home",
    "a year of school",
    "a lawyer",
    "a safe room",
    "a noodle stall",
    "nursing school",
    "a bicycle repair kit",
    "a hairdressing course",
    "a fishing net of her own",
    "a rice cart",
    "a driving licence",
    "a phone repair course",
]
_BULK_ENDINGS = [
    "and a new start",
    "after years away",
    "so she can earn again",
    "for her family",
    "to finish what she began",
    "and the right to be paid",
    "without looking back",
]


def stories_bulk_live(home_page, count: int, *, by: User, regions=None) -> list[int]:
    """``count`` live stories with current consent and one or two needs each, written straight
    to the database for size and query-count tests (a thousand pages through the workflow
    would take minutes). Every row still passes the database's consent trigger."""
    import uuid

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.models import F
    from wagtail.models import Page

    from stories.models import StoryNeed
    from stories.public_cache import public_version_bump

    regions = regions or ["TH-50", "TH-10", "KH", "KH-12", "MM", "VN-SG", "LA", "TH-63"]
    index = story_index(home_page)
    index.refresh_from_db()
    locale = Locale.get_default()
    today, now = timezone.localdate(), timezone.now()
    first = Storyteller.objects.count()
    tellers = Storyteller.objects.bulk_create(
        Storyteller(pseudonym=_BULK_NAMES[n % 10], case_code=f"ST-B{first + n:06d}")
        for n in range(count)
    )
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            storyteller=teller,
            version=1,
            story_text=True,
            pseudonym=True,
            photos_without_faces=True,
            map_precision="region",
            languages=["en", "th"],
            channels=["website"],
            granted_on=today - timedelta(days=10),
            expires_on=today + timedelta(days=300),
            explained_in="en",
            explained_by=by,
            recorded_by=by,
        )
        for teller in tellers
    )
    last = index.get_last_child()
    step = Page._str2int(last.path[-Page.steplen :]) if last else 0
    pages = []
    for n, teller in enumerate(tellers):
        title = (
            f"{_BULK_THINGS[n % len(_BULK_THINGS)].capitalize()} "
            f"{_BULK_ENDINGS[(n // 3) % len(_BULK_ENDINGS)]}"
        )
        slug = f"{title.lower().replace(' ', '-')}-{teller.pk}"
        pages.append(
            Page(
                title=title,
                draft_title=title,
                slug=slug[:250],
                path=Page._get_path(index.path, index.depth + 1, step + n + 1),
                depth=index.depth + 1,
                numchild=0,
                url_path=f"{index.url_path}{slug}/",
                live=True,
                has_unpublished_changes=False,
                content_type=ContentType.objects.get_for_model(StoryPage),
                locale=locale,
                translation_key=uuid.uuid4(),
                first_published_at=now - timedelta(minutes=n),
                last_published_at=now - timedelta(minutes=n),
            )
        )
    pages = Page.objects.bulk_create(pages)
    fields = StoryPage._meta.local_concrete_fields
    rows = [
        [field.get_db_prep_save(getattr(story, field.attname), connection) for field in fields]
        for story in (
            StoryPage(
                page_ptr_id=page.pk,
                storyteller=teller,
                summary=f"{teller.pseudonym} is ready for {_BULK_THINGS[n % 13]}.",
                body=[],
                region=regions[n % len(regions)],
            )
            for n, (page, teller) in enumerate(zip(pages, tellers, strict=True))
        )
    ]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {StoryPage._meta.db_table} ({columns}) VALUES ({placeholders})",  # noqa: S608
            rows,
        )
    StoryNeed.objects.bulk_create(
        StoryNeed(
            page_id=page.pk,
            locale=locale,
            translation_key=uuid.uuid4(),
            sort_order=k,
            title=_BULK_THINGS[(n + k) % 13].capitalize(),
            category=["small-business", "education", "legal", "journey-home"][(n + k) % 4],
            goal_minor=50_000 + 1_000 * (n % 37),
            currency="USD",
            status="open" if (n + k) % 5 else "funded",
        )
        for n, page in enumerate(pages)
        for k in range(1 + n % 2)
    )
    Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + count)
    public_version_bump()
    return [page.pk for page in pages]


def story_live(home_page, *, case_worker=None, consent=None, storyteller=None, **fields):
    """A story that is live today: its storyteller, a current consent (override any part
    with ``consent={...}``) and the page taken through ``story_publish``."""
    case_worker = case_worker or staff_in("Case workers")
    if storyteller is None:
        storyteller = StorytellerFactory(case_workers=[case_worker])
        consent_give(storyteller, by=case_worker, **(consent or {}))
    fields.setdefault("slug", f"story-{storyteller.pk}-{StoryPage.objects.count()}")
    page = story_page(home_page, storyteller, **fields)
    return story_publish(page, case_worker=case_worker)


def story_in_two_languages(home_page, people: dict, **story_fields):
    """A live story in English and its live Thai translation, each through the workflow.

    ``people`` holds "author", "translator", "case_worker" and "reviewer" users.
    """
    from wagtail_localize.models import TranslationSource

    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    consent_give(storyteller, by=people["case_worker"], languages=["en", "th"], search_engines=True)
    roles = {"case_worker": people["case_worker"], "reviewer": people["reviewer"]}
    english = story_publish(
        story_page(home_page, storyteller, **story_fields), author=people["author"], **roles
    )
    TranslationSource.get_or_create_from_instance(english)
    thai_locale, _ = Locale.objects.get_or_create(language_code="th")
    english.copy_for_translation(thai_locale, copy_parents=True)
    thai = StoryPage.objects.get(translation_key=english.translation_key, locale=thai_locale)
    thai.title = "จักรเย็บผ้าและการเริ่มต้นใหม่"
    thai.save_revision(user=people["translator"])
    thai = story_publish(thai, author=people["translator"], **roles)
    # Wagtail made the Thai home and index as aliases of the English ones: publish them too.
    for ancestor in thai.get_ancestors().filter(depth__gt=1):
        if not ancestor.live:
            ancestor.specific.save_revision().publish()
    return storyteller, english, thai
