"""The Stripe gateway: idempotent retries, a circuit breaker, and only it imports stripe."""

import ast
from pathlib import Path

import pytest

from cms.donations import stripe_gateway as gateway
from cms.donations.models import Donation
from tests.donations.helpers import give

ROOT = Path(__file__).resolve().parents[2]


def test_only_the_gateway_imports_stripe():
    importers = []
    for path in ROOT.glob("**/*.py"):
        if any(part in {".venv", "tests", "node_modules", "bench"} for part in path.parts):
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(name == "stripe" or name.startswith("stripe.") for name in names):
                importers.append(str(path.relative_to(ROOT)))
    assert importers == ["cms/donations/stripe_gateway.py"]


def test_a_retried_request_reuses_its_idempotency_key_and_creates_one_session(
    fake_stripe, home_page
):
    fake_stripe.fail_next = 1  # Stripe answers 500 once; the library retries

    donation, session_id = give()

    attempts = fake_stripe.requests_to("POST", "/v1/checkout/sessions")
    assert len(attempts) == 2
    assert {request.headers["Idempotency-Key"] for request in attempts} == {
        f"checkout-{donation.pk}"
    }
    assert list(fake_stripe.objects["sessions"]) == [session_id]


def test_asking_again_for_the_same_donation_returns_the_same_session(fake_stripe, home_page):
    donation, session_id = give()
    from cms.donations import services, targets

    services.donation_checkout_start(
        donation=Donation.objects.get(pk=donation.pk), target=targets.GENERAL
    )

    assert list(fake_stripe.objects["sessions"]) == [session_id]


def test_the_circuit_opens_after_repeated_failures_and_closes_after_the_pause(
    fake_stripe, settings, db
):
    import time_machine
    from django.utils import timezone

    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_CIRCUIT_FAILURES = 3
    fake_stripe.fail_next = 3
    for _ in range(3):
        with pytest.raises(gateway.StripeUnavailable):
            gateway.checkout_session_get("cs_test_x")
    requests_before = len(fake_stripe.requests)

    assert gateway.is_available() is False
    with pytest.raises(gateway.StripeUnavailable, match="circuit open"):
        gateway.checkout_session_get("cs_test_x")
    assert len(fake_stripe.requests) == requests_before  # nothing was sent

    with time_machine.travel(
        timezone.now().timestamp() + settings.STRIPE_CIRCUIT_PAUSE_SECONDS + 1
    ):
        with pytest.raises(gateway.StripeRefused):  # Stripe answers again (404 here)
            gateway.checkout_session_get("cs_test_x")
        assert gateway.is_available() is True


def test_availability_is_remembered_for_a_while(fake_stripe, db):
    assert gateway.is_available() is True
    assert gateway.is_available() is True

    assert len(fake_stripe.requests_to("GET", "/v1/balance")) == 1


def test_every_call_has_a_timeout_and_retries(settings):
    client = gateway._client()

    assert client._requestor._client._timeout == settings.STRIPE_TIMEOUT_SECONDS == 10
    assert client._requestor._options.max_network_retries == settings.STRIPE_MAX_NETWORK_RETRIES
