"""Two-factor authentication for every staff account (security-requirements R42).

A password alone opens nothing: after signing in, a person proves a second factor — a
time-based code from an authenticator app (django-otp's ``TOTPDevice``: 30-second steps,
6 digits, one step of tolerance, each code accepted once) or one of ten single-use backup
codes. Someone without an authenticator app yet is sent to enrol one first. The middleware
that enforces this is in ``cms/users/middleware.py``; the screens in ``cms/users/views.py``.

Resetting a person's second factor (a lost phone) is done by an operator on the server,
after checking who is asking: ``manage.py reset_two_factor <username>``.
"""

from __future__ import annotations

import base64
import secrets

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.users.models import BackupCode, BackupCodeDevice, backup_code_hash, backup_code_normalise

AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10


def two_factor_required(user) -> bool:
    """Whether ``user`` must prove a second factor before anything else: every signed-in
    account, as only staff ever sign in (``ADMIN_REQUIRE_TWO_FACTOR``; off only in tests)."""
    return settings.ADMIN_REQUIRE_TWO_FACTOR and user.is_authenticated


def two_factor_verified(user) -> bool:
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def two_factor_enrolled(user) -> bool:
    """Has at least one confirmed device (authenticator app or backup codes)."""
    return django_otp.user_has_device(user, confirmed=True)


def authenticator_enrolment_device(*, user) -> TOTPDevice:
    """The unconfirmed authenticator device being set up, made on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def authenticator_secret(device: TOTPDevice) -> str:
    """The key in base 32, in groups of four, for people who type it instead of scanning."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def authenticator_qr_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` URL as an SVG QR code, made here: the secret never leaves us."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2
    )
    return image.to_string(encoding="unicode")


def authenticator_confirm(*, user, code: str) -> tuple[TOTPDevice | None, list[str]]:
    """Confirm the authenticator being set up with a code it shows. On success: the device,
    confirmed, and a fresh set of backup codes to show once; otherwise ``(None, [])``."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or not device.verify_token(_digits(code)):
            return None, []
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = backup_codes_replace(user=user)
    return device, codes


def backup_codes_replace(*, user) -> list[str]:
    """A new set of backup codes; the old ones stop working. Returns the codes in plain
    text, to be shown once: only their hashes are kept."""
    codes = [backup_code_generate() for _ in range(BACKUP_CODE_COUNT)]
    with transaction.atomic():
        BackupCodeDevice.objects.filter(user=user).delete()
        device = BackupCodeDevice.objects.create(user=user, name=BACKUP_CODES_NAME)
        BackupCode.objects.bulk_create(
            BackupCode(device=device, code_hash=backup_code_hash(code)) for code in codes
        )
    return codes


def backup_code_generate() -> str:
    """80 random bits as 16 base-32 characters, shown as four groups: ``k7q2-…``."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def backup_codes_left(user) -> int:
    return BackupCode.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_verify(*, user, code: str):
    """The device that accepts ``code`` (the authenticator first, then a backup code), or
    ``None``. django-otp locks the device row while checking, refuses a code whose time
    step was already used (no replay) and throttles failures (1, 2, 4 … seconds)."""
    digits = _digits(code)
    if len(digits) == 6 and digits == code.strip().replace(" ", ""):
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            verified = django_otp.verify_token(user, device.persistent_id, digits)
            if verified is not None:
                return verified
        return None
    if len(backup_code_normalise(code)) == 16:
        for device in BackupCodeDevice.objects.filter(user=user, confirmed=True):
            verified = django_otp.verify_token(user, device.persistent_id, code)
            if verified is not None:
                return verified
    return None


def second_factor_throttled(user) -> bool:
    """Whether every device of the user is waiting out a throttling delay."""
    devices = list(django_otp.devices_for_user(user))
    return bool(devices) and not any(device.verify_is_allowed()[0] for device in devices)


def two_factor_reset(*, user) -> int:
    """Remove every device of ``user``: they enrol again at their next sign-in. Returns how
    many devices there were."""
    with transaction.atomic():
        count = sum(1 for _ in django_otp.devices_for_user(user, confirmed=None))
        TOTPDevice.objects.filter(user=user).delete()
        BackupCodeDevice.objects.filter(user=user).delete()
    return count


def _digits(code: str) -> str:
    return "".join(char for char in code if char.isdigit())
