"""Production: everything from the environment; refuses to start without its secrets.

Run ``DJANGO_SETTINGS_MODULE=settings.production python manage.py check --deploy`` after
changing anything here; it must stay free of warnings (tests/test_settings.py checks it).
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from settings import deployment
from settings.base import *  # noqa: F403
from settings.base import PAGE_CACHE_CDN_SECONDS, STORAGES
from settings.env import env, env_bool, env_int, env_list, env_required

DEBUG = False

SECRET_KEY = env_required("SECRET_KEY", "it signs sessions, password resets and links")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    env_required("ALLOWED_HOSTS", "the host names this site answers to, comma-separated")

DATABASES = {
    "default": dj_database_url.parse(
        env_required("DATABASE_URL", "production runs on PostgreSQL"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}

# One cache shared by every process (settings/base.py builds it from REDIS_URL). A memory
# cache per process would let one gunicorn worker serve a story from its page cache after
# another took it down (the version token that retires those pages lives in the cache), and
# would split rate limits and the Stripe circuit breaker between processes.
if "," in env_required("REDIS_URL", "every app process and worker must share one cache (Redis)"):
    # Django would read from a replica picked at random, which may not yet have the version
    # bump of a takedown that has committed: a replica could serve a withdrawn story.
    raise ImproperlyConfigured(
        "REDIS_URL names several servers: give the primary alone (reads must see every "
        "takedown at once; a replica may lag). See .env.example."
    )

WAGTAILADMIN_BASE_URL = env_required(
    "WAGTAILADMIN_BASE_URL", "the public https:// address, used in emails and the admin"
)

# --------------------------------------------------------------------------------------
# HTTPS. Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER_ENABLED so the
# X-Forwarded-Proto header is trusted (only when the proxy always sets it).
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
# --------------------------------------------------------------------------------------

if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 63_072_000)  # two years
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# The __Host- prefix makes browsers refuse these cookies unless Secure, host-only and
# path=/ — a subdomain cannot plant or read them.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"

# --------------------------------------------------------------------------------------
# Email through anymail. EMAIL_BACKEND names the provider's backend, and every variable
# named ANYMAIL_<SETTING> becomes ANYMAIL["<SETTING>"], e.g. ANYMAIL_POSTMARK_SERVER_TOKEN.
# --------------------------------------------------------------------------------------

EMAIL_BACKEND = env("EMAIL_BACKEND", "anymail.backends.postmark.EmailBackend")
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and value
}

# --------------------------------------------------------------------------------------
# Stripe: donations cannot work without both keys.
# --------------------------------------------------------------------------------------

STRIPE_SECRET_KEY = env_required("STRIPE_SECRET_KEY", "donations are paid through Stripe")
STRIPE_WEBHOOK_SECRET = env_required(
    "STRIPE_WEBHOOK_SECRET", "Stripe webhooks are verified with it"
)

IDENTITY_ENCRYPTION_KEYS = env_list("IDENTITY_ENCRYPTION_KEYS")
if not IDENTITY_ENCRYPTION_KEYS:
    env_required(
        "IDENTITY_ENCRYPTION_KEYS", "identifying terms and consent evidence are encrypted with it"
    )

# --------------------------------------------------------------------------------------
# More than one machine (README "Deployment"): media on object storage, consent evidence in
# its own private bucket, a CDN purged on every takedown. Built in settings/deployment.py.
# --------------------------------------------------------------------------------------

STORAGES = {
    **deployment.media_storages(cdn_seconds=PAGE_CACHE_CDN_SECONDS),
    "staticfiles": STORAGES["staticfiles"],
}
if "renditions" in STORAGES:
    WAGTAILIMAGES_RENDITION_STORAGE = "renditions"
PRIVATE_STORAGE = deployment.private_storage()
# Azure keys reach django-storages as settings, never as storage options (deployment.py).
AZURE_ACCOUNT_KEY, AZURE_TOKEN_CREDENTIAL = deployment.azure_credentials()
WAGTAILFRONTENDCACHE = deployment.frontend_cache()

LOGGING["root"]["level"] = env("LOG_LEVEL", "WARNING")  # noqa: F405
