"""The consent policy: may this story page be public, and if not, why not?

``publication_blockers(page)`` is the one place that decides. The publish gate, the admin
messages, the workflow tasks and the serve-time check all ask it, so they always agree.
Each blocker names the field it concerns (``"__all__"`` when none) so that callers can raise
a ``ValidationError`` with a field dict, and never repeats an identifying detail.
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from cms.core.publishing import NON_FIELD, Blocker
from stories.models import ConsentRecord, StoryPage, Storyteller
from stories.regions import Precision, region_get
from stories.scanning import page_findings, story_images


def consent_blockers(
    consent: ConsentRecord | None, *, storyteller: Storyteller, today: date | None = None
) -> list[Blocker]:
    """Why this consent, as a whole, does not allow anything to be public."""
    today = today or timezone.localdate()
    if consent is None:
        return [Blocker("no_consent", "storyteller", _("No consent has been recorded."))]
    blockers = []
    if consent.is_withdrawn:
        blockers.append(
            Blocker("consent_withdrawn", "storyteller", _("Consent has been withdrawn."))
        )
    if consent.granted_on > today:
        blockers.append(
            Blocker("consent_not_started", "storyteller", _("Consent starts on a later date."))
        )
    if consent.is_expired(today):
        blockers.append(Blocker("consent_expired", "storyteller", _("Consent has expired.")))
    if storyteller.is_child and not (consent.guardian_consent and consent.child_assent):
        blockers.append(
            Blocker(
                "child_consent_incomplete",
                "storyteller",
                _("A child's story needs a guardian's consent and the child's own assent."),
            )
        )
    if not consent.story_text:
        blockers.append(
            Blocker(
                "story_not_in_scope",
                "storyteller",
                _("The consent does not cover telling the story."),
            )
        )
    if ConsentRecord.Channel.WEBSITE not in consent.channels:
        blockers.append(
            Blocker(
                "channel_not_in_scope",
                "storyteller",
                _("The consent does not cover this website."),
            )
        )
    return blockers


def region_blockers(page: StoryPage, consent: ConsentRecord, storyteller: Storyteller):
    if not page.region:
        return []
    region = region_get(page.region)
    if region is None:
        return [Blocker("region_unknown", "region", _("This region is not on the allow-list."))]
    if consent.map_precision == Precision.NONE:
        return [Blocker("place_not_in_scope", "region", _("The consent does not allow any place."))]
    if region.precision == Precision.REGION:
        if storyteller.is_child:
            return [
                Blocker(
                    "child_region_too_precise",
                    "region",
                    _("For a child, only the country may be named."),
                )
            ]
        if consent.map_precision == Precision.COUNTRY:
            return [
                Blocker(
                    "region_too_precise",
                    "region",
                    _("The consent allows the country only, not a region."),
                )
            ]
    return []


def image_blockers(page: StoryPage, consent: ConsentRecord, storyteller: Storyteller):
    blockers = []
    for field, image in story_images(page):
        if not (consent.photos_without_faces or consent.photos_with_faces):
            blockers.append(
                Blocker(
                    "photos_not_in_scope",
                    "body",
                    _("%(field)s: the consent does not cover photos.") % {"field": field},
                )
            )
        elif image.has_faces and (storyteller.is_child or not consent.photos_with_faces):
            blockers.append(
                Blocker(
                    "faces_not_in_scope",
                    "body",
                    _("%(field)s shows a face, which the consent does not allow; mask it.")
                    % {"field": field},
                )
            )
        if not image.is_attested:
            blockers.append(
                Blocker(
                    "image_not_attested",
                    "body",
                    _("%(field)s has not been attested by a reviewer.") % {"field": field},
                )
            )
    return blockers


def publication_blockers(page: StoryPage, *, today: date | None = None) -> list[Blocker]:
    """Everything that stops this story page (in its own locale) from being public.

    An empty list means consent is current and covers this language, channel, place and
    every image, and the anonymisation scanner found nothing blocking.
    """
    storyteller = page.storyteller if page.storyteller_id else None
    if storyteller is None:
        return [Blocker("no_storyteller", "storyteller", _("Choose the storyteller."))]
    consent = storyteller.current_consent
    blockers = consent_blockers(consent, storyteller=storyteller, today=today)
    if consent is None:
        return blockers
    language = page.locale.language_code if page.locale_id else None
    if language not in consent.languages:
        blockers.append(
            Blocker(
                "language_not_in_scope",
                NON_FIELD,
                _("The consent does not cover publishing in this language."),
            )
        )
    blockers += region_blockers(page, consent, storyteller)
    blockers += image_blockers(page, consent, storyteller)
    blockers += [
        Blocker("anonymisation", NON_FIELD, finding.message)
        for finding in page_findings(page)
        if finding.severity == "blocking"
    ]
    return blockers
