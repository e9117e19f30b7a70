"""Every response carries the security headers; production adds HSTS and __Host- cookies."""

import re
import runpy
from pathlib import Path

import pytest
from django.urls import reverse

from cms.core.csp import url_template_origin
from tests.factories import story_index, story_live

PRODUCTION_ENVIRONMENT = {
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "testserver",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "WAGTAILADMIN_BASE_URL": "https://testserver",
    "STRIPE_SECRET_KEY": "sk_test_unused",
    "STRIPE_WEBHOOK_SECRET": "whsec_unused",
    "IDENTITY_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS1mb3ItdGhlLXRlc3RzdWl0ZSE=",
}
TRANSPORT_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_NAME",
]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def production(settings, monkeypatch):
    """The transport and cookie settings of settings/production.py, read as deployed."""
    for name, value in PRODUCTION_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    values = runpy.run_module("settings.production")
    for name in TRANSPORT_SETTINGS:
        setattr(settings, name, values[name])
    return values


@pytest.fixture
def pages(client, home_page):
    index = story_index(home_page)
    index.save_revision().publish()
    story = story_live(home_page, title="A loom of her own", slug="a-loom")
    return {"home": "/", "story": story.url, "admin login": reverse("wagtailadmin_login")}


def test_pages_carry_the_security_headers_in_production(client, pages, production):
    for name, path in pages.items():
        response = client.get(path, secure=True)
        assert response.status_code == 200, name

        assert response["Strict-Transport-Security"] == (
            "max-age=63072000; includeSubDomains; preload"
        ), name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["Permissions-Policy"].startswith("browsing-topics=()"), name
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in response["Permissions-Policy"], name

        policy = directives(response["Content-Security-Policy"])
        nonce = re.fullmatch(r"'nonce-([A-Za-z0-9+/=]{24})'", policy["script-src"][-1])
        assert nonce, name
        assert policy["object-src"] == ["'none'"], name
        assert policy["base-uri"] == ["'self'"], name
        # The strict policy everywhere here, sign-in screen included.
        assert policy["script-src"] == ["'self'", nonce.group()], name
        assert policy["style-src"] == ["'self'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["form-action"] == ["'self'"], name
        assert policy["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]


def test_only_wagtails_editing_screens_may_run_inline_script(client, db):
    from tests.factories import staff_in

    client.force_login(staff_in("Editors"))
    admin = directives(client.get(reverse("wagtailadmin_home"))["Content-Security-Policy"])
    public = directives(client.get("/")["Content-Security-Policy"])

    assert admin["script-src"] == ["'self'", "'unsafe-inline'"]
    assert admin["frame-ancestors"] == ["'self'"]  # the preview panel frames our own pages
    assert admin["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in public["script-src"]


def test_nonces_differ_per_response(client, pages):
    first = client.get("/")["Content-Security-Policy"]
    second = client.get("/")["Content-Security-Policy"]
    assert first != second


def test_cookies_are_host_only_secure_and_http_only_in_production(client, pages, production):
    login_page = client.get(reverse("wagtailadmin_login"), secure=True)
    csrf = login_page.cookies["__Host-csrftoken"]
    assert csrf["secure"]
    assert csrf["path"] == "/"
    assert not csrf["domain"]

    from tests.factories import staff_in

    editor = staff_in("Editors")
    signed_in = client.post(
        reverse("wagtailadmin_login"),
        {"username": editor.username, "password": "correct horse battery staple"},
        secure=True,
    )
    session = signed_in.cookies["__Host-sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert not session["domain"]


def test_plain_http_is_redirected_to_https_in_production(client, pages, production):
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def test_admin_responses_are_never_stored(client, pages):
    response = client.get(reverse("wagtailadmin_login"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_report_only_switch_moves_both_policies(client, pages, settings, monkeypatch):
    monkeypatch.setenv("CSP_REPORT_ONLY", "true")
    values = runpy.run_path(str(Path(settings.BASE_DIR) / "settings" / "base.py"))
    settings.CONTENT_SECURITY_POLICY = values["CONTENT_SECURITY_POLICY"]
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = values["CONTENT_SECURITY_POLICY_REPORT_ONLY"]

    for path in ("/", reverse("wagtailadmin_login")):
        response = client.get(path)
        assert "Content-Security-Policy" not in response, path
        assert "script-src 'self'" in response["Content-Security-Policy-Report-Only"], path


@pytest.mark.parametrize(
    ("template", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", "https://*.tiles.example.org"),
        (
            "https://atlas.microsoft.com/map/tile?api-version=2.0&zoom={z}&x={x}&y={y}",
            "https://atlas.microsoft.com",
        ),
        ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
        ("/static/tiles/{z}/{x}/{y}.png", None),
    ],
)
def test_the_map_tile_host_is_derived_from_the_url_template(template, origin):
    assert url_template_origin(template) == origin


def test_our_templates_have_no_inline_script_or_style():
    root = Path(__file__).resolve().parent.parent
    ours = [
        path
        for folder in ("cms", "stories", "home", "campaigns")
        for path in (root / folder).rglob("*.html")
    ]
    assert ours
    for path in ours:
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html), path
        assert not re.search(r"\sstyle=\"|<style|\son[a-z]+=\"", html), path
