"""Settings shared by every environment. Secure by default.

Environment-specific modules (``dev``, ``test``, ``production``) import from here and
override only what they must. Every environment variable is listed in ``.env.example``.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from settings.env import env, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR / "cms"
VAR_DIR = BASE_DIR / "var"  # local state for development: ignored by git

# --------------------------------------------------------------------------------------
# Core
# --------------------------------------------------------------------------------------

DEBUG = False
# No default key here: dev and test set their own; production refuses to start without
# one (settings/production.py).
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Only development and test settings may load the fictional demo content.
DEMO_DATA_ALLOWED = False

INSTALLED_APPS = [
    # Ours first, so our templates (404.html, 500.html…) win over any app's.
    "cms.users",
    "cms.core",
    "cms.workflows",
    "cms.donations",
    "cms.emails",
    "home",
    "stories",
    "campaigns",
    # Translation. wagtail_localize.locales replaces wagtail.locales: never list both.
    "wagtail_localize",
    "wagtail_localize.locales",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Background tasks: the backport Wagtail 8 uses, and its database backend.
    "django_tasks",
    "django_tasks_db",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Directly after SecurityMiddleware, as whitenoise documents, so static files skip
    # the rest of the stack.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"
AUTH_USER_MODEL = "users.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --------------------------------------------------------------------------------------
# Database: DATABASE_URL, e.g. postgres://user:password@host:5432/igivehope
# --------------------------------------------------------------------------------------

DATABASE_URL = env("DATABASE_URL")
DATABASES = {}
if DATABASE_URL:
    DATABASES["default"] = dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )

# --------------------------------------------------------------------------------------
# Cache: Redis when REDIS_URL is set (shared by every app instance), else local memory.
# --------------------------------------------------------------------------------------

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "igivehope"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --------------------------------------------------------------------------------------
# Background tasks (django_tasks backport, as Wagtail 8 uses). The database backend
# needs a `manage.py db_worker` process; TASKS_BACKEND=immediate runs them inline.
# --------------------------------------------------------------------------------------

_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[env("TASKS_BACKEND", "database")]}}

# --------------------------------------------------------------------------------------
# Passwords and sessions
# --------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Staff accounts guard survivors' consent records: long passphrases, not rules.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute limit for staff sessions: 12 hours
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Uploads: refuse large request bodies early; images are also checked for pixel count.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --------------------------------------------------------------------------------------
# Languages. English plus the languages of the people the stories come from.
# LANGUAGE_CODES narrows or extends the list (codes must be in ALL_LANGUAGES below).
# --------------------------------------------------------------------------------------

ALL_LANGUAGES = {
    "en": _("English"),
    "th": _("Thai"),
    "km": _("Khmer"),
    "my": _("Burmese"),
    "vi": _("Vietnamese"),
}
LANGUAGE_CODE = "en"
LANGUAGES = [
    (code, ALL_LANGUAGES[code])
    for code in env_list("LANGUAGE_CODES", list(ALL_LANGUAGES))
    if code in ALL_LANGUAGES
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [PROJECT_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# New translations start as drafts and go through the story workflow; never publish an
# untranslated copy of a live page (wagtail-localize #655).
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
# Machine translation would send story text to a third party: off unless configured.
WAGTAILLOCALIZE_MACHINE_TRANSLATOR = None

# --------------------------------------------------------------------------------------
# Static files and media
# --------------------------------------------------------------------------------------

STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "static_collected")))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --------------------------------------------------------------------------------------
# Email: sent through anymail in production (see settings/production.py).
# --------------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "igivehope <hello@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --------------------------------------------------------------------------------------
# Stripe (used only by cms/donations/stripe_gateway.py)
# --------------------------------------------------------------------------------------

STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
# Only tests point this elsewhere (a local fake Stripe API); production uses Stripe's.
STRIPE_API_BASE = env("STRIPE_API_BASE")

# --------------------------------------------------------------------------------------
# Private data: identifying terms and consent evidence are encrypted with these keys
# (cms/core/crypto.py). Comma-separated Fernet keys; the first encrypts, all decrypt.
# Evidence files live under PRIVATE_MEDIA_ROOT, which is never served by URL.
# --------------------------------------------------------------------------------------

IDENTITY_ENCRYPTION_KEYS = env_list("IDENTITY_ENCRYPTION_KEYS")
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# Regions whose phone-number formats the anonymisation scanner looks for.
ANONYMISATION_PHONE_REGIONS = env_list(
    "ANONYMISATION_PHONE_REGIONS", ["TH", "KH", "MM", "VN", "LA", "MY", "US", "GB"]
)
# Consent defaults (DESIGN.md §5): 12 months unless the case worker says otherwise; never
# more than 36.
CONSENT_DEFAULT_MONTHS = 12
CONSENT_MAX_MONTHS = 36

# --------------------------------------------------------------------------------------
# Wagtail
# --------------------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "igivehope"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILIMAGES_IMAGE_MODEL = "core.CustomImage"
WAGTAILDOCS_SERVE_METHOD = "serve_view"  # documents only through the permission check
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "heic"]  # no SVG, no GIF
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# Truncated or hostile files get a form error instead of a 500 (cms/core/forms.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.core.forms.ImageForm"
WAGTAIL_ENABLE_UPDATE_CHECK = False  # no calls home from the admin
WAGTAIL_PRIVACY_OPTIONS = {"login": True, "password": False}  # no shared-password pages
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
# Publish the exact revision the last task approved, not whatever is latest
# (cms/workflows/actions.py).
WAGTAIL_FINISH_WORKFLOW_ACTION = "cms.workflows.actions.publish_approved_revision"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_COMMENTS_ENABLED = True

# --------------------------------------------------------------------------------------
# Logging: to stderr, where the process manager collects it. No request bodies.
# --------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},  # one line per task start and end otherwise
    },
}
