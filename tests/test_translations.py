"""The interface speaks every language of the site: public strings are marked, in the
catalogs, translated, compiled, and shown at /th/, /km/, /my/ and /vi/.

"Public" is decided in one place, ``cms.core.i18n``, by where a string comes from.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from wagtail.models import Locale

from cms.core.i18n import (
    ADMIN_SOURCES,
    PENDING_SOURCES,
    catalog_path,
    entry_is_translated,
    is_public_source,
    public_untranslated,
    translated_languages,
)

ROOT = Path(settings.BASE_DIR)
LANGUAGES = translated_languages()

# Words that stay as they are in every language.
UNTRANSLATED_WORDS = {"igivehope", "#igivehope"}


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(catalog_path(language)))


def public_templates() -> list[Path]:
    """Templates visitors and donors see (pages, components, donor emails)."""
    templates = ROOT / "cms" / "templates"
    return sorted(
        path
        for path in templates.rglob("*")
        if path.suffix in {".html", ".txt"}
        and is_public_source(str(path.relative_to(ROOT)))
        and not str(path.relative_to(ROOT)).startswith(PENDING_SOURCES)
    )


# --------------------------------------------------------------------------------------
# The catalogs
# --------------------------------------------------------------------------------------


def test_the_site_has_languages_to_translate_into():
    assert LANGUAGES, "settings.LANGUAGES lists no language besides English"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_string_is_translated(language):
    """Empty or fuzzy public entries fail, listed with where they come from. Fix: run
    makemessages, then ``manage.py translations_fill`` (README, "Translating the interface")."""
    missing = [
        f"{entry.msgid!r} ({', '.join(path for path, _line in entry.occurrences)})"
        for entry in public_untranslated(catalog(language))
    ]
    assert not missing, f"{len(missing)} public strings untranslated in {language}:\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_says_one_plural_form(language):
    """Thai, Khmer, Burmese and Vietnamese do not inflect for number."""
    assert catalog(language).metadata["Plural-Forms"] == "nplurals=1; plural=0;"


PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%%|%[sd]")
TAG = re.compile(r"</?[a-z][^>]*>")


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_tags(language):
    broken = []
    for entry in catalog(language):
        if not entry_is_translated(entry):
            continue
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            for pattern in (PLACEHOLDER, TAG):
                source = set(pattern.findall(entry.msgid_plural or entry.msgid))
                if set(pattern.findall(text)) != source:
                    broken.append(f"{entry.msgid!r} → {text!r}")
    assert not broken, "\n".join(broken)


TRANSLATE_LITERAL = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1(?:\s+[^%]*)?%\}""")


