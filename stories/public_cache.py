"""One version token for everything cached about public stories (map data, thumbnails).

Every cache key built from public story data includes ``public_version()`` and today's date.
Publishing, unpublishing, deleting or restricting a page, recording or withdrawing consent
(``stories/receivers.py``) calls ``public_version_bump()``, so the next request rebuilds from
the database; the date drops consent that expired overnight. The token is random rather than
a counter, so a cache that lost it never reuses an old key.

The hottest readers (the page cache, the map data) store the version *inside* the entry
instead of in its key, so one round trip to Redis fetches both (``public_cache_get``).

Entries are kept under ``SCHEMA`` too. Change it in a release that changes the shape of
anything cached here (a page-cache entry, ``HomeChoices``, ``SiteLinks``…): during a
rolling deploy the two releases then read and write different entries, never each other's,
while sharing the version token, so a takedown retires both at once.
"""

import secrets

from django.core.cache import cache

VERSION_KEY = "stories:public:version"
SCHEMA = "3"  # see above: 3 = page-cache entries carry their expiry


def public_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(6), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def public_version_bump() -> None:
    cache.set(VERSION_KEY, secrets.token_hex(6), timeout=None)


def public_cache_get(*keys: str) -> tuple[str, object | None]:
    """The current version and what is cached for it under the first of ``keys`` that holds
    anything, in one round trip.

    Entries are stored with the version they were built under (``public_cache_set``); one
    built under an older version is treated as missing, so a takedown retires it at once.
    Returns the version to build and store a fresh value under.
    """
    keys = [f"{SCHEMA}:{key}" for key in keys]
    found = cache.get_many([VERSION_KEY, *keys])
    version = found.get(VERSION_KEY) or public_version()
    for key in keys:
        entry = found.get(key)
        if entry is not None and entry[0] == version:
            return version, entry[1]
    return version, None


def public_cache_set(key: str, value, *, version: str, timeout: int) -> None:
    """Store ``value`` for the version read *before* it was built: if a change committed
    meanwhile, the entry is already stale and is never served."""
    cache.set(f"{SCHEMA}:{key}", (version, value), timeout)


def public_cache_forget(key: str) -> None:
    """Drop what ``public_cache_set`` stored under ``key`` (a value that moved for another
    reason than publication: the site's totals after a gift)."""
    cache.delete(f"{SCHEMA}:{key}")
