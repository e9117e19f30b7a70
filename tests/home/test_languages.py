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


def test_navigation_in_thai_uses_translations_and_falls_back_to_english(client, home_page, people):
    """Header and footer at /th/: translated pages in Thai, the others (the privacy notice)
    still linked in English rather than missing; the donate link keeps the language."""
    from home.demo import home_content_ensure
    from home.models import StandardPage
    from tests.factories import story_index

    _storyteller, english, thai = story_in_two_languages(home_page, people)
    home_content_ensure(home_page, story_index=story_index(home_page))
    thai_index = thai.get_parent()
    assert thai_index.live
    assert thai_index.show_in_menus

    html = client.get(thai.url).content.decode()
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    footer = html.split("<footer", 1)[1]

    assert f'<a href="{thai_index.url}"' in header
    assert f'href="{english.get_parent().url}"' not in header  # not the English index too
    privacy = StandardPage.objects.get(slug="privacy", locale=home_page.locale)
    assert not privacy.has_translation(thai.locale)
    assert f'<a href="{privacy.url}" lang="en">' in footer
    assert 'href="/th/donate/"' in header
