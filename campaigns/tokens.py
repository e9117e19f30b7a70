"""Signed links for supporters (``django.core.signing``): no login, no token table.

- Confirm: ``TimestampSigner`` semantics (``signing.dumps``), valid for
  ``CAMPAIGN_CONFIRM_MAX_AGE_SECONDS``.
- Leave (unsubscribe): never expires, so the link in every email keeps working.

The salt differs, so one kind of token cannot be used as the other.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "campaigns.supporter.confirm"
LEAVE_SALT = "campaigns.supporter.leave"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def confirm_token(supporter) -> str:
    return signing.dumps({"s": supporter.pk}, salt=CONFIRM_SALT, compress=True)


def leave_token(supporter) -> str:
    return signing.dumps({"s": supporter.pk}, salt=LEAVE_SALT, compress=True)


def _read(token: str, *, salt: str, max_age: int | None) -> int:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise LinkInvalid
    return data["s"]


def confirm_token_read(token: str) -> int:
    """The supporter id in a confirm token; ``LinkExpired`` or ``LinkInvalid`` otherwise."""
    return _read(token, salt=CONFIRM_SALT, max_age=settings.CAMPAIGN_CONFIRM_MAX_AGE_SECONDS)


def leave_token_read(token: str) -> int:
    return _read(token, salt=LEAVE_SALT, max_age=None)
