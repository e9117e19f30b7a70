"""Staff sessions end after 30 idle minutes, and 12 hours after signing in regardless."""

from datetime import timedelta

import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import staff_in


def test_the_limits_are_thirty_minutes_idle_and_twelve_hours_in_all():
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True
    assert django_settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60


def test_thirty_one_idle_minutes_end_the_session(client, db):
    client.force_login(staff_in("Editors"))
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(reverse("wagtailadmin_home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_twelve_hours_end_even_a_busy_session(client, db):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(staff_in("Editors"))
        client.get(reverse("wagtailadmin_home"))
    minutes = 0
    while minutes < 12 * 60 - 25:
        minutes += 25
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("wagtailadmin_home")).status_code == 200, minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=5), tick=False):
        response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_a_deactivated_account_is_signed_out_at_its_next_request(client, db):
    editor = staff_in("Editors")
    client.force_login(editor)
    editor.is_active = False
    editor.save()

    response = client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
