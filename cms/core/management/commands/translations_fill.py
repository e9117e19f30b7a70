"""Fill the interface catalogs from a JSON file of translations, then list what is missing.

    manage.py translations_fill translations.json

The file maps a language to ``{msgid: text}``; a plural entry takes a list of texts, one per
plural form (Thai, Khmer, Burmese and Vietnamese have one). Filled entries lose their fuzzy
flag, so only pass translations a person has checked. Then run ``compilemessages``
(``make messages``). Without a file, the command only lists the public entries still missing
(README, "Translating the interface"); strings of work still in progress
(``cms.core.i18n.PENDING_SOURCES``) are listed as pending and do not fail it.
"""

import json

import polib
from django.core.management.base import BaseCommand, CommandError

from cms.core.i18n import catalog_fill, catalog_path, public_untranslated, translated_languages


class Command(BaseCommand):
    help = "Fill the .po catalogs from a JSON file and list the public strings still missing."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="JSON: {language: {msgid: text}}")

    def handle(self, *args, file=None, **options):
        translations = {}
        if file:
            with open(file, encoding="utf-8") as handle:
                translations = json.load(handle)
        missing_anywhere = False
        for language in translated_languages():
            path = catalog_path(language)
            if not path.exists():
                raise CommandError(f"{path} does not exist: run makemessages -l {language}")
            po = polib.pofile(str(path), wrapwidth=79)
            if language in translations:
                filled = catalog_fill(po, translations[language])
                po.save()
                self.stdout.write(f"{language}: {filled} entries filled")
            required = set(map(id, public_untranslated(po)))
            for entry in public_untranslated(po, pending=True):
                if id(entry) in required:
                    missing_anywhere = True
                    self.stdout.write(f"{language}: missing {entry.msgid!r}")
                else:
                    self.stdout.write(f"{language}: pending {entry.msgid!r}")
        if missing_anywhere:
            raise CommandError("Some public strings are not translated yet (listed above).")
        self.stdout.write("Every public string is translated.")
