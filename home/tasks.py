"""Background work for public pages (run by ``manage.py db_worker``; inline in development)."""

from django_tasks import task
from wagtail.fields import StreamField
from wagtail.models import Page

from stories.selectors import STORY_IMAGE_WIDTHS, THUMBNAIL_SPEC

RENDITION_SPECS = (*(f"width-{width}" for width in STORY_IMAGE_WIDTHS), THUMBNAIL_SPEC)


def page_images(page) -> list:
    """The images in a page's StreamFields (image blocks are structs with an ``image``)."""
    images = []
    for field in page._meta.get_fields():
        if not isinstance(field, StreamField):
            continue
        for block in getattr(page, field.name):
            value = block.value
            image = value.get("image") if hasattr(value, "get") else None
            if image is not None:
                images.append(image)
    return images


@task()
def page_renditions_prepare(page_id: int) -> int:
    """Create the renditions a page's templates use, so its first visitor does not wait.

    Returns how many images were prepared.
    """
    page = Page.objects.filter(pk=page_id, live=True).first()
    if page is None:
        return 0
    images = page_images(page.specific)
    for image in images:
        image.get_renditions(*RENDITION_SPECS)
    return len(images)
