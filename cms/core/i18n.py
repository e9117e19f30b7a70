"""Which interface strings the public sees, decided by where they come from.

A catalog entry (``cms/locale/<language>/LC_MESSAGES/django.po``) is *public* when one of
its source locations (the ``#:`` lines ``makemessages`` writes) is a file visitors and
donors see: the site's templates, the donation emails, and the views, forms and reads behind
the public pages. Public entries must be translated in every language of the site
(``tests/test_translations.py`` fails otherwise); strings that appear only in the Wagtail
admin (case workers, finance, two-factor sign-in) may wait.

Templates under ``cms/templates/`` are public unless listed in ``ADMIN_SOURCES``; a new
public Python file (a campaigns view or form) is added to ``PUBLIC_SOURCES``. Model files
are admin by this rule although a few of their choice labels reach visitors (a need's
category and status, the donate form's withdrawal choice): those are translated, but only
this list, not the check, keeps them so.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polib
from django.conf import settings

# Paths relative to the repository root; a trailing "/" means everything under it.
PUBLIC_SOURCES: tuple[str, ...] = (
    # Templates: pages, components, blocks, error pages, donation pages and donor emails.
    "cms/templates/",
    # The home page, navigation, search and simple pages.
    "home/",
    # What visitors read about stories: filters, places, the map, months of milestones.
    "stories/views.py",
    "stories/selectors.py",
    "stories/filters.py",
    "stories/regions.py",
    "stories/blocks.py",
    # The donate form and its errors, donor emails, what Stripe's page says a gift is for.
    "cms/donations/forms.py",
    "cms/donations/views.py",
    "cms/donations/emails.py",
    "cms/donations/selectors.py",
    "cms/donations/amounts.py",
    "cms/donations/services.py",
    "cms/emails/",
    # Campaign pages: the sign-up form, its confirmations, the wall, the share links.
    "campaigns/forms.py",
    "campaigns/views.py",
    "campaigns/share.py",
    "campaigns/selectors.py",
    "campaigns/services.py",
    "campaigns/tasks.py",
    # Language names in the language switcher.
    "settings/base.py",
)

# Inside PUBLIC_SOURCES but seen only by staff in the admin.
ADMIN_SOURCES: tuple[str, ...] = (
    "cms/templates/core/",
    "cms/templates/donations/admin/",
    "cms/templates/wagtailimages/",
)


# Public, but still being written: new work adds its translations when it lands, with
# ``manage.py translations_fill``. Remove each entry once its strings are translated.
PENDING_SOURCES: tuple[str, ...] = ()


def _under(path: str, prefixes: Iterable[str]) -> bool:
    return any(
        path == prefix or (prefix.endswith("/") and path.startswith(prefix)) for prefix in prefixes
    )


def is_public_source(path: str) -> bool:
    """Is this file (relative to the repository root) one the public sees strings from?"""
    path = path.removeprefix("./")
    return _under(path, PUBLIC_SOURCES) and not _under(path, ADMIN_SOURCES)


def is_public_entry(occurrences: Iterable[tuple[str, str]]) -> bool:
    """Is a catalog entry public? ``occurrences`` are polib's ``(path, line)`` pairs."""
    return any(is_public_source(path) for path, _line in occurrences)


def is_pending_entry(occurrences: Iterable[tuple[str, str]]) -> bool:
    """Is a public entry used only by work whose translations are still to come?"""
    public = [path for path, _line in occurrences if is_public_source(path)]
    return bool(public) and all(_under(path.removeprefix("./"), PENDING_SOURCES) for path in public)


# --------------------------------------------------------------------------------------
# The catalogs
# --------------------------------------------------------------------------------------


def catalog_path(language: str) -> Path:
    """The ``.po`` file of ``language`` in the project's catalogs (``LOCALE_PATHS``)."""
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def translated_languages() -> list[str]:
    """The configured languages other than the source language (English)."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def entry_is_translated(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags or entry.obsolete:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def public_untranslated(po: polib.POFile, *, pending: bool = False) -> list[polib.POEntry]:
    """Public entries of a catalog that are empty or fuzzy; those of PENDING_SOURCES only
    when ``pending`` is true."""
    return [
        entry
        for entry in po
        if not entry.obsolete
        and is_public_entry(entry.occurrences)
        and (pending or not is_pending_entry(entry.occurrences))
        and not entry_is_translated(entry)
    ]


def catalog_fill(po: polib.POFile, translations: dict[str, str | list[str]]) -> int:
    """Put ``translations`` (msgid → text, or a list of texts for a plural entry, one per
    plural form) into the catalog, replacing fuzzy guesses; returns how many were set.
    Entries not in ``translations`` are left as they are."""
    filled = 0
    for entry in po:
        if entry.obsolete or entry.msgid not in translations:
            continue
        text = translations[entry.msgid]
        forms = [text] if isinstance(text, str) else list(text)
        if entry.msgid_plural:
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            entry.msgstr = forms[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        filled += 1
    return filled
