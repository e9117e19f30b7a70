"""`publication_blockers()` as a table of cases: what a storyteller agreed to decides."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import Locale

from stories import services
from stories.consent import publication_blockers
from stories.models import ConsentRecord
from tests.factories import (
    CANARY_NAME,
    StorytellerFactory,
    consent_give,
    image_block,
    image_make,
    staff_in,
    story_page,
)


@pytest.fixture
def case_worker(db):
    return staff_in("Case workers")


def codes(page) -> set[str]:
    return {blocker.code for blocker in publication_blockers(page)}


TODAY = timezone.localdate


@pytest.mark.parametrize(
    ("consent", "page_fields", "expected"),
    [
        pytest.param({}, {}, set(), id="current broad consent: publishable"),
        pytest.param(None, {}, {"no_consent"}, id="no consent recorded"),
        pytest.param(
            {"granted_on": TODAY() - timedelta(days=400), "expires_on": TODAY() - timedelta(1)},
            {},
            {"consent_expired"},
            id="expired yesterday",
        ),
        pytest.param(
            {"granted_on": TODAY() + timedelta(days=2), "expires_on": TODAY() + timedelta(99)},
            {},
            {"consent_not_started"},
            id="starts later",
        ),
        pytest.param({"story_text": False}, {}, {"story_not_in_scope"}, id="story not covered"),
        pytest.param({"channels": ["social"]}, {}, {"channel_not_in_scope"}, id="not the website"),
        pytest.param(
            {"languages": ["th"]}, {}, {"language_not_in_scope"}, id="English not covered"
        ),
        pytest.param(
            {"map_precision": "country"},
            {"region": "TH-50"},
            {"region_too_precise"},
            id="province where only the country is allowed",
        ),
        pytest.param(
            {"map_precision": "country"}, {"region": "TH"}, set(), id="country where allowed"
        ),
        pytest.param(
            {"map_precision": "none"}, {"region": "TH"}, {"place_not_in_scope"}, id="no place"
        ),
        pytest.param({"map_precision": "none"}, {"region": ""}, set(), id="no place, none given"),
        pytest.param(
            {}, {"summary": "Call her on +66 81 234 5678."}, {"anonymisation"}, id="phone number"
        ),
        pytest.param(
            {}, {"title": f"The year {CANARY_NAME} came home"}, {"anonymisation"}, id="real name"
        ),
    ],
)
def test_publication_blockers(home_page, case_worker, consent, page_fields, expected):
    storyteller = StorytellerFactory(case_workers=[case_worker])
    services.identifying_term_add(
        storyteller=storyteller, kind="name", value=CANARY_NAME, by=case_worker
    )
    if consent is not None:
        consent_give(storyteller, by=case_worker, **consent)
    page = story_page(home_page, storyteller, **page_fields)

    assert codes(page) == expected


def test_withdrawn_consent_blocks(home_page, case_worker):
    storyteller = StorytellerFactory(case_workers=[case_worker])
    consent_give(storyteller, by=case_worker)
    page = story_page(home_page, storyteller)
    services.consent_withdraw(storyteller=storyteller, by=case_worker)

    assert "consent_withdrawn" in codes(page)


def test_a_newer_version_replaces_the_scope(home_page, case_worker):
    storyteller = StorytellerFactory(case_workers=[case_worker])
    consent_give(storyteller, by=case_worker, languages=["th"])
    page = story_page(home_page, storyteller)
    assert "language_not_in_scope" in codes(page)

    consent_give(storyteller, by=case_worker, languages=["en", "th"])

    assert codes(page) == set()
    assert storyteller.consent_records.count() == 2


def test_translation_needs_its_language_in_scope(home_page, case_worker):
    storyteller = StorytellerFactory(case_workers=[case_worker])
    consent_give(storyteller, by=case_worker, languages=["en"])
    page = story_page(home_page, storyteller)
    page.locale = Locale.objects.get_or_create(language_code="th")[0]

    assert "language_not_in_scope" in codes(page)


def test_child_story_needs_guardian_and_assent_and_only_a_country(home_page, case_worker):
    storyteller = StorytellerFactory(case_workers=[case_worker], is_child=True)
    consent_give(storyteller, by=case_worker)

    assert codes(story_page(home_page, storyteller, region="TH-50")) == {"child_region_too_precise"}
    assert codes(story_page(home_page, storyteller, region="TH", slug="child-2")) == set()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"guardian_consent": False}, "guardian_consent"),
        ({"photos_with_faces": True}, "photos_with_faces"),
        ({"map_precision": "region"}, "map_precision"),
    ],
)
def test_a_childs_consent_refuses_what_children_cannot_agree_to(case_worker, overrides, field):
    storyteller = StorytellerFactory(case_workers=[case_worker], is_child=True)
    with pytest.raises(ValidationError) as error:
        consent_give(storyteller, by=case_worker, **overrides)
    assert field in error.value.message_dict
    assert not ConsentRecord.objects.filter(storyteller=storyteller).exists()


@pytest.mark.parametrize(
    ("granted_days_ago", "expires_in_days", "message"),
    [
        (0, 365 * 3 + 5, "36 months at most"),
        (0, 0, "expire after it was granted"),
    ],
)
def test_consent_duration_is_bounded(case_worker, granted_days_ago, expires_in_days, message):
    storyteller = StorytellerFactory(case_workers=[case_worker])
    today = timezone.localdate()
    with pytest.raises(ValidationError, match=message):
        consent_give(
            storyteller,
            by=case_worker,
            granted_on=today - timedelta(days=granted_days_ago),
            expires_on=today + timedelta(days=expires_in_days),
        )


@pytest.fixture
def reviewer(db):
    return staff_in("Safeguarding reviewers")


@pytest.mark.parametrize(
    ("consent", "face", "attested", "expected"),
    [
        pytest.param({}, False, True, set(), id="attested photo without a face"),
        pytest.param({}, False, False, {"image_not_attested"}, id="not attested by a reviewer"),
        pytest.param(
            {"photos_without_faces": False},
            False,
            True,
            {"photos_not_in_scope"},
            id="no photos at all",
        ),
        pytest.param({}, True, True, {"faces_not_in_scope"}, id="a face without face consent"),
        pytest.param({"photos_with_faces": True}, True, True, set(), id="face consented"),
    ],
)
def test_images_need_scope_faces_consent_and_attestation(
    home_page, case_worker, reviewer, consent, face, attested, expected
):
    storyteller = StorytellerFactory(case_workers=[case_worker])
    consent_give(storyteller, by=case_worker, **consent)
    image = image_make(face=face, attested_by=reviewer if attested else None)

    page = story_page(home_page, storyteller, body=[image_block(image)])

    assert codes(page) == expected


def test_a_childs_face_is_never_shown(home_page, case_worker, reviewer):
    storyteller = StorytellerFactory(case_workers=[case_worker], is_child=True)
    consent_give(storyteller, by=case_worker)
    image = image_make(face=True, attested_by=reviewer)

    page = story_page(home_page, storyteller, region="TH", body=[image_block(image)])

    assert codes(page) == {"faces_not_in_scope"}


def test_image_text_is_scanned_too(home_page, case_worker, reviewer):
    storyteller = StorytellerFactory(case_workers=[case_worker])
    services.identifying_term_add(
        storyteller=storyteller, kind="name", value=CANARY_NAME, by=case_worker
    )
    consent_give(storyteller, by=case_worker)
    image = image_make(face=False, attested_by=reviewer, title=f"{CANARY_NAME} at the market")

    page = story_page(home_page, storyteller, body=[image_block(image)])

    blockers = publication_blockers(page)
    assert {blocker.code for blocker in blockers} == {"anonymisation"}
    assert all(CANARY_NAME not in blocker.message for blocker in blockers)
