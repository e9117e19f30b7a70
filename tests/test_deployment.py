"""More than one machine: the CDN and object storage are configured from the environment
(settings/deployment.py) and really work: purges reach a local fake Cloudflare over HTTPS
and a local fake CloudFront, media go to a local fake S3 (moto's server) in the right bucket,
and a takedown deletes a story's renditions there."""

import json

import boto3
import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from moto.server import ThreadedMotoServer
from wagtail.contrib.frontend_cache.backends import (
    AzureCdnBackend,
    AzureFrontDoorBackend,
    CloudflareBackend,
    CloudfrontBackend,
)
from wagtail.contrib.frontend_cache.utils import get_backends

from cms.core.models import CustomRendition
from cms.core.private_storage import private_storage
from settings import deployment
from stories import services
from tests.factories import (
    StorytellerFactory,
    consent_give,
    image_block,
    image_make,
    story_in_two_languages,
    story_page,
    story_publish,
)
from tests.support import frontend_cache
from tests.support.fake_cloudflare import FakeCloudflare
from tests.test_settings import example_environment, manage

DEPLOYMENT_VARIABLES = [
    "FRONTEND_CACHE",
    "CLOUDFLARE_ZONE_ID",
    "CLOUDFLARE_BEARER_TOKEN",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_KEY",
    "CLOUDFRONT_DISTRIBUTION_ID",
    "AZURE_SUBSCRIPTION_ID",
    "AZURE_RESOURCE_GROUP_NAME",
    "AZURE_CDN_PROFILE_NAME",
    "AZURE_CDN_ENDPOINT_NAME",
    "AZURE_FRONT_DOOR_NAME",
    "MEDIA_STORAGE",
    "MEDIA_PRIVATE_BUCKET",
    "MEDIA_PUBLIC_BUCKET",
    "MEDIA_PUBLIC_DOMAIN",
    "PRIVATE_STORAGE",
    "PRIVATE_BUCKET",
    "S3_REGION",
    "S3_ENDPOINT_URL",
    "AZURE_STORAGE_ACCOUNT_NAME",
    "AZURE_STORAGE_ACCOUNT_KEY",
]


