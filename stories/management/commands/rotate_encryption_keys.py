"""Re-encrypt every identifying term and evidence file under the first key.

Key rotation: put the new key first in IDENTITY_ENCRYPTION_KEYS (keep the old one after
it), run this command, then remove the old key from the environment.
"""

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from cms.core import crypto
from stories.models import ConsentRecord, IdentifyingTerm


class Command(BaseCommand):
    help = "Re-encrypt identifying terms and consent evidence under the current (first) key."

    @transaction.atomic
    def handle(self, *args, **options):
        terms = 0
        for term in IdentifyingTerm.objects.select_for_update().only("pk", "value_encrypted"):
            term.value_encrypted = crypto.reencrypt(bytes(term.value_encrypted))
            term.save(update_fields=["value_encrypted"])
            terms += 1
        files = 0
        for record in ConsentRecord.objects.exclude(evidence=""):
            storage, name = record.evidence.storage, record.evidence.name
            with storage.open(name) as handle:  # decrypts with any known key
                plain = handle.read()
            storage.delete(name)
            storage.save(name, ContentFile(plain))  # encrypts with the first key
            files += 1
        self.stdout.write(f"Re-encrypted {terms} identifying terms and {files} evidence files.")
