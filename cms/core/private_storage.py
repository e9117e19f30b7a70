"""Storage for private files (consent evidence): encrypted before it is stored, never under
MEDIA_ROOT or in a media bucket, and without any URL. Files are only ever streamed by a
permission-checked, logged view.

Where the encrypted bytes go is ``settings.PRIVATE_STORAGE``: ``None`` for a folder on disk
(``PRIVATE_MEDIA_ROOT``; with several app instances, a volume every instance mounts), or a
django-storages backend on a private bucket or container of its own
(``settings/deployment.py::private_storage``). The bucket only ever sees ciphertext.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.module_loading import import_string

from cms.core import crypto
from cms.core.images import neutral_name

_remote_backends: dict[str, Storage] = {}


def _backend() -> Storage:
    """The storage holding the encrypted files, read from the settings each time, so tests
    and deployments can move it."""
    config = settings.PRIVATE_STORAGE
    if config is None:
        location = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
        return FileSystemStorage(location=location, base_url=None)
    key = repr(config)
    if key not in _remote_backends:  # one client per configuration, reused across requests
        _remote_backends[key] = import_string(config["BACKEND"])(**config.get("OPTIONS", {}))
    return _remote_backends[key]


class EncryptedPrivateStorage(Storage):
    """Encrypts on save and decrypts on open; refuses to make a URL."""

    def url(self, name):
        raise ValueError("Private files have no URL; use the permission-checked view.")

    def _save(self, name, content):
        content.seek(0)
        return _backend().save(name, ContentFile(crypto.encrypt(content.read())))

    def _open(self, name, mode="rb"):
        with _backend().open(name, "rb") as handle:
            return ContentFile(crypto.decrypt(handle.read()), name=name)

    def delete(self, name):
        _backend().delete(name)

    def exists(self, name):
        return _backend().exists(name)

    def size(self, name):
        return _backend().size(name)

    def listdir(self, path):
        return _backend().listdir(path)


_storage = EncryptedPrivateStorage()


def private_storage() -> EncryptedPrivateStorage:
    """Callable for ``FileField(storage=...)``, so migrations reference it by name."""
    return _storage


def evidence_upload_to(instance, filename: str) -> str:
    """A random name under consent-evidence/: the upload's own name may identify someone."""
    return neutral_name("consent-evidence", filename)
