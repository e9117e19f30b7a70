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
