"""Translators: one group per language, edit rights on that language's page tree only.

They translate (wagtail-localize) and submit their translation to the story workflow; they
never publish (no publish permission, and stories have none for anyone) and never see
private records (no stories permissions). Groups are kept in step with the configured
languages: after migrations, and whenever a language's root page appears.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from wagtail.models import GroupPagePermission, Locale, Page

PAGE_PERMISSIONS = ["add_page", "change_page"]


def translator_group_name(language_code: str) -> str:
    # Always the English name: group names are data, not interface text.
    with translation.override("en"):
        name = str(dict(settings.LANGUAGES).get(language_code, language_code))
    return f"Translators ({name})"


def locales_ensure() -> None:
    """A ``Locale`` row for every configured language (Wagtail only makes the default one)."""
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


def translator_groups_sync() -> list[Group]:
    """A group per non-default language, with page permissions on its locale's tree."""
    groups = []
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    submit_translation = Permission.objects.filter(
        content_type__app_label="wagtail_localize", codename="submit_translation"
    ).first()
    page_permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=PAGE_PERMISSIONS
    )
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        if code == settings.LANGUAGE_CODE:
            continue
        group, _ = Group.objects.get_or_create(name=translator_group_name(code))
        group.permissions.add(access_admin, *([submit_translation] if submit_translation else []))
        locale = Locale.objects.filter(language_code=code).first()
        for root in Page.objects.filter(depth=2, locale=locale) if locale else []:
            for permission in page_permissions:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=permission
                )
        groups.append(group)
    return groups


def is_translation(page) -> bool:
    """A page in another language than the site's default one: a translator's page."""
    return page.locale.language_code != settings.LANGUAGE_CODE