@pytest.fixture
def environment(monkeypatch):
    """A clean slate of the deployment variables; returns a setter for some of them."""
    for name in DEPLOYMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_variables(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_variables


# --------------------------------------------------------------------------------------
# The frontend cache (CDN) from the environment
# --------------------------------------------------------------------------------------

CDN_ENVIRONMENTS = {
    "cloudflare": (
        {"CLOUDFLARE_ZONE_ID": "zone123", "CLOUDFLARE_BEARER_TOKEN": "token-abc"},
        {"ZONEID": "zone123", "BEARER_TOKEN": "token-abc"},
        CloudflareBackend,
    ),
    "cloudfront": (
        {"CLOUDFRONT_DISTRIBUTION_ID": "E2EXAMPLE"},
        {"DISTRIBUTION_ID": "E2EXAMPLE"},
        CloudfrontBackend,
    ),
    "azure_cdn": (
        {
            "AZURE_SUBSCRIPTION_ID": "sub-1",
            "AZURE_RESOURCE_GROUP_NAME": "rg-site",
            "AZURE_CDN_PROFILE_NAME": "profile",
            "AZURE_CDN_ENDPOINT_NAME": "endpoint",
        },
        {
            "SUBSCRIPTION_ID": "sub-1",
            "RESOURCE_GROUP_NAME": "rg-site",
            "CDN_PROFILE_NAME": "profile",
            "CDN_ENDPOINT_NAME": "endpoint",
        },
        AzureCdnBackend,
    ),
    "azure_front_door": (
        {
            "AZURE_SUBSCRIPTION_ID": "sub-1",
            "AZURE_RESOURCE_GROUP_NAME": "rg-site",
            "AZURE_FRONT_DOOR_NAME": "door",
        },
        {"SUBSCRIPTION_ID": "sub-1", "RESOURCE_GROUP_NAME": "rg-site", "FRONT_DOOR_NAME": "door"},
        AzureFrontDoorBackend,
    ),
}


def test_no_cdn_without_frontend_cache(environment):
    assert deployment.frontend_cache() == {}


@pytest.mark.parametrize("kind", CDN_ENVIRONMENTS)
def test_each_cdn_is_configured_from_the_environment(environment, kind, monkeypatch):
    variables, expected, backend_class = CDN_ENVIRONMENTS[kind]
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # boto3 wants one to build a client
    environment(FRONTEND_CACHE=kind, **variables)

    config = deployment.frontend_cache()

    assert config == {"default": {"BACKEND": deployment.FRONTEND_CACHE_BACKENDS[kind], **expected}}
    # Wagtail accepts it as it is: every key its backend requires is there.
    backends = get_backends(backend_settings=json.loads(json.dumps(config)))
    assert isinstance(backends["default"], backend_class)


def test_cloudflare_takes_an_email_and_global_key_instead_of_a_token(environment):
    environment(
        FRONTEND_CACHE="cloudflare",
        CLOUDFLARE_ZONE_ID="zone123",
        CLOUDFLARE_EMAIL="ops@example.org",
        CLOUDFLARE_API_KEY="global-key",
    )
    assert deployment.frontend_cache()["default"] == {
        "BACKEND": deployment.FRONTEND_CACHE_BACKENDS["cloudflare"],
        "ZONEID": "zone123",
        "EMAIL": "ops@example.org",
        "API_KEY": "global-key",
    }


@pytest.mark.parametrize(
    ("kind", "missing"),
    [
        (kind, name)
        for kind, (variables, _expected, _backend) in CDN_ENVIRONMENTS.items()
        for name in variables
        if name != "CLOUDFLARE_BEARER_TOKEN"
    ]
    + [("cloudflare", "CLOUDFLARE_EMAIL")],
)
def test_a_missing_cdn_variable_is_named(environment, kind, missing):
    variables = dict(CDN_ENVIRONMENTS[kind][0])
    variables.pop(missing, None)
    if missing == "CLOUDFLARE_EMAIL":
        variables.pop("CLOUDFLARE_BEARER_TOKEN")  # neither a token nor an e-mail
    environment(FRONTEND_CACHE=kind, **variables)

    with pytest.raises(ImproperlyConfigured, match=f"The environment variable {missing} "):
        deployment.frontend_cache()


def test_an_unknown_cdn_is_refused(environment):
    environment(FRONTEND_CACHE="akamai")
    with pytest.raises(ImproperlyConfigured, match="FRONTEND_CACHE must be one of"):
        deployment.frontend_cache()


def test_a_withdrawal_purges_cloudflare_over_https(
    environment, people, home_page, settings, monkeypatch, tmp_path,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    storyteller, english, thai = story_in_two_languages(home_page, people)
    fake = FakeCloudflare(tmp_path)
    with fake.running():
        # requests' own variables: tunnel through the fake, trust its certificate authority.
        monkeypatch.setenv("HTTPS_PROXY", fake.proxy_url)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_bundle))
        for name in ("NO_PROXY", "no_proxy", "https_proxy", "CURL_CA_BUNDLE"):
            monkeypatch.delenv(name, raising=False)
        environment(
            FRONTEND_CACHE="cloudflare",
            CLOUDFLARE_ZONE_ID="zone123",
            CLOUDFLARE_BEARER_TOKEN="token-abc",
        )
        settings.WAGTAILFRONTENDCACHE = deployment.frontend_cache()

        with django_capture_on_commit_callbacks(execute=True):
            services.consent_withdraw(storyteller=storyteller, by=people["case_worker"])

    assert fake.requests, "Cloudflare was never called"
    for request in fake.requests:
        assert request["host"] == "api.cloudflare.com"
        assert request["path"] == "/client/v4/zones/zone123/purge_cache"
        assert request["headers"]["Authorization"] == "Bearer token-abc"
    purged = fake.purged_urls()
    for page in (english, thai):
        assert page.get_full_url() in purged
        assert page.get_parent().get_full_url() in purged


# --------------------------------------------------------------------------------------
# A local fake AWS: moto's server, reached over HTTP by boto3
# --------------------------------------------------------------------------------------


