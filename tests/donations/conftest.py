import pytest

from tests.fake_stripe import FakeStripe


@pytest.fixture
def fake_stripe(settings):
    """A fake Stripe API on 127.0.0.1 that the real stripe library talks to over HTTP."""
    fake = FakeStripe().start()
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 1  # keeps outage tests quick; retries still run
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _english():
    # A request to /th/… leaves Thai active in this thread; tests reverse URLs in English.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")
