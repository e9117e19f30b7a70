"""Local development (``make run``): DEBUG on, SQLite under var/ unless DATABASE_URL."""

from settings.base import *  # noqa: F403
from settings.base import DATABASES, VAR_DIR
from settings.env import env, env_list

DEBUG = True
# A fixed key is fine here: DEBUG sites are never exposed. Production refuses to start
# without its own SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-never-use-in-production-0123456789")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

VAR_DIR.mkdir(exist_ok=True)
STATIC_ROOT = VAR_DIR / "static"  # collectstatic is not needed in development
STATIC_ROOT.mkdir(exist_ok=True)

if "default" not in DATABASES:
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "db.sqlite3",
    }

# Run background tasks inline so development needs no worker process.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEMO_DATA_ALLOWED = True
# A fixed development key: the demo's identifying terms are fictional. Production requires
# its own (settings/production.py).
IDENTITY_ENCRYPTION_KEYS = env_list(
    "IDENTITY_ENCRYPTION_KEYS", ["ZGV2LW9ubHkta2V5LWZvci1kZW1vLWRhdGEtb25seSE="]
)
# Editors trying the demo want to see their changes at once.
PAGE_CACHE_SECONDS = 0
