"""The language switcher and hreflang offer only live translations a visitor may read."""

import pytest

from cms.workflows.services import page_submit_for_moderation
from tests.factories import consent_give, staff_in, story_in_two_languages


@pytest.fixture
def people(db):
    return {
        "author": staff_in("Editors"),
        "translator": staff_in("Editors"),
        "case_worker": staff_in("Case workers"),
        "reviewer": staff_in("Safeguarding reviewers"),
    }


def test_switcher_and_hreflang_list_live_translations(client, home_page, people):
    _storyteller, english, thai = story_in_two_languages(home_page, people)

    html = client.get(english.url).content.decode()

    assert f'<a href="{thai.url}" hreflang="th" lang="th">' in html
    assert f'<link rel="alternate" hreflang="th" href="http://testserver{thai.url}">' in html
    assert '<link rel="alternate" hreflang="en"' in html


def test_a_draft_translation_is_never_offered(client, home_page, people):
    _storyteller, english, thai = story_in_two_languages(home_page, people)
    thai.unpublish()
    thai.title = "ร่างใหม่"
    page_submit_for_moderation(page=thai, by=people["translator"])  # in review, not live

    html = client.get(english.url).content.decode()

    assert thai.url not in html
    assert 'hreflang="th"' not in html
    assert "language-switcher" not in html  # one language left: no switcher at all


def test_a_language_outside_consent_is_not_offered(client, home_page, people):
    storyteller, english, thai = story_in_two_languages(home_page, people)
    # Consent narrowed to English: the Thai page goes down, and is no longer linked.
    consent_give(storyteller, by=people["case_worker"], languages=["en"])

    html = client.get(english.url).content.decode()

    assert thai.url not in html
    assert client.get(thai.url).status_code == 410
    thai.refresh_from_db()
    assert not thai.live
    english.refresh_from_db()
    assert english.live
