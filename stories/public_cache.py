"""One version token for everything cached about public stories (map data, thumbnails).

Every cache key built from public story data includes ``public_version()`` and today's date.
Publishing, unpublishing, deleting or restricting a page, recording or withdrawing consent
(``stories/receivers.py``) calls ``public_version_bump()``, so the next request rebuilds from
the database; the date drops consent that expired overnight. The token is random rather than
a counter, so a cache that lost it never reuses an old key.
"""

import secrets

from django.core.cache import cache

VERSION_KEY = "stories:public:version"


def public_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(6), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def public_version_bump() -> None:
    cache.set(VERSION_KEY, secrets.token_hex(6), timeout=None)
