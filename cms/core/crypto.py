"""Encryption at rest for the few things that must never be readable in the database.

Identifying terms and consent evidence are encrypted with Fernet (AES-128-CBC + HMAC) keys
held outside the database, in the ``IDENTITY_ENCRYPTION_KEYS`` environment variable. The
first key encrypts; every key decrypts, so keys can be rotated: put a new key first, run
``manage.py rotate_encryption_keys``, then drop the old key.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "reencrypt"]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "IDENTITY_ENCRYPTION_KEYS is empty: identifying data cannot be stored without a key."
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "IDENTITY_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64 bytes each); "
            'make one with: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"'
        ) from None


def _current() -> MultiFernet:
    return _fernet(tuple(settings.IDENTITY_ENCRYPTION_KEYS))


def encrypt(data: bytes) -> bytes:
    return _current().encrypt(data)


def decrypt(token: bytes) -> bytes:
    return _current().decrypt(token)


def reencrypt(token: bytes) -> bytes:
    """The same plaintext under the first (current) key; for key rotation."""
    return _current().rotate(token)
