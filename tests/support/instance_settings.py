"""Settings of the app processes tests start as separate instances (tests/support/servers.py).

The test settings, except for what several instances must share: the cache (Redis when
``REDIS_URL`` is set, with ``CACHE_KEY_PREFIX``) and the full-page cache
(``PAGE_CACHE_SECONDS``), read from the environment exactly as ``settings/base.py`` reads
them for production. The test settings themselves pin a per-process memory cache and turn the
page cache off, which would hide what this is for.
"""

from settings import base
from settings.test import *  # noqa: F403

CACHES = base.CACHES
PAGE_CACHE_SECONDS = base.PAGE_CACHE_SECONDS
