"""Erasing a storyteller: everything that was ever written about them goes.

Wagtail and wagtail-localize keep copies of page content in many places besides the page
rows: revisions, audit-log labels and data, comments, workflow and task-state comments,
translation sources, segments, strings and overrides, search index rows, editing sessions,
image files and renditions. This removes all of them, with the identifying terms and the
encrypted consent evidence, and keeps the financial ledger: other apps cut their link to the
story through ``stories.signals.storyteller_erased``. The access log keeps only the opaque
case code, as it must.
"""

from collections import Counter

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    ModelLogEntry,
    Page,
    PageLogEntry,
    ReferenceIndex,
    Revision,
    WorkflowState,
)
from wagtail.search.index import remove_object
from wagtail_localize.models import (
    SegmentOverride,
    String,
    StringSegment,
    Template,
    TemplateSegment,
    TranslatableObject,
    TranslationContext,
    TranslationSource,
)

from cms.core.models import CustomImage
from stories.models import ConsentRecord, IdentifyingTerm, StoryNeed, StoryPage, Storyteller
from stories.signals import storyteller_erased


def _images_of(pages: list[StoryPage]) -> set[CustomImage]:
    """Images the pages show, and the unmasked originals they were made from."""
    images: set[CustomImage] = set()
    for page in pages:
        for block in page.body or []:
            if block.block_type == "image" and block.value.get("image") is not None:
                image = block.value["image"]
                while image is not None and image not in images:
                    images.add(image)
                    image = image.masked_from
    return images


def _used_elsewhere(image: CustomImage, page_ids: set[int]) -> bool:
    page_type = ContentType.objects.get_for_model(Page)
    references = ReferenceIndex.get_references_to(image)
    others = {
        int(object_id)
        for object_id in references.filter(base_content_type=page_type).values_list(
            "object_id", flat=True
        )
    } - page_ids
    return bool(others) or references.exclude(base_content_type=page_type).exists()


def _translation_strings(translation_keys: set) -> tuple[set[int], set[int]]:
    """The strings and templates extracted from these objects' translation sources.

    Read before anything is deleted: wagtail-localize removes a page's sources with the page,
    leaving its strings behind.
    """
    sources = TranslationSource.objects.filter(object_id__in=translation_keys)
    string_ids = set(
        StringSegment.objects.filter(source__in=sources).values_list("string_id", flat=True)
    )
    template_ids = set(
        TemplateSegment.objects.filter(source__in=sources).values_list("template_id", flat=True)
    )
    return string_ids, template_ids


def _erase_translation_data(translation_keys: set, string_ids: set, template_ids: set) -> Counter:
    removed = Counter()
    sources = TranslationSource.objects.filter(object_id__in=translation_keys)
    contexts = TranslationContext.objects.filter(object_id__in=translation_keys)
    removed["translation overrides"] = SegmentOverride.objects.filter(
        context__in=contexts
    ).delete()[0]
    removed["translation sources"] = sources.delete()[0]
    removed["translation contexts"] = contexts.delete()[0]  # with their string translations
    # Strings and templates are shared between sources: remove only those now unused.
    removed["translation strings"] = String.objects.filter(
        pk__in=string_ids, segments__isnull=True
    ).delete()[0]
    removed["translation templates"] = Template.objects.filter(
        pk__in=template_ids, segments__isnull=True
    ).delete()[0]
    removed["translatable objects"] = TranslatableObject.objects.filter(
        translation_key__in=translation_keys
    ).delete()[0]
    return removed


def _erase_log_entries(model, object_ids: set) -> int:
    content_type = ContentType.objects.get_for_model(model)
    return ModelLogEntry.objects.filter(
        content_type=content_type, object_id__in=[str(pk) for pk in object_ids]
    ).delete()[0]


@transaction.atomic
def storyteller_erase(*, storyteller: Storyteller) -> Counter:
    """Remove every trace of the storyteller; return what was removed, by kind."""
    removed: Counter = Counter()
    pages = list(StoryPage.objects.filter(storyteller=storyteller))
    page_ids = {page.pk for page in pages}
    page_id_strings = [str(pk) for pk in page_ids]
    translation_keys = {page.translation_key for page in pages}
    need_keys = set(
        StoryNeed.objects.filter(page__in=pages).values_list("translation_key", flat=True)
    )
    images = _images_of(pages)
    page_type = ContentType.objects.get_for_model(Page)
    string_ids, template_ids = _translation_strings(translation_keys)

    storyteller_erased.send(
        sender=Storyteller,
        storyteller=storyteller,
        need_keys=need_keys,
        story_keys=translation_keys,
    )
    for page in pages:
        remove_object(page)
    removed["workflow states"] = WorkflowState.objects.filter(
        base_content_type=page_type, object_id__in=page_id_strings
    ).delete()[0]  # task states and their comments go with them
    removed["revisions"] = Revision.page_revisions.filter(object_id__in=page_id_strings).delete()[0]
    for page in sorted(pages, key=lambda page: -page.depth):
        if Page.objects.filter(pk=page.pk).exists():
            Page.objects.get(pk=page.pk).delete()  # comments, approvals, subscriptions cascade
            removed["pages"] += 1
    # After the deletion, which logs "wagtail.delete" with the title as label.
    removed["page log entries"] = PageLogEntry.objects.filter(page_id__in=page_ids).delete()[0]
    removed.update(_erase_translation_data(translation_keys, string_ids, template_ids))

    for image in images:
        if not _used_elsewhere(image, page_ids):
            removed["image log entries"] += _erase_log_entries(CustomImage, {image.pk})
            image.delete()  # Wagtail deletes the file and every rendition file after commit
            removed["images"] += 1

    for record in ConsentRecord.objects.filter(storyteller=storyteller).exclude(evidence=""):
        record.evidence.storage.delete(record.evidence.name)
        removed["evidence files"] += 1
    removed["log entries"] += _erase_log_entries(Storyteller, {storyteller.pk})
    removed["log entries"] += _erase_log_entries(
        IdentifyingTerm, set(storyteller.identifying_terms.values_list("pk", flat=True))
    )
    removed["log entries"] += _erase_log_entries(
        ConsentRecord, set(storyteller.consent_records.values_list("pk", flat=True))
    )
    removed["identifying terms"] = storyteller.identifying_terms.count()
    removed["consent records"] = storyteller.consent_records.count()
    storyteller.delete()
    removed["storytellers"] = 1
    return +removed
