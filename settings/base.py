"""Settings shared by every environment. Secure by default.

Environment-specific modules (``dev``, ``test``, ``production``) import from here and
override only what they must. Every environment variable is listed in ``.env.example``.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from cms.core.csp import url_template_origin
from settings.env import env, env_bool, env_int, env_list

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
    # Security (README "Security"): second factor, login throttling, CSP.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
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
    # First: stores anonymous pages with every header the others add. Hits are answered
    # before Django, by cms.wsgi's PageCacheApplication; never a taken-down story (its
    # docstring).
    "cms.core.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Directly after SecurityMiddleware, as whitenoise documents, so static files skip
    # the rest of the stack.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cms.core.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A publish-gate refusal inside an admin view becomes a message (cms/workflows/middleware.py).
    "cms.workflows.middleware.PublishGateErrorMiddleware",
    # After authentication: request.user.is_verified(), the 12-hour limit, then the
    # second-factor gate (cms/users/middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "cms.users.middleware.StaffSessionLimitMiddleware",
    "cms.users.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Finds the page of a public GET once per public version (cms/core/page_routes.py).
    "cms.core.page_routes.PageRouteMiddleware",
    # Last, as django-axes documents: turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "csp.context_processors.nonce",  # {{ CSP_NONCE }} for an inline script
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
            "BACKEND": "cms.core.cache.RedisCache",  # Django's, reusing its clients
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "igivehope"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Full-page cache for anonymous visitors (cms/core/page_cache.py). 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
PAGE_CACHE_BROWSER_SECONDS = 60  # browsers re-check within a minute
PAGE_CACHE_CDN_SECONDS = env_int("PAGE_CACHE_CDN_SECONDS", 300)  # a CDN is purged on takedown
# In every language (/th/donate/ too).
PAGE_CACHE_EXCLUDED_PATHS = ["/admin/", "/donate/", "/documents/", "/django-admin/"]

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
# Staff sessions end after 30 minutes without a request (the cookie and the database row
# are renewed on every request), and 12 hours after signing in whatever happens
# (cms/users/middleware.py). Visitors have no session. R45.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
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
# Dates in each language's own way (receipts, campaign dates, milestones): Django's formats,
# completed by cms/formats/ (Burmese; English as "30 July 2027"; Vietnamese without the
# leading "Ngày").
FORMAT_MODULE_PATH = ["cms.formats"]
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

STATICFILES_DIRS = [
    PROJECT_DIR / "static",
    # Leaflet from npm (package.json; `make install` runs `npm ci`), served as plain static
    # files under /static/vendor/leaflet/: no CDN, no copy in the repository, no build step.
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
]
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
# Donations (cms/donations; README "Donations"). Stripe is used only by
# cms/donations/stripe_gateway.py.
# --------------------------------------------------------------------------------------

STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
# Only tests point this elsewhere (a local fake Stripe API); production uses Stripe's.
STRIPE_API_BASE = env("STRIPE_API_BASE")
# stripe-python waits 80 s by default; with its retries a stalled Stripe would hold a
# worker for minutes (security-requirements R60). Retries reuse the same idempotency key.
STRIPE_TIMEOUT_SECONDS = env_int("STRIPE_TIMEOUT_SECONDS", 10)
STRIPE_MAX_NETWORK_RETRIES = env_int("STRIPE_MAX_NETWORK_RETRIES", 2)
# Circuit breaker (R68): after this many consecutive failures the donate form says
# "temporarily unavailable" without calling Stripe, and tries again after the pause.
STRIPE_CIRCUIT_FAILURES = 5
STRIPE_CIRCUIT_PAUSE_SECONDS = 60

# Currencies a donor may choose (codes from cms/donations/currencies.py). A need is always
# given to in its own currency, so its progress bar adds up without exchange rates.
DONATION_CURRENCIES = env_list(
    "DONATION_CURRENCIES", ["USD", "THB", "EUR", "GBP", "JPY", "VND", "KHR", "MMK"]
)
# The currency the form starts with, by language; DONATION_DEFAULT_CURRENCY otherwise.
DONATION_DEFAULT_CURRENCY = "USD"
DONATION_LANGUAGE_CURRENCY = {"th": "THB"}
# Per currency, in major units (strings, read as Decimal): the organisation's minimum (a
# card-testing deterrent, well above Stripe's own minimum charge), a maximum set by policy,
# and the preset amounts offered on the form.
DONATION_AMOUNTS = {
    "USD": {"minimum": "5", "maximum": "10000", "presets": ["10", "25", "50", "100"]},
    "EUR": {"minimum": "5", "maximum": "10000", "presets": ["10", "25", "50", "100"]},
    "GBP": {"minimum": "5", "maximum": "10000", "presets": ["10", "25", "50", "100"]},
    "THB": {"minimum": "100", "maximum": "300000", "presets": ["300", "500", "1000", "2500"]},
    "JPY": {"minimum": "500", "maximum": "1500000", "presets": ["1000", "3000", "5000", "10000"]},
    "VND": {
        "minimum": "100000",
        "maximum": "250000000",
        "presets": ["200000", "500000", "1000000", "2000000"],
    },
    "KHR": {
        "minimum": "20000",
        "maximum": "40000000",
        "presets": ["40000", "100000", "200000", "400000"],
    },
    "MMK": {
        "minimum": "10000",
        "maximum": "20000000",
        "presets": ["20000", "50000", "100000", "200000"],
    },
    "KWD": {"minimum": "2", "maximum": "3000", "presets": ["5", "10", "20", "50"]},
}
# Card-testing defences (R61): Checkout Sessions created per client IP and in total. Counted
# in the cache, so every app instance must share it (REDIS_URL) in production.
DONATION_RATE_LIMITS = {
    "per_ip_per_minute": env_int("DONATION_RATE_PER_IP_PER_MINUTE", 5),
    "per_ip_per_hour": env_int("DONATION_RATE_PER_IP_PER_HOUR", 20),
    "global_per_minute": env_int("DONATION_RATE_GLOBAL_PER_MINUTE", 60),
}
# How many reverse proxies in front of the app append to X-Forwarded-For. 0: use the
# connection's address. Trusting the header without a proxy would let anyone dodge limits.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# An unpaid Checkout Session stops accepting payment after this long (Stripe: 30 min–24 h).
DONATION_CHECKOUT_EXPIRY_MINUTES = 60
# The emailed link that opens Stripe's billing portal for a monthly gift stays valid this long.
DONATION_MANAGE_LINK_MAX_AGE_SECONDS = 24 * 60 * 60

# --------------------------------------------------------------------------------------
# Email outbox (cms/emails). Anymail does not retry, so every message is written to the
# outbox in the transaction that causes it and sent by a task, with exponential back-off:
# 1, 2, 4 … minutes, then dead-lettered after the last attempt (R66).
# --------------------------------------------------------------------------------------

EMAIL_OUTBOX_MAX_ATTEMPTS = 8
EMAIL_OUTBOX_FIRST_RETRY_SECONDS = 60
# Sent and dead messages (donor addresses, rendered text) are deleted after this many days.
EMAIL_OUTBOX_RETENTION_DAYS = 30

# --------------------------------------------------------------------------------------
# Campaigns and #igivehope (campaigns/; README "Campaigns"). Supporters' addresses and the
# public's messages of hope are personal data: kept only while a campaign needs them.
# --------------------------------------------------------------------------------------

# Supporters and wall messages of a campaign are deleted this many days after it ends
# (`manage.py purge_campaign_data`, daily).
CAMPAIGN_DATA_RETENTION_DAYS = env_int("CAMPAIGN_DATA_RETENTION_DAYS", 90)
# A sign-up confirmation link works for this long (django.core.signing.TimestampSigner).
CAMPAIGN_CONFIRM_MAX_AGE_SECONDS = env_int("CAMPAIGN_CONFIRM_MAX_AGE_SECONDS", 3 * 24 * 60 * 60)
# The moment job (`manage.py send_igivehope_moments`, every minute) sends only within this
# long after the moment: a job that was down for days must not send "share now" late.
IGIVEHOPE_MOMENT_GRACE_HOURS = env_int("IGIVEHOPE_MOMENT_GRACE_HOURS", 24)
# Sign-ups and messages of hope per client address (hashed, in the shared cache), against
# abuse without a third-party captcha.
CAMPAIGN_RATE_LIMITS = {
    "per_ip_per_minute": env_int("CAMPAIGN_RATE_PER_IP_PER_MINUTE", 5),
    "per_ip_per_hour": env_int("CAMPAIGN_RATE_PER_IP_PER_HOUR", 30),
}

# --------------------------------------------------------------------------------------
# Private data: identifying terms and consent evidence are encrypted with these keys
# (cms/core/crypto.py). Comma-separated Fernet keys; the first encrypts, all decrypt.
# Evidence files live under PRIVATE_MEDIA_ROOT (or PRIVATE_STORAGE), never served by URL.
# --------------------------------------------------------------------------------------

IDENTITY_ENCRYPTION_KEYS = env_list("IDENTITY_ENCRYPTION_KEYS")
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# None: evidence files on local disk under PRIVATE_MEDIA_ROOT. Production may put them in a
# private bucket or container of their own instead (settings/deployment.py).
PRIVATE_STORAGE = None
# Regions whose phone-number formats the anonymisation scanner looks for.
ANONYMISATION_PHONE_REGIONS = env_list(
    "ANONYMISATION_PHONE_REGIONS", ["TH", "KH", "MM", "VN", "LA", "MY", "US", "GB"]
)
# Consent defaults (DESIGN.md §5): 12 months unless the case worker says otherwise; never
# more than 36.
CONSENT_DEFAULT_MONTHS = 12
CONSENT_MAX_MONTHS = 36

# --------------------------------------------------------------------------------------
# The story map (static/js/map.js with Leaflet). Tiles come from a URL template; see the
# README for Azure Maps. The tile host must be allowed in a Content-Security-Policy img-src.
# --------------------------------------------------------------------------------------

MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
# Places are coarse on purpose (a province at most): no reason to zoom to street level.
MAP_MAX_ZOOM = 9
# Map data and thumbnails are rebuilt when the public set changes (stories/public_cache.py);
# this bounds how stale funding progress can be. 0 rebuilds on every request (benchmarks).
MAP_DATA_CACHE_SECONDS = env_int("MAP_DATA_CACHE_SECONDS", 600)

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
# Security hardening (README "Security", SECURITY.md). Each part says which requirement
# of security-requirements.md it answers.
# --------------------------------------------------------------------------------------

# Two factors for every staff account (R42): django-otp TOTP plus hashed backup codes,
# enforced for all of /admin/ by cms/users/middleware.py. Off only in settings/test.py,
# whose tests sign in with force_login; the two-factor tests turn it back on.
ADMIN_REQUIRE_TWO_FACTOR = True
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME
OTP_TOTP_THROTTLE_FACTOR = 1  # waits of 1, 2, 4, 8 … seconds after wrong codes
OTP_BACKUP_CODE_THROTTLE_FACTOR = 1

# Login throttling that attackers cannot turn against staff (R43): failures count per user
# name *and* address, so guessing one account from one place is slowed without locking
# that person out elsewhere, and colleagues behind the same office address are unaffected.
# The 6th attempt within 15 minutes is refused, even with the right password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, so a locked-out attempt stops here
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# The cool-off runs from the lockout; more tries during it do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "users/lockout.html"
# The client address is read exactly as the donation rate limits read it: the connection's,
# or behind TRUSTED_PROXY_COUNT proxies (see "Donations" above) the address the outermost
# trusted proxy saw. (django-ipware's AXES_IPWARE_PROXY_COUNT counts proxies differently
# and falls back to the proxy's own address on a forged header: one lockout for everyone.)
AXES_CLIENT_IP_CALLABLE = "cms.donations.ratelimit.client_ip"

# Content-Security-Policy with django-csp 4 (R41), built in cms/core/csp.py. Public site:
# scripts only from here or with this response's nonce, no inline style, images from here
# and the map tiles' host, forms posted only here (donations post to our own view, which
# answers with a 303 to Stripe Checkout: a redirect needs no form-action entry).
# CSP_REPORT_ONLY=true sends both policies as Content-Security-Policy-Report-Only.
_TILE_ORIGIN = url_template_origin(MAP_TILE_URL)
_PUBLIC_CSP = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF],
    "img-src": [SELF, "data:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
    "font-src": [SELF],
    "connect-src": [SELF],
    "media-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
    "frame-src": [NONE],
    "worker-src": [NONE],
    "manifest-src": [SELF],
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY = None
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _PUBLIC_CSP}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _PUBLIC_CSP}
    CONTENT_SECURITY_POLICY_REPORT_ONLY = None
# Wagtail's own editing screens still have inline scripts (date pickers, inline panels),
# set style attributes from JavaScript and preview pages in a same-origin frame: /admin/
# past the sign-in screens gets this looser policy. Our own admin screens add no inline
# script; the sign-in screens keep the strict policy above.
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **_PUBLIC_CSP,
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "frame-ancestors": [SELF],
        "frame-src": [SELF],
    }
}

# Wagtail shows Gravatar pictures by default: each admin page load would send a hash of
# the staff member's email address to a third party (R20). Initials instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Powerful browser features nobody here needs (django-permissions-policy).
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "browsing-topics": [],
    "interest-cohort": [],
}

# Error reports (admin emails, trackers) carry no POST values, local variables, query
# strings or exception text from private screens (cms/core/logging.py, R51).
DEFAULT_EXCEPTION_REPORTER_FILTER = "cms.core.logging.PrivateExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "cms.core.logging.PrivateExceptionReporter"

# --------------------------------------------------------------------------------------
# Logging: to stderr, where the process manager collects it. No request bodies, and every
# handler masks personal data (cms/core/logging.py::PersonalDataFilter).
# --------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "cms.core.logging.PersonalDataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["personal_data"],
        },
        # Sends only when ADMINS is set; the report is filtered as above.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's default handlers for its loggers with the filtered ones above.
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},  # one line per task start and end otherwise
        # At DEBUG the Stripe library logs request bodies, which hold donors' addresses.
        "stripe": {"level": "WARNING"},
    },
}
