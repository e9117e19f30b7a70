"""The services a deployment plugs in, built from the environment: the CDN that takedowns
purge (Wagtail's frontend cache) and the object storage that holds media.

``settings/production.py`` uses these; ``tests/test_deployment.py`` calls them under a
controlled environment. Every variable is listed in ``.env.example``; README "Deployment"
explains the choices.

Secrets (S3 and Azure keys) are never put in a storage's options: Wagtail deletes rendition
files in a background task whose arguments are the storage's constructor arguments
(``storage.deconstruct()``), and those are written to the task table. Keys reach
django-storages through its global settings (``azure_credentials()``) or the SDK's own
credential chain (an instance role, a managed identity) instead.
"""

from django.core.exceptions import ImproperlyConfigured

from settings.env import env, env_required

# --------------------------------------------------------------------------------------
# Frontend cache (CDN): https://docs.wagtail.org/en/stable/reference/contrib/frontendcache.html
# --------------------------------------------------------------------------------------

FRONTEND_CACHE_BACKENDS = {
    "cloudflare": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
    "cloudfront": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
    "azure_cdn": "wagtail.contrib.frontend_cache.backends.AzureCdnBackend",
    "azure_front_door": "wagtail.contrib.frontend_cache.backends.AzureFrontDoorBackend",
}


def _azure_cdn_common() -> dict[str, str]:
    return {
        # Wagtail would otherwise look the subscription up through azure-mgmt-subscription,
        # which is not installed: name it.
        "SUBSCRIPTION_ID": env_required(
            "AZURE_SUBSCRIPTION_ID", "the Azure subscription of the CDN or Front Door"
        ),
        "RESOURCE_GROUP_NAME": env_required(
            "AZURE_RESOURCE_GROUP_NAME", "the resource group of the CDN or Front Door"
        ),
    }


def frontend_cache() -> dict[str, dict[str, str]]:
    """``WAGTAILFRONTENDCACHE`` for the CDN named by ``FRONTEND_CACHE`` (none when unset).

    Credentials: Cloudflare's API token (or e-mail and global API key) from the environment;
    CloudFront through boto3's own chain (the instance role, or ``AWS_ACCESS_KEY_ID`` and
    ``AWS_SECRET_ACCESS_KEY``); Azure through azure-identity's ``DefaultAzureCredential``
    (the managed identity, or ``AZURE_CLIENT_ID``, ``AZURE_TENANT_ID``, ``AZURE_CLIENT_SECRET``).
    """
    kind = env("FRONTEND_CACHE")
    if kind is None:
        return {}
    if kind not in FRONTEND_CACHE_BACKENDS:
        raise ImproperlyConfigured(
            f"FRONTEND_CACHE must be one of {', '.join(FRONTEND_CACHE_BACKENDS)}, not {kind!r}."
        )
    params: dict[str, str] = {"BACKEND": FRONTEND_CACHE_BACKENDS[kind]}
    if kind == "cloudflare":
        params["ZONEID"] = env_required("CLOUDFLARE_ZONE_ID", "the Cloudflare zone to purge")
        if token := env("CLOUDFLARE_BEARER_TOKEN"):
            params["BEARER_TOKEN"] = token
        else:
            why = "Cloudflare purges need an API token (CLOUDFLARE_BEARER_TOKEN) or both this"
            params["EMAIL"] = env_required("CLOUDFLARE_EMAIL", f"{why} and CLOUDFLARE_API_KEY")
            params["API_KEY"] = env_required("CLOUDFLARE_API_KEY", f"{why} and CLOUDFLARE_EMAIL")
    elif kind == "cloudfront":
        params["DISTRIBUTION_ID"] = env_required(
            "CLOUDFRONT_DISTRIBUTION_ID", "the CloudFront distribution to invalidate"
        )
    elif kind == "azure_cdn":
        params.update(_azure_cdn_common())
        params["CDN_PROFILE_NAME"] = env_required("AZURE_CDN_PROFILE_NAME", "the CDN profile")
        params["CDN_ENDPOINT_NAME"] = env_required("AZURE_CDN_ENDPOINT_NAME", "the CDN endpoint")
    else:
        params.update(_azure_cdn_common())
        params["FRONT_DOOR_NAME"] = env_required("AZURE_FRONT_DOOR_NAME", "the Front Door")
    return {"default": params}


# --------------------------------------------------------------------------------------
# Media on object storage (django-storages): https://django-storages.readthedocs.io/
#
# Three places, never mixed:
# - originals and documents ("default"): a private bucket. Originals may show faces until a
#   reviewer masks and attests them, documents go through Wagtail's permission-checked view.
#   URLs of these are plain (unsigned), so the private bucket refuses them, exactly as the
#   web server refuses MEDIA_ROOT/original_images/ on one machine: nothing needs them (the
#   admin shows renditions).
# - renditions ("renditions", WAGTAILIMAGES_RENDITION_STORAGE): the public bucket, unsigned
#   URLs (signed ones would change on every render and defeat the page cache and the CDN),
#   behind MEDIA_PUBLIC_DOMAIN. Random names (cms/core/models.py) and no metadata.
# - consent evidence (PRIVATE_STORAGE): its own private bucket, encrypted before upload,
#   never any URL (cms/core/private_storage.py).
#
# No ACL is sent: new S3 buckets have ACLs disabled, and Azure sets access per container.
# Who may read a bucket is the bucket's own setting (README "Deployment"), never the app's.
# --------------------------------------------------------------------------------------

