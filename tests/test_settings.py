"""Production settings refuse to start without their secrets and pass `check --deploy`."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def example_environment() -> dict[str, str]:
    """The variables of .env.example, with the secrets an operator must supply filled in."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    values.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        STRIPE_SECRET_KEY="sk_test_" + secrets.token_hex(12),
        STRIPE_WEBHOOK_SECRET="whsec_" + secrets.token_hex(16),
        ANYMAIL_POSTMARK_SERVER_TOKEN=secrets.token_hex(16),
        IDENTITY_ENCRYPTION_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    )
    return values


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_example_lists_every_variable_production_requires():
    names = set(example_environment())
    for required in (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "WAGTAILADMIN_BASE_URL",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "REDIS_URL",
    ):
        assert required in names


def test_check_deploy_is_clean_with_the_example_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=example_environment())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "DATABASE_URL",
        "ALLOWED_HOSTS",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "IDENTITY_ENCRYPTION_KEYS",
    ],
)
def test_production_refuses_to_start_without_a_required_secret(missing):
    environment = example_environment()
    del environment[missing]
    result = manage("check", env=environment)
    assert result.returncode != 0
    assert f"The environment variable {missing} is required" in result.stderr
    assert "Traceback" not in result.stderr