def test_every_translate_tag_is_in_the_catalogs():
    """A string added to a template without running makemessages is caught here."""
    msgids = {entry.msgid for entry in catalog(LANGUAGES[0])}
    absent = [
        f"{path.relative_to(ROOT)}: {text!r}"
        for path in public_templates()
        for _quote, text in TRANSLATE_LITERAL.findall(path.read_text())
        if text not in msgids
    ]
    assert not absent, "Run makemessages (README, 'Translating the interface'):\n" + "\n".join(
        absent
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_is_up_to_date(language):
    """Django reads only .mo files, which are built (`make messages`), never committed."""
    po = catalog_path(language)
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`"
    assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is out of date: run `make messages`"


# --------------------------------------------------------------------------------------
# Templates: no visible text outside translation tags
# --------------------------------------------------------------------------------------

_HIDDEN = [
    re.compile(r"\{#.*?#\}", re.S),
    # Blocks that fill attributes no one reads: a CSS class, the Open Graph type.
    re.compile(r"\{%\s*block\s+(?:body_class|og_type)\s*%\}.*?\{%\s*endblock\s*%\}", re.S),
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S),
    re.compile(r"<script\b.*?</script>", re.S | re.I),
    re.compile(r"<style\b.*?</style>", re.S | re.I),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"\{%.*?%\}", re.S),
    re.compile(r"\{\{.*?\}\}", re.S),
]
# Attributes people read or hear: the rest (class, href, content of robots…) are not text.
_VISIBLE_ATTRIBUTE = re.compile(
    r"""\s(?:alt|title|placeholder|aria-label|data-label-[\w-]+)\s*=\s*(["'])(.*?)\1""", re.S
)
_TAG = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&#?\w+;")
_LETTER = re.compile(r"[^\W\d_]")


def untranslated_text(source: str) -> list[str]:
    """Pieces of text a visitor would see that no translation tag covers."""
    for pattern in _HIDDEN:
        source = pattern.sub(" ", source)
    pieces = [value for _quote, value in _VISIBLE_ATTRIBUTE.findall(source)]
    pieces += _TAG.split(source)
    words = [
        word
        for piece in pieces
        for word in _ENTITY.sub(" ", piece).split()
        if _LETTER.search(word) and word.strip(".,:;·—()") not in UNTRANSLATED_WORDS
    ]
    return words


def test_the_heuristic_finds_text_outside_tags():
    source = (
        '{% load i18n %}<h1 title="Hello">{% translate "Fine" %}</h1><p>Not fine</p>'
        "{% blocktranslate %}Also fine{% endblocktranslate %}<!-- a note --> · igivehope"
        '<img alt="{{ value.alt }}">{# a comment #}'
    )
    assert untranslated_text(source) == ["Hello", "Not", "fine"]


def test_public_templates_have_no_text_outside_translation_tags():
    found = {
        str(path.relative_to(ROOT)): words
        for path in public_templates()
        if (words := untranslated_text(path.read_text()))
    }
    assert not found, found


def test_the_template_rule_leaves_admin_templates_out():
    listed = {str(path.relative_to(ROOT)) for path in public_templates()}
    assert "cms/templates/base.html" in listed
    assert "cms/templates/donations/emails/receipt.txt" in listed
    assert not any(path.startswith(ADMIN_SOURCES) for path in listed)


# --------------------------------------------------------------------------------------
# The site in each language
# --------------------------------------------------------------------------------------

SHOWN = {
    # language: (skip link, "Search" in the navigation, "Donate")
    "th": ("ข้ามไปยังเนื้อหาหลัก", "ค้นหา", "บริจาค"),
    "km": ("រំលងទៅខ្លឹមសារសំខាន់", "ស្វែងរក", "បរិច្ចាគ"),
    "my": ("အဓိကအကြောင်းအရာသို့ ကျော်သွားရန်", "ရှာဖွေရန်", "လှူဒါန်းရန်"),
    "vi": ("Chuyển đến nội dung chính", "Tìm kiếm", "Đóng góp"),
}


@pytest.fixture
def home_in_every_language(home_page):
    cache.clear()
    for language in SHOWN:
        locale, _ = Locale.objects.get_or_create(language_code=language)
        if not home_page.get_translations().filter(locale=locale).exists():
            home_page.copy_for_translation(locale).save_revision().publish()
    return home_page


@pytest.mark.django_db
@pytest.mark.parametrize("language", [code for code in SHOWN if code in LANGUAGES])
def test_home_page_interface_is_in_the_visitors_language(client, home_in_every_language, language):
    skip_link, search, donate = SHOWN[language]
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert f'<a class="skip-link" href="#main">{skip_link}</a>' in html
    assert f">{search}</a>" in html
    assert f">{donate}</a>" in html
    assert "Skip to main content" not in html


@pytest.mark.django_db
def test_english_home_page_stays_english(client, home_in_every_language):
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html


@pytest.mark.django_db
def test_language_switcher_names_each_language_in_itself(client, home_in_every_language):
    html = client.get("/km/").content.decode()
    assert 'lang="th">ไทย<' in html
    assert 'lang="vi">Tiếng Việt<' in html
    assert 'lang="km">ខ្មែរ<' in html
