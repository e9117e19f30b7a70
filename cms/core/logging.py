"""Personal data out of logs and error reports (security-requirements R51).

Three layers, each cheap:

- ``PersonalDataFilter``, on every handler in ``settings.LOGGING``: masks email addresses,
  phone-like numbers, long digit runs (ID, card and passport numbers) and IP addresses in
  every message and traceback. Identifying terms are encrypted in the database and cannot
  be matched cheaply, so an exception raised while private data is being handled (on the
  private admin screens, or with a private-data module on the stack) keeps its stack and
  its type, and loses its message entirely.
- ``PrivateExceptionReporterFilter`` (``DEFAULT_EXCEPTION_REPORTER_FILTER``): in reports
  (admin emails, any error tracker that uses Django's reporter) every POST value, every
  local variable and every sensitive header is replaced with stars — not only the
  parameters a view marked with ``sensitive_post_parameters``, because every form here
  carries someone's data (a term, a donor's email, a message of hope).
- ``PrivateExceptionReporter`` (``DEFAULT_EXCEPTION_REPORTER``): the same report without
  query strings, uploaded file names, the user name or the exception text.

The 500 page itself (``templates/500.html``) shows nothing but an apology.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import traceback
from types import TracebackType

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# Admin screens of the private storyteller records (stories/wagtail_hooks.py, viewsets.py).
# tests/cms/core/test_logging.py checks that every private URL starts with one of these.
PRIVATE_PATH_PREFIXES = ("/admin/storytellers/", "/admin/storytellers-private/")
# Code that reads identifying terms or consent evidence in plain text.
PRIVATE_MODULES = (
    "stories.services",
    "stories.admin_views",
    "stories.forms",
    "stories.erasure",
    "stories.anonymisation",
    "stories.scanning",
    "stories.panels",
    "cms.core.crypto",
    "cms.core.private_storage",
)
HIDDEN = "[hidden: raised while private data was being handled]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])", re.IGNORECASE)
# Digits with the separators people write phone numbers with; masked from nine digits on,
# so dates and times ("2026-11-30 12:00") stay readable.
_NUMBER = re.compile(r"\+?\(?\d[\d\s\-./()]{6,}\d")
_ISO_DATE_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def _ipv6(match: re.Match) -> str:
    try:
        ipaddress.IPv6Address(match.group())
    except ValueError:  # a time such as 18:12:03
        return match.group()
    return "[ip]"


def _number(match: re.Match) -> str:
    text = match.group()
    if _ISO_DATE_START.match(text) or sum(char.isdigit() for char in text) < 9:
        return text
    return "[number]"


def mask(text: str) -> str:
    """``text`` with email addresses, IP addresses and phone-like numbers replaced."""
    text = _EMAIL.sub("[email]", text)
    text = _IPV4.sub("[ip]", text)
    text = _IPV6.sub(_ipv6, text)
    return _NUMBER.sub(_number, text)


def is_private_path(path: str) -> bool:
    return path.startswith(PRIVATE_PATH_PREFIXES)


def _in_private_code(tb: TracebackType | None) -> bool:
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith(PRIVATE_MODULES):
            return True
        tb = tb.tb_next
    return False


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return chain[::-1]


def exception_is_private(exc: BaseException | None, request=None) -> bool:
    """Was this raised while private data was handled: on a private screen, or with a
    private-data module anywhere on the stack of the exception or its causes?"""
    if request is not None and is_private_path(getattr(request, "path", "")):
        return True
    if exc is None:
        return False
    return any(_in_private_code(link.__traceback__) for link in _exception_chain(exc))


def exception_text(exc: BaseException, *, private: bool) -> str:
    """``"module.Type: message"``, the message hidden or masked."""
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    return f"{name}: {HIDDEN if private else mask(str(exc))}"


def format_exception(exc: BaseException, *, private: bool) -> str:
    """A traceback like Python's: every frame (code, not data), each message hidden or
    masked."""
    parts = []
    for position, link in enumerate(_exception_chain(exc)):
        if position:
            parts.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
                if link.__cause__ is not None
                else "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(link.__traceback__))
        parts.append(exception_text(link, private=private))
    return "".join(parts)


class PersonalDataFilter(logging.Filter):
    """Masks personal data in a record before any handler writes it (see the module doc).

    It rewrites the record in place, so it can run on several handlers in turn."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the template, drop the arguments
            message = str(record.msg)
        record.msg, record.args = mask(message), None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            private = exception_is_private(exc, getattr(record, "request", None))
            record.exc_text = format_exception(exc, private=private)
        elif record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """No POST value, no local variable, no address or cookie in an error report."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|COOKIE|SESSION|CSRF|DATABASE|REDIS|URL|DSN"
        "|EMAIL|ADMINS|MANAGERS|ADDR|FORWARDED|CLIENT_IP|REAL_IP|QUERY|URI|REFERER",
        flags=re.IGNORECASE,
    )

    def get_post_parameters(self, request):
        if request is None:
            return {}
        if not self.is_active(request):
            return super().get_post_parameters(request)
        return {name: self.cleansed_substitute for name in request.POST}

    def get_traceback_frame_variables(self, request, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class PrivateExceptionReporter(ExceptionReporter):
    """Django's report without the parts that carry data: exception text (hidden or
    masked), query string, file names, user name."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if not self.filter.is_active(self.request):
            return data
        private = exception_is_private(self.exc_value, self.request)
        stars = self.filter.cleansed_substitute
        if self.exc_value is not None:
            data["exception_value"] = HIDDEN if private else mask(str(self.exc_value))
            data.pop("exception_notes", None)
        data["unicode_hint"] = ""
        for frame in data.get("frames", []):
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = exception_text(frame["exc_cause"], private=private)
        if self.request is not None:
            data["request_GET_items"] = [(name, stars) for name in self.request.GET]
            data["request_FILES_items"] = [(name, stars) for name in self.request.FILES]
            data["request_insecure_uri"] = self.request.path
            user = getattr(self.request, "user", None)
            data["user_str"] = f"user #{user.pk}" if getattr(user, "pk", None) else None
        return data
