"""The publish gate: no page row becomes live while its page type reports blockers.

How a Wagtail 8 page goes live (admin publish, revert, bulk, scheduled, workflow approval,
``revision.publish()``, copy with keep-live, aliases, wagtail-localize translate, sync and
publish, the admin API, plain ``page.save()``…): every route ends in ``Page.save()`` on the
specific instance with ``live=True`` (``../shared/reference/wagtail-internals.md`` §3). So the
rule lives here, in ``save()``, and cannot be forgotten by any route:

    A page is written with ``live=True`` only if ``publication_blockers()`` is empty.

The rest only mirrors it: admin hooks show the same blockers as a message before anything is
saved (``cms/workflows/wagtail_hooks.py``), the workflow tasks refuse to approve while they
exist, a PostgreSQL constraint trigger refuses live story rows without current consent for
writes that skip ``save()`` (``QuerySet.update``, raw SQL), and ``StoryPage.serve()`` checks
consent again at request time.

Refusal is a ``ValidationError`` with a field dict: wagtail-localize reads ``error_dict`` and the
admin API turns it into a 400 only in that shape.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

NON_FIELD = "__all__"


@dataclass(frozen=True)
class Blocker:
    """One reason a page may not be live. ``message`` never repeats identifying detail."""

    code: str
    field: str
    message: str


class PublishGateError(ValidationError):
    """Raised by ``save()`` when a page would be written live with blockers."""

    def __init__(self, blockers: list[Blocker]):
        self.blockers = blockers
        errors: dict[str, list[str]] = {}
        for blocker in blockers:
            errors.setdefault(blocker.field, []).append(blocker.message)
        super().__init__(errors)


class PublishGateMixin(models.Model):
    """Mixed into ``BasePage``: every page type of the site passes through the gate.

    Page types override ``publication_blockers()``; the default has none.
    """

    # Fields whose change on a live row must be re-checked even when ``update_fields`` is
    # given (``live`` itself is always checked).
    publish_gate_fields: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        checked = update_fields is None or set(update_fields) & (
            {"live"} | set(self.publish_gate_fields)
        )
        # Saving a draft of a live page writes only bookkeeping fields (save_revision uses
        # update_fields), so it is allowed; anything that writes the live row is checked.
        if self.live and checked and (blockers := self.publication_blockers()):
            raise PublishGateError(blockers)
        return super().save(*args, **kwargs)

    def publication_blockers(self) -> list[Blocker]:
        return []
