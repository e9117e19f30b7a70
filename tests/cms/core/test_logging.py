"""Personal data stays out of logs and error reports, even when a private screen fails."""

import io
import logging
import logging.config

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.log import DEFAULT_LOGGING

from cms.core.logging import PRIVATE_PATH_PREFIXES, PersonalDataFilter, mask
from settings import base as base_settings
from stories.models import IdentifyingTerm
from tests.factories import CANARY_NAME, StorytellerFactory, consent_give, staff_in


def _configure(config: dict) -> None:
    """``dictConfig`` without closing the handlers it replaces: pytest's own capture
    handlers are among them, and must keep working after this test."""
    others = logging._handlerList[:]
    logging._handlerList[:] = []
    try:
        logging.config.dictConfig(config)
    finally:
        logging._handlerList[:0] = others


@pytest.fixture
def production_logging(settings):
    """The LOGGING of settings/base.py with its console written to a buffer, and an admin
    to email error reports to; the test configuration is put back afterwards."""
    settings.ADMINS = [("Operations", "ops@example.org")]
    settings.DEBUG = False
    root = logging.getLogger()
    level = root.level
    _configure(base_settings.LOGGING)
    ours = list(root.handlers)
    console = io.StringIO()
    logging._handlers["console"].setStream(console)  # getHandlerByName() is 3.12+
    yield console
    _configure(DEFAULT_LOGGING)
    _configure(django_settings.LOGGING)
    for handler in ours:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def case_worker_with_record(db):
    case_worker = staff_in("Case workers")
    storyteller = StorytellerFactory(case_workers=[case_worker])
    consent_give(storyteller, by=case_worker)
    return case_worker, storyteller


def test_a_failing_private_screen_leaves_no_canary_anywhere(
    production_logging, case_worker_with_record, caplog, monkeypatch
):
    case_worker, storyteller = case_worker_with_record

    def encrypt_fails(self, data, current_time):
        # A library that puts its input in its error message, as many do.
        raise ValueError(f"cannot encrypt {data!r} for {case_worker.email}")

    monkeypatch.setattr(Fernet, "encrypt_at_time", encrypt_fails)
    client = Client(raise_request_exception=False)
    client.force_login(case_worker)

    response = client.post(
        reverse("stories_admin:term_add", args=[storyteller.pk]),
        {"kind": "name", "value": CANARY_NAME},
        QUERY_STRING=f"note={CANARY_NAME.replace(' ', '+')}",
    )

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "Traceback" not in page
    assert "ValueError" not in page
    logged = production_logging.getvalue()
    assert "Internal Server Error: /admin/storytellers-private/" in logged
    assert "ValueError: [hidden" in logged  # the stack is kept, the message is not
    assert len(mail.outbox) == 1
    report = mail.outbox[0].subject + mail.outbox[0].body
    assert "Traceback" in report
    assert "ValueError" in report
    everything = "\n".join([page, logged, caplog.text, report])
    for canary in (CANARY_NAME, "Testina", "Canaryson", case_worker.email):
        assert canary not in everything, canary
    assert not IdentifyingTerm.objects.exists()


def test_error_reports_elsewhere_hide_every_posted_value_and_local(
    production_logging, monkeypatch, db
):
    from wagtail.admin.views import account

    email, phone = "@".join(["donor", "example.org"]), " ".join(["+66", "81", "234", "5678"])

    def fails(self, request, *args, **kwargs):
        donor = email  # noqa: F841  (a local the report must not show)
        raise RuntimeError(f"lookup failed for {email}, {phone}")

    monkeypatch.setattr(account.LoginView, "post", fails)
    client = Client(raise_request_exception=False)

    client.post(reverse("wagtailadmin_login"), {"username": "someone", "password": "pw-1"})

    report = mail.outbox[0].body
    assert "RuntimeError at /admin/login/\nlookup failed for [email], [number]" in report
    for secret in ("donor@example.org", "someone", "pw-1", "234 5678"):
        assert secret not in report, secret


def test_the_filter_masks_personal_data_in_messages():
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "Mail to %s from %s at %s failed on %s", None, None
    )
    record.args = ("a.person@example.org", "+66 81 234 5678", "203.0.113.9", "2026-11-30 12:00")

    PersonalDataFilter().filter(record)

    assert record.getMessage() == "Mail to [email] from [number] at [ip] failed on 2026-11-30 12:00"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("passport AB1234567 card 4242 4242 4242 4242", "passport AB1234567 card [number]"),
        ("call 081-234-5678 now", "call [number] now"),
        ("order 12345 of 2026-11-30", "order 12345 of 2026-11-30"),
        ("from 2001:db8::1 or 2001:db8:0:0:0:0:0:1", "from [ip] or [ip]"),
        ("at 2026-11-30 18:12:03.395369+00:00", "at 2026-11-30 18:12:03.395369+00:00"),
    ],
)
def test_mask(text, masked):
    assert mask(text) == masked


def test_every_private_screen_is_under_a_private_prefix(case_worker_with_record):
    _case_worker, storyteller = case_worker_with_record
    urls = [
        reverse("storytellers:index"),
        reverse("storytellers:edit", args=[storyteller.pk]),
        reverse("stories_admin:record", args=[storyteller.pk]),
        reverse("stories_admin:term_add", args=[storyteller.pk]),
        reverse("stories_admin:consent_add", args=[storyteller.pk]),
        reverse("stories_admin:withdraw", args=[storyteller.pk]),
        reverse("stories_admin:access_log"),
    ]
    for url in urls:
        assert url.startswith(PRIVATE_PATH_PREFIXES), url
