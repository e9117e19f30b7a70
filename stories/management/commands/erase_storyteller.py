"""``manage.py erase_storyteller ST-XXXX [--yes]``: remove every trace of a storyteller.

For an erasure request, or once a storyteller's record must no longer be kept. The ledger
stays, with its link to the story cut. This cannot be undone.
"""

from django.core.management.base import BaseCommand, CommandError

from stories.erasure import storyteller_erase
from stories.models import Storyteller


class Command(BaseCommand):
    help = "Erase a storyteller: identifying data, consent, pages, revisions, translations, files."

    def add_arguments(self, parser):
        parser.add_argument("case_code", help="The storyteller's case code, e.g. ST-7K3Q.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, case_code: str, yes: bool, **options):
        storyteller = Storyteller.objects.filter(case_code=case_code.strip().upper()).first()
        if storyteller is None:
            raise CommandError(f"No storyteller has the case code {case_code!r}.")
        if not yes:
            answer = input(
                f"Erase {storyteller.case_code}, its {storyteller.story_pages.count()} page(s) "
                "and everything written about it? This cannot be undone. Type the case code "
                "to confirm: "
            )
            if answer.strip().upper() != storyteller.case_code:
                raise CommandError("Not confirmed: nothing was erased.")
        removed = storyteller_erase(storyteller=storyteller)
        self.stdout.write(f"Erased {case_code}:")
        for kind, count in sorted(removed.items()):
            self.stdout.write(f"  {kind}: {count}")
