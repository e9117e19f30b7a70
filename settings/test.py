"""Test settings: a small fixed skeleton on PostgreSQL (see bakerydemo's test settings).

PostgreSQL is required: the publish gate relies on a PostgreSQL trigger, and the tests
must run on the database production uses. ``make test`` makes sure a server answers.
"""

import dj_database_url

from settings.base import *  # noqa: F403
from settings.env import env

SECRET_KEY = "test-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/igivehope")
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError("The tests run on PostgreSQL: set DATABASE_URL to a postgres:// URL.")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING = {"version": 1, "disable_existing_loggers": False}
DEMO_DATA_ALLOWED = True
IDENTITY_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWtleS1mb3ItdGhlLXRlc3RzdWl0ZSE="]
# Static files straight from the source folders (no collectstatic before tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A fixed webhook signing secret: tests sign their payloads with it, as Stripe would.
STRIPE_WEBHOOK_SECRET = "whsec_test_only_0123456789abcdef"
STRIPE_SECRET_KEY = "sk_test_only_fake_stripe"

# --- Security (settings/base.py "Security hardening") ---
# The suite signs staff in with force_login; the two-factor tests switch this back on, and
# so does the permission matrix (tests/test_permission_matrix.py), with verified devices.
ADMIN_REQUIRE_TWO_FACTOR = False
# The full-page cache is tested on its own (tests/cms/core/test_page_cache.py).
PAGE_CACHE_SECONDS = 0
