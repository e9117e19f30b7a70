"""Staff with a second factor, for tests that run with ADMIN_REQUIRE_TWO_FACTOR on."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator_for(user) -> TOTPDevice:
    """A confirmed authenticator app for ``user`` (made once)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Authenticator app"}
    )
    return device


def code_now(device: TOTPDevice) -> str:
    """The code the person's app shows at this moment."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def login_verified(client, user) -> None:
    """Signed in with a password and an authenticator, as the real screens would leave it."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
    session.save()
