"""Password guessing is slowed per user name and address, without locking staff out."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import CommonPasswordValidator, validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import staff_in

PASSWORD = "correct horse battery staple"
OFFICE, HOME = "203.0.113.10", "198.51.100.7"


@pytest.fixture(autouse=True)
def _fresh_attempts(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def attempt(user, password, *, address=OFFICE, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    client = Client(**extra)
    response = client.post(
        reverse("wagtailadmin_login"), {"username": user.username, "password": password}
    )
    return client, response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_five_times(user, **where):
    """Five wrong guesses: the fifth already answers with the lockout page."""
    for number in range(1, 6):
        client, response = attempt(user, "wrong password, nearly", **where)
        assert response.status_code == (429 if number == 5 else 200), number
        assert not signed_in(client)


def test_the_sixth_attempt_is_refused_even_with_the_right_password():
    editor = staff_in("Editors")
    fail_five_times(editor)

    client, response = attempt(editor, PASSWORD)

    assert response.status_code == 429
    assert not signed_in(client)
    assert "Try again in 15 minutes" in response.content.decode()
    assert editor.username not in response.content.decode()


def test_another_user_at_the_same_address_is_unaffected():
    editor, colleague = staff_in("Editors"), staff_in("Editors")
    fail_five_times(editor)

    client, response = attempt(colleague, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_the_same_user_elsewhere_is_unaffected():
    """Someone guessing from their own address cannot lock the real person out."""
    editor = staff_in("Editors")
    fail_five_times(editor, address=HOME)

    client, _ = attempt(editor, PASSWORD, address=OFFICE)

    assert signed_in(client)


def test_the_lock_lifts_after_fifteen_minutes():
    editor = staff_in("Editors")
    fail_five_times(editor)

    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        client, response = attempt(editor, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_behind_a_proxy_the_forwarded_address_counts(settings):
    """With TRUSTED_PROXY_COUNT set, people behind the same proxy are told apart."""
    settings.TRUSTED_PROXY_COUNT = 1
    editor = staff_in("Editors")
    fail_five_times(editor, address="10.0.0.2", forwarded=HOME)

    locked, _ = attempt(editor, PASSWORD, address="10.0.0.2", forwarded=HOME)
    elsewhere, _ = attempt(editor, PASSWORD, address="10.0.0.2", forwarded=OFFICE)

    assert not signed_in(locked)
    assert signed_in(elsewhere)


def test_passwords_are_long_and_not_common(db):
    user = staff_in("Editors")
    with pytest.raises(ValidationError, match="at least 15 characters"):
        validate_password("Tr0ub4dor&3xyz", user)
    common_long = min(word for word in CommonPasswordValidator().passwords if len(word) >= 15)
    with pytest.raises(ValidationError, match="too common"):
        validate_password(common_long, user)
    validate_password("seven pale lanterns over the river", user)