STORAGE_KINDS = ("filesystem", "s3", "azure")
S3_BACKEND = "storages.backends.s3.S3Storage"
AZURE_BACKEND = "storages.backends.azure_storage.AzureStorage"


def _storage_kind(name: str) -> str:
    kind = env(name, "filesystem")
    if kind not in STORAGE_KINDS:
        raise ImproperlyConfigured(
            f"{name} must be one of {', '.join(STORAGE_KINDS)}, not {kind!r}."
        )
    return kind


def _bucket_options(kind: str, bucket: str, **extra) -> dict:
    """Options of one bucket (S3) or container (Azure): no secret in here (module docstring).

    URLs are unsigned (django-storages signs S3 URLs by default; Azure's only with
    ``expiration_secs``, never set here): a private bucket refuses them.
    """
    if kind == "s3":
        options = {
            "bucket_name": bucket,
            "region_name": env("S3_REGION"),
            "endpoint_url": env("S3_ENDPOINT_URL"),
            "querystring_auth": False,
            "file_overwrite": False,
        }
    else:
        options = {
            "azure_container": bucket,
            "account_name": env_required(
                "AZURE_STORAGE_ACCOUNT_NAME", "the Azure storage account holding the media"
            ),
            "overwrite_files": False,
        }
    options.update(extra)
    return {key: value for key, value in options.items() if value is not None}


def media_storages(*, cdn_seconds: int) -> dict[str, dict]:
    """``STORAGES`` entries for uploads ("default") and, on object storage, renditions
    ("renditions"). ``cdn_seconds`` is how long a CDN or browser may keep a rendition."""
    kind = _storage_kind("MEDIA_STORAGE")
    if kind == "filesystem":
        return {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    private = env_required("MEDIA_PRIVATE_BUCKET", "originals and documents are kept there")
    public = env_required("MEDIA_PUBLIC_BUCKET", "image renditions are served from there")
    if private == public:
        raise ImproperlyConfigured(
            "MEDIA_PRIVATE_BUCKET and MEDIA_PUBLIC_BUCKET must differ: originals may show faces."
        )
    # A CDN keeps a rendition no longer than a page: a takedown deletes the file.
    cache_control = f"public, max-age={cdn_seconds}"
    domain = env("MEDIA_PUBLIC_DOMAIN")
    caching = (
        {"object_parameters": {"CacheControl": cache_control}}
        if kind == "s3"
        else {"cache_control": cache_control}
    )
    backend = S3_BACKEND if kind == "s3" else AZURE_BACKEND
    private_options = _bucket_options(kind, private)
    public_options = _bucket_options(kind, public, custom_domain=domain, **caching)
    return {
        "default": {"BACKEND": backend, "OPTIONS": private_options},
        "renditions": {"BACKEND": backend, "OPTIONS": public_options},
    }


def private_storage() -> dict | None:
    """Where consent evidence is kept: ``None`` for ``PRIVATE_MEDIA_ROOT`` on local disk, or
    its own bucket or container. ``cms/core/private_storage.py`` encrypts before this
    storage sees a byte and gives no URL."""
    kind = _storage_kind("PRIVATE_STORAGE")
    if kind == "filesystem":
        return None
    bucket = env_required("PRIVATE_BUCKET", "consent evidence is kept there")
    if bucket in {env("MEDIA_PRIVATE_BUCKET"), env("MEDIA_PUBLIC_BUCKET")}:
        raise ImproperlyConfigured(
            "PRIVATE_BUCKET must be a bucket of its own, not one of the media buckets."
        )
    backend = S3_BACKEND if kind == "s3" else AZURE_BACKEND
    return {"BACKEND": backend, "OPTIONS": _bucket_options(kind, bucket)}


def azure_credentials() -> tuple[str | None, object | None]:
    """django-storages' ``AZURE_ACCOUNT_KEY`` and ``AZURE_TOKEN_CREDENTIAL`` (module docstring):
    the account key if given, else the managed identity through azure-identity; neither when
    nothing is on Azure. (S3 needs nothing here: boto3 finds ``AWS_ACCESS_KEY_ID`` and
    ``AWS_SECRET_ACCESS_KEY``, or the instance role, by itself.)
    """
    if "azure" not in {_storage_kind("MEDIA_STORAGE"), _storage_kind("PRIVATE_STORAGE")}:
        return None, None
    if key := env("AZURE_STORAGE_ACCOUNT_KEY"):
        return key, None
    from azure.identity import DefaultAzureCredential

    return None, DefaultAzureCredential()
