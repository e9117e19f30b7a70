"""Four eyes: the content that goes live must have been approved by someone who did not
write or translate it.

An approval is recorded against a *fingerprint* of the content (every public field, the
storyteller link, the locale), not only against a revision id. So the approval follows the
exact content wherever Wagtail copies it — the approved revision itself, a scheduled go-live,
an alias or a revert to identical content — and any change of content, however it is made,
needs a new approval. The fingerprint is a hash: it holds no text.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from cms.core.publishing import NON_FIELD, Blocker


def _public_content(page) -> dict:
    """What a visitor would see (and what decides consent), in a stable shape."""
    fields = page.approval_fingerprint_fields
    content = {name: getattr(page, name) for name in fields}
    if hasattr(page, "body"):
        content["body"] = page.body.get_prep_value()
    for relation, child_fields in page.approval_fingerprint_children.items():
        content[relation] = [
            [getattr(child, name) for name in child_fields]
            for child in sorted(getattr(page, relation).all(), key=lambda c: c.sort_order or 0)
        ]
    content["locale"] = page.locale.language_code if page.locale_id else None
    return content


def content_fingerprint(page) -> str:
    serialised = json.dumps(_public_content(page), sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(serialised.encode()).hexdigest()


def content_authors(page) -> set[int]:
    """Everyone who wrote a revision of this page, or translated its strings."""
    from wagtail.models import Revision
    from wagtail_localize.models import StringTranslation

    if page.pk is None:
        return set()
    authors = set(
        Revision.page_revisions.filter(object_id=str(page.pk))
        .exclude(user=None)
        .values_list("user_id", flat=True)
    )
    authors |= set(
        StringTranslation.objects.filter(
            locale_id=page.locale_id, context__object_id=page.translation_key
        )
        .exclude(last_translated_by=None)
        .values_list("last_translated_by_id", flat=True)
    )
    return authors


def approval_blockers(page) -> list[Blocker]:
    from cms.workflows.models import ContentApproval

    approvers = set(
        ContentApproval.objects.filter(fingerprint=content_fingerprint(page)).values_list(
            "approved_by_id", flat=True
        )
    )
    if approvers - content_authors(page):
        return []
    if approvers:
        return [
            Blocker(
                "approved_by_author",
                NON_FIELD,
                _("This content was approved only by someone who wrote or translated it."),
            )
        ]
    return [
        Blocker(
            "not_approved",
            NON_FIELD,
            _("This content has no safeguarding approval; submit it for review."),
        )
    ]
