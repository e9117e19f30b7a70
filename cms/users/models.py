import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class User(AbstractUser):
    """The staff user. Custom from day one so fields can be added without a data move.

    Visitors and donors are not users: they never log in.
    """

    class Meta:
        db_table = "users_user"


class BackupCodeDevice(ThrottlingMixin, TimestampMixin, Device):
    """One-time backup codes for when the authenticator app is not at hand (django-otp's own
    static device stores its codes in plain text; these are stored as SHA-256 hashes).

    Each code is 80 random bits, so a hash without a salt cannot be reversed by search;
    a used code is deleted. Made, and replaced, by ``cms/users/two_factor.py``.
    """

    class Meta:
        verbose_name = "backup code set"

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_BACKUP_CODE_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        used = self.codes.filter(code_hash=backup_code_hash(str(token))).first()
        if used is None:
            self.throttle_increment()
            return False
        used.delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"Backup code {self.pk}"


def backup_code_normalise(code: str) -> str:
    """What a person types, in the form codes are stored: no spaces or dashes, lower case."""
    return "".join(char for char in code.lower() if char.isalnum())


def backup_code_hash(code: str) -> str:
    return hashlib.sha256(backup_code_normalise(code).encode()).hexdigest()