@pytest.fixture
def fake_aws(monkeypatch):
    """moto's server on a free port; boto3 in this process is pointed at it and given fake
    keys through its standard environment variables. Yields its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    # moto keeps its fake accounts in this process's memory, whichever server started them.
    requests.post(f"{url}/moto-api/reset", timeout=10).raise_for_status()
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)  # CloudFront: Wagtail's client has no option
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield url
    finally:
        server.stop()


def test_a_withdrawal_invalidates_cloudfront(
    environment, people, home_page, settings, fake_aws, django_capture_on_commit_callbacks
):
    cloudfront = boto3.client("cloudfront", endpoint_url=fake_aws)
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "igivehope-test",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "app",
                        "DomainName": "app.example.org",
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                        },
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "app",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
        }
    )["Distribution"]["Id"]
    storyteller, english, thai = story_in_two_languages(home_page, people)
    environment(FRONTEND_CACHE="cloudfront", CLOUDFRONT_DISTRIBUTION_ID=distribution)
    settings.WAGTAILFRONTENDCACHE = deployment.frontend_cache()

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=storyteller, by=people["case_worker"])

    paths = set()
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    for summary in listed.get("Items", []):
        batch = cloudfront.get_invalidation(DistributionId=distribution, Id=summary["Id"])
        paths.update(batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"])
    for page in (english, thai):
        assert page.url in paths
        assert page.get_parent().url in paths


# --------------------------------------------------------------------------------------
# Media on object storage
# --------------------------------------------------------------------------------------

S3_MEDIA = {
    "MEDIA_STORAGE": "s3",
    "MEDIA_PRIVATE_BUCKET": "igivehope-originals",
    "MEDIA_PUBLIC_BUCKET": "igivehope-renditions",
    "MEDIA_PUBLIC_DOMAIN": "media.example.org",
    "S3_REGION": "us-east-1",
}


@pytest.fixture
def s3_media(environment, fake_aws, settings, monkeypatch):
    """Settings as production builds them for MEDIA_STORAGE=s3, against the fake S3."""
    environment(**S3_MEDIA, S3_ENDPOINT_URL=fake_aws)
    s3 = boto3.client("s3", endpoint_url=fake_aws)
    for bucket in (S3_MEDIA["MEDIA_PRIVATE_BUCKET"], S3_MEDIA["MEDIA_PUBLIC_BUCKET"]):
        s3.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **deployment.media_storages(cdn_seconds=300),
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    settings.WAGTAILIMAGES_RENDITION_STORAGE = "renditions"
    # The rendition field resolves its storage once, when the model is defined (Wagtail's
    # get_rendition_storage): under production settings that is storages["renditions"].
    monkeypatch.setattr(CustomRendition._meta.get_field("file"), "storage", storages["renditions"])
    return s3


def keys(s3, bucket: str) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


def test_originals_stay_private_and_renditions_go_to_the_public_bucket(s3_media, people):
    s3 = s3_media
    image = image_make(face=False, attested_by=people["reviewer"])
    rendition = image.get_rendition("width-400")

    assert keys(s3, "igivehope-originals") == {image.file.name}
    assert image.file.name.startswith("original_images/")
    assert keys(s3, "igivehope-renditions") == {rendition.file.name}
    assert rendition.file.name.startswith("images/")
    # Public renditions: a stable, unsigned URL on the CDN's domain, kept as long as a page.
    assert rendition.url == f"https://media.example.org/{rendition.file.name}"
    stored = s3.head_object(Bucket="igivehope-renditions", Key=rendition.file.name)
    assert stored["CacheControl"] == "public, max-age=300"
    # An original's URL is unsigned, on the private bucket, which refuses it.
    assert "igivehope-originals" in image.file.url
    assert "?" not in image.file.url


def test_storage_options_hold_no_secret(s3_media):
    # Wagtail writes a storage's constructor arguments into the task table when it deletes a
    # rendition; the keys come from boto3's environment instead.
    for alias in ("default", "renditions"):
        deconstructed = json.dumps(storages[alias].deconstruct())
        assert "testing-secret" not in deconstructed
        assert "testing" not in deconstructed.replace("testing-", "")


def test_a_takedown_deletes_the_renditions_from_the_bucket_and_the_cdn(
    s3_media, home_page, people, settings, django_capture_on_commit_callbacks
):
    s3 = s3_media
    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {"BACKEND": "tests.support.frontend_cache.RecordingBackend"}
    }
    frontend_cache.PURGED.clear()
    image = image_make(face=False, attested_by=people["reviewer"])
    storyteller = StorytellerFactory(case_workers=[people["case_worker"]])
    consent_give(storyteller, by=people["case_worker"])
    story_publish(
        story_page(home_page, storyteller, body=[image_block(image)]),
        author=people["author"],
        case_worker=people["case_worker"],
        reviewer=people["reviewer"],
    )
    renditions = [image.get_rendition(spec) for spec in ("width-400", "width-800")]
    assert keys(s3, "igivehope-renditions") == {rendition.file.name for rendition in renditions}

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=storyteller, by=people["case_worker"])

    assert keys(s3, "igivehope-renditions") == set()
    # A CDN in front of the bucket forgets them too.
    assert {rendition.url for rendition in renditions} <= set(frontend_cache.PURGED)
    assert default_storage.exists(image.file.name)  # the private original is kept


def test_consent_evidence_goes_encrypted_to_its_own_bucket(environment, fake_aws, settings):
    environment(
        **S3_MEDIA, S3_ENDPOINT_URL=fake_aws, PRIVATE_STORAGE="s3", PRIVATE_BUCKET="evidence"
    )
    s3 = boto3.client("s3", endpoint_url=fake_aws)
    s3.create_bucket(Bucket="evidence")
    settings.PRIVATE_STORAGE = deployment.private_storage()
    storage = private_storage()

    name = storage.save("consent-evidence/form.txt", ContentFile(b"Signed by Testina Canaryson"))

    stored = s3.get_object(Bucket="evidence", Key=name)["Body"].read()
    assert b"Testina" not in stored
    with storage.open(name) as handle:
        assert handle.read() == b"Signed by Testina Canaryson"
    with pytest.raises(ValueError, match="no URL"):
        storage.url(name)
    storage.delete(name)
    assert keys(s3, "evidence") == set()


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_PRIVATE_BUCKET is required"),
        (
            {"MEDIA_STORAGE": "s3", "MEDIA_PRIVATE_BUCKET": "one"},
            "MEDIA_PUBLIC_BUCKET is required",
        ),
        (
            {"MEDIA_STORAGE": "s3", "MEDIA_PRIVATE_BUCKET": "one", "MEDIA_PUBLIC_BUCKET": "one"},
            "must differ",
        ),
        (
            {"MEDIA_STORAGE": "azure", "MEDIA_PRIVATE_BUCKET": "a", "MEDIA_PUBLIC_BUCKET": "b"},
            "AZURE_STORAGE_ACCOUNT_NAME is required",
        ),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE must be one of"),
    ],
)
def test_media_storage_mistakes_are_named(environment, variables, message):
    environment(**variables)
    with pytest.raises(ImproperlyConfigured, match=message):
        deployment.media_storages(cdn_seconds=300)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"PRIVATE_STORAGE": "s3"}, "PRIVATE_BUCKET is required"),
        (
            {"PRIVATE_STORAGE": "s3", "PRIVATE_BUCKET": "media", "MEDIA_PUBLIC_BUCKET": "media"},
            "a bucket of its own",
        ),
        (
            {"PRIVATE_STORAGE": "s3", "PRIVATE_BUCKET": "media", "MEDIA_PRIVATE_BUCKET": "media"},
            "a bucket of its own",
        ),
    ],
)
def test_consent_evidence_never_shares_a_media_bucket(environment, variables, message):
    environment(**variables)
    with pytest.raises(ImproperlyConfigured, match=message):
        deployment.private_storage()


def test_azure_blob_storage_from_the_environment(environment, settings):
    environment(
        MEDIA_STORAGE="azure",
        MEDIA_PRIVATE_BUCKET="originals",
        MEDIA_PUBLIC_BUCKET="renditions",
        MEDIA_PUBLIC_DOMAIN="media.example.org",
        AZURE_STORAGE_ACCOUNT_NAME="igivehopemedia",
        AZURE_STORAGE_ACCOUNT_KEY="a2V5LWZvci10ZXN0cy1vbmx5",
        PRIVATE_STORAGE="azure",
        PRIVATE_BUCKET="evidence",
    )
    settings.STORAGES = {
        **deployment.media_storages(cdn_seconds=300),
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    settings.AZURE_ACCOUNT_KEY, settings.AZURE_TOKEN_CREDENTIAL = deployment.azure_credentials()

    public, private = storages["renditions"], storages["default"]
    assert public.url("images/a.jpg") == "https://media.example.org/renditions/images/a.jpg"
    assert public.cache_control == "public, max-age=300"
    # No SAS token on a private blob's URL: the private container refuses it.
    assert private.url("original_images/a.jpg") == (
        "https://igivehopemedia.blob.core.windows.net/originals/original_images/a.jpg"
    )
    assert "a2V5" not in json.dumps(private.deconstruct())
    assert deployment.private_storage()["OPTIONS"]["azure_container"] == "evidence"


def test_azure_without_a_key_signs_in_with_the_managed_identity(environment):
    environment(
        MEDIA_STORAGE="azure",
        MEDIA_PRIVATE_BUCKET="originals",
        MEDIA_PUBLIC_BUCKET="renditions",
        AZURE_STORAGE_ACCOUNT_NAME="igivehopemedia",
    )
    key, credential = deployment.azure_credentials()
    assert key is None
    assert type(credential).__name__ == "DefaultAzureCredential"


# --------------------------------------------------------------------------------------
# settings.production puts it together
# --------------------------------------------------------------------------------------

PRINT_DEPLOYMENT = """
import json
from django.conf import settings
from cms.core.models import CustomImage, CustomRendition
print(json.dumps({
    "cdn": settings.WAGTAILFRONTENDCACHE,
    "originals": CustomImage._meta.get_field("file").storage.bucket_name,
    "renditions": CustomRendition._meta.get_field("file").storage.bucket_name,
    "rendition_domain": CustomRendition._meta.get_field("file").storage.custom_domain,
    "evidence": settings.PRIVATE_STORAGE["OPTIONS"]["bucket_name"],
}))
"""


def test_production_settings_build_the_cdn_and_storages_from_the_environment():
    environment = {
        **example_environment(),
        **S3_MEDIA,
        "PRIVATE_STORAGE": "s3",
        "PRIVATE_BUCKET": "igivehope-evidence",
        "FRONTEND_CACHE": "cloudflare",
        "CLOUDFLARE_ZONE_ID": "zone123",
        "CLOUDFLARE_BEARER_TOKEN": "token-abc",
    }

    result = manage("shell", "--no-imports", "-c", PRINT_DEPLOYMENT, env=environment)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "cdn": {
            "default": {
                "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
                "ZONEID": "zone123",
                "BEARER_TOKEN": "token-abc",
            }
        },
        "originals": "igivehope-originals",
        "renditions": "igivehope-renditions",
        "rendition_domain": "media.example.org",
        "evidence": "igivehope-evidence",
    }
    check = manage("check", "--deploy", "--fail-level", "WARNING", env=environment)
    assert check.returncode == 0, check.stderr


def test_production_names_a_missing_cdn_variable():
    environment = {**example_environment(), "FRONTEND_CACHE": "cloudfront"}
    result = manage("check", env=environment)
    assert result.returncode != 0
    assert "The environment variable CLOUDFRONT_DISTRIBUTION_ID is required" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_redis_replicas():
    """Django reads from a replica picked at random: one lagging behind a takedown's version
    bump would serve the withdrawn story."""
    environment = {
        **example_environment(),
        "REDIS_URL": "redis://primary.internal:6379/0,redis://replica.internal:6379/0",
    }
    result = manage("check", env=environment)
    assert result.returncode != 0
    assert "REDIS_URL names several servers" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_needs_redis_shared_by_every_process():
    environment = example_environment()
    del environment["REDIS_URL"]
    result = manage("check", env=environment)
    assert result.returncode != 0
    assert "The environment variable REDIS_URL is required" in result.stderr
