from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, Site

from cms.core.models import CustomImage
from cms.users.models import User
from home.models import HomePage
from stories.consent import publication_blockers
from stories.models import ConsentRecord, IdentifyingTerm, StoryPage, Storyteller


def counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "home pages": HomePage.objects.count(),
        "sites": Site.objects.count(),
        "users": User.objects.count(),
        "storytellers": Storyteller.objects.count(),
        "identifying terms": IdentifyingTerm.objects.count(),
        "consent records": ConsentRecord.objects.count(),
        "images": CustomImage.objects.count(),
    }


def test_demo_loader_makes_the_home_page_the_site_root(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load_demo_data", "--admin", stdout=StringIO())

    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.live
    # Wagtail's "Welcome to your new Wagtail site!" placeholder is gone.
    assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail").exists()


def test_demo_loader_is_idempotent(db, settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("load_demo_data", "--admin")
    first = counts()
    first_output = capsys.readouterr().out
    call_command("load_demo_data", "--admin")
    second_output = capsys.readouterr().out

    assert counts() == first
    # The same credentials are printed both times, and they work.
    password = first_output.rsplit("password: ", 1)[1].split()[0]
    assert f"password: {password}" in second_output
    assert User.objects.get(username="admin").check_password(password)


def test_demo_data_is_refused_where_it_is_not_allowed(db, settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="must never be loaded into a production database"):
        call_command("load_demo_data")
    assert not HomePage.objects.exists()


def test_demo_stories_are_live_and_pass_the_consent_policy(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load_demo_data", stdout=StringIO())

    stories = StoryPage.objects.all()
    assert stories.count() >= 3
    for story in stories:
        assert story.live
        assert publication_blockers(story) == []
        # Demo people are obviously invented: their "real names" say so.
        assert all(
            any(
                word in term.value
                for word in ("Example", "Fictiv", "Demo", "Sampl", "ตัวอย่าง", "គំរូ", "နမူနာ")
            )
            for term in story.storyteller.identifying_terms.filter(kind="name")
        )


def test_demo_content_is_translated_into_thai_and_vietnamese_through_review(
    db, settings, tmp_path, client
):
    from wagtail_localize.models import Translation

    from campaigns.models import IGiveHopePage
    from cms.workflows.models import ContentApproval

    settings.VAR_DIR = tmp_path
    call_command("load_demo_data", stdout=StringIO())

    for language in ("th", "vi"):
        translations = Translation.objects.filter(target_locale__language_code=language)
        # Home, story index, campaign, and each story whose consent covers the language.
        stories = StoryPage.objects.filter(locale__language_code=language)
        covered = [
            story
            for story in StoryPage.objects.filter(locale__language_code="en")
            if language in story.storyteller.current_consent.languages
        ]
        assert stories.count() == len(covered) >= 2
        assert IGiveHopePage.objects.filter(locale__language_code=language, live=True).exists()
        assert HomePage.objects.get(locale__language_code=language).live
        for translation in translations:
            total, done = translation.get_progress()
            assert done == total, (language, translation.source.object_repr)
        translator = User.objects.get(username=f"demo-translator-{language}")
        for story in stories:
            assert story.live
            assert publication_blockers(story) == []
            # Written by the translator, approved by someone else after the consent check.
            assert story.latest_revision.user_id == translator.pk
            approval = ContentApproval.objects.filter(page=story).first()
            assert approval
            assert approval.approved_by_id != translator.pk
            assert not story.permissions_for_user(translator).can_publish()

    # Sophea's consent covers English, Khmer and Thai: she has no Vietnamese page.
    sophea = StoryPage.objects.get(slug="the-road-home-to-cambodia", locale__language_code="en")
    assert "vi" not in sophea.storyteller.current_consent.languages
    assert not StoryPage.objects.filter(
        translation_key=sophea.translation_key, locale__language_code="vi"
    ).exists()
    assert client.get("/vi/stories/the-road-home-to-cambodia/").status_code == 404

    thai_story = client.get("/th/stories/a-sewing-machine-and-a-new-start/").content.decode()
    assert "จักรเย็บผ้าและการเริ่มต้นใหม่" in thai_story
    assert "ฉันแค่ต้องการจักรที่เป็นของฉันเอง" in thai_story
    home = client.get("/vi/").content.decode()
    assert "Hỗ trợ điều một người sống sót cần tiếp theo" in home
