"""A password alone opens nothing: staff prove a second factor, enrolled at first sign-in."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.documents.models import Document
from wagtail.models import Collection, CollectionViewRestriction

from cms.users.middleware import ALLOWED_BEFORE_ENROLMENT, ALLOWED_BEFORE_SECOND_FACTOR
from cms.users.models import BackupCode
from cms.users.two_factor import backup_codes_replace
from tests.factories import staff_in
from tests.support.two_factor import authenticator_for, code_now, login_verified

PASSWORD = "correct horse battery staple"  # tests/factories.py::UserFactory


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.ADMIN_REQUIRE_TWO_FACTOR = True


@pytest.fixture
def editor(db):
    return staff_in("Editors")


def sign_in(client, user) -> None:
    """The real sign-in form, as a person uses it."""
    response = client.post(
        reverse("wagtailadmin_login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]


def _sample_paths(patterns, prefix=""):
    """One concrete path for every URL pattern below ``patterns``, with made-up arguments."""
    for entry in patterns:
        route = str(entry.pattern).lstrip("^").rstrip("$").replace("\\", "")
        route = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000001", route)
        route = re.sub(r"<int:\w+>", "1", route)
        route = re.sub(r"<(?:\w+:)?\w+>", "x", route)
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
        if isinstance(entry, URLResolver):
            yield from _sample_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route, entry.name


def admin_paths() -> list[tuple[str, str]]:
    admin = next(
        entry
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and str(entry.pattern) == "admin/"
    )
    return sorted(set(_sample_paths(admin.url_patterns, "/admin/")), key=lambda p: p[0])


def test_without_a_device_every_admin_view_sends_to_enrolment(client, editor):
    client.force_login(editor)
    allowed = ALLOWED_BEFORE_SECOND_FACTOR | ALLOWED_BEFORE_ENROLMENT
    checked = 0
    for path, name in admin_paths():
        if name in allowed:
            continue
        response = client.get(path)
        assert response.status_code == 302, (path, response.status_code)
        assert response["Location"].startswith(reverse("users_two_factor_setup")), path
        checked += 1
    assert checked > 150  # every page, image, document, user, setting and private-record URL


def test_with_an_unverified_device_every_admin_view_sends_to_verification(client, editor):
    authenticator_for(editor)
    client.force_login(editor)
    for path, name in admin_paths():
        if name in ALLOWED_BEFORE_SECOND_FACTOR:
            continue
        response = client.get(path)
        assert response.status_code == 302, (path, response.status_code)
        assert response["Location"].startswith(reverse("users_two_factor_verify")), path


def test_the_admin_api_and_private_records_answer_nothing_before_the_second_factor(client, db):
    superuser = staff_in("Editors", is_superuser=True)
    authenticator_for(superuser)
    client.force_login(superuser)
    for path in ("/admin/api/main/pages/", reverse("storytellers:index")):
        response = client.get(path, HTTP_ACCEPT="application/json")
        assert response.status_code == 302
        assert b"Testina" not in response.content
        assert response.content == b""


def test_enrolment_is_forced_at_first_sign_in_and_gives_backup_codes(client, editor):
    sign_in(client, editor)

    dashboard = client.get(reverse("wagtailadmin_home"))
    assert dashboard.status_code == 302
    assert dashboard["Location"] == f"{reverse('users_two_factor_setup')}?next=/admin/"

    setup = client.get(dashboard["Location"])
    assert setup.status_code == 200
    html = setup.content.decode()
    assert "<svg" in html  # the QR code, drawn here: no external service sees the secret
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert "no-store" in setup["Cache-Control"]

    wrong = client.post(reverse("users_two_factor_setup"), {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 200
    assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()

    device.refresh_from_db()
    device.throttle_reset()
    done = client.post(
        reverse("users_two_factor_setup"), {"code": code_now(device), "next": "/admin/"}
    )
    assert done.status_code == 200
    codes = re.findall(
        r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>", done.content.decode()
    )
    assert len(codes) == 10
    assert not BackupCode.objects.filter(code_hash__in=codes).exists()  # stored hashed
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    # Enrolled: the enrolment screen cannot be used again to add another phone.
    assert client.get(reverse("users_two_factor_setup")).status_code == 302


def test_a_verified_code_opens_the_admin(client, editor):
    device = authenticator_for(editor)
    sign_in(client, editor)

    response = client.post(
        reverse("users_two_factor_verify"), {"code": code_now(device), "next": "/admin/pages/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_a_replayed_code_is_refused(editor):
    device = authenticator_for(editor)
    code = code_now(device)
    first, second = Client(), Client()
    sign_in(first, editor)
    sign_in(second, editor)

    accepted = first.post(reverse("users_two_factor_verify"), {"code": code})
    replayed = second.post(reverse("users_two_factor_verify"), {"code": code})

    assert accepted.status_code == 302
    assert replayed.status_code == 200
    assert "not valid" in replayed.content.decode()
    assert second.get(reverse("wagtailadmin_home"))["Location"].startswith(
        reverse("users_two_factor_verify")
    )


def test_wrong_codes_are_throttled(client, editor):
    device = authenticator_for(editor)
    sign_in(client, editor)
    client.post(reverse("users_two_factor_verify"), {"code": "000000"})

    # Even the right code waits out the delay after a wrong one.
    response = client.post(reverse("users_two_factor_verify"), {"code": code_now(device)})

    assert response.status_code == 200
    assert "Too many wrong codes" in response.content.decode()


def test_a_backup_code_works_once(editor):
    authenticator_for(editor)
    code = backup_codes_replace(user=editor)[0]
    first, second = Client(), Client()
    sign_in(first, editor)
    sign_in(second, editor)

    assert first.post(reverse("users_two_factor_verify"), {"code": code.upper()}).status_code == 302
    assert first.get(reverse("wagtailadmin_home")).status_code == 200
    assert second.post(reverse("users_two_factor_verify"), {"code": code}).status_code == 200
    assert BackupCode.objects.filter(device__user=editor).count() == 9


def test_the_next_address_must_be_on_this_site(client, editor):
    device = authenticator_for(editor)
    sign_in(client, editor)
    response = client.post(
        reverse("users_two_factor_verify"),
        {"code": code_now(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("wagtailadmin_home")


def test_new_backup_codes_replace_the_old_ones(client, editor):
    old = backup_codes_replace(user=editor)
    login_verified(client, editor)

    assert "10 backup codes left" in client.get(reverse("users_two_factor_manage")).content.decode()
    response = client.post(reverse("users_two_factor_backup_codes_new"))

    new = re.findall(r"<code>([a-z2-7-]{19})</code>", response.content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    assert BackupCode.objects.filter(device__user=editor).count() == 10


def test_a_password_alone_opens_no_private_document(client, editor, settings, tmp_path):
    """Outside the admin, an unverified session counts as an anonymous visitor."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    collection = Collection.get_first_root_node().add_child(name="Case files")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    document = Document.objects.create(
        title="Referral", collection=collection, file=ContentFile(b"%PDF-1.4", name="r.pdf")
    )
    url = reverse("wagtaildocs_serve", args=[document.pk, document.filename])
    authenticator_for(editor)

    client.force_login(editor)
    unverified = client.get(url)
    login_verified(client, editor)
    verified = client.get(url)

    assert unverified.status_code == 302
    assert "ETag" not in unverified.headers
    assert verified.status_code == 200


def test_reset_removes_every_device(editor):
    authenticator_for(editor)
    backup_codes_replace(user=editor)

    call_command("reset_two_factor", editor.username, stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not BackupCode.objects.filter(device__user=editor).exists()
