"""Storage for private files (consent evidence): encrypted at rest, outside MEDIA_ROOT,
and without any URL. Files are only ever streamed by a permission-checked, logged view."""

from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from cms.core import crypto
from cms.core.images import neutral_name


class EncryptedPrivateStorage(FileSystemStorage):
    """Encrypts on save and decrypts on open, under ``settings.PRIVATE_MEDIA_ROOT``."""

    def __init__(self):
        super().__init__(base_url=None)

    # Read the setting each time, so tests and deployments can move the folder.
    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    def url(self, name):
        raise ValueError("Private files have no URL; use the permission-checked view.")

    def _save(self, name, content):
        content.seek(0)
        return super()._save(name, ContentFile(crypto.encrypt(content.read())))

    def _open(self, name, mode="rb"):
        with super()._open(name, "rb") as handle:
            return ContentFile(crypto.decrypt(handle.read()), name=name)


_storage = EncryptedPrivateStorage()


def private_storage() -> EncryptedPrivateStorage:
    """Callable for ``FileField(storage=...)``, so migrations reference it by name."""
    return _storage


def evidence_upload_to(instance, filename: str) -> str:
    """A random name under consent-evidence/: the upload's own name may identify someone."""
    return neutral_name("consent-evidence", filename)
