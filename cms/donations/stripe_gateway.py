"""The one module that talks to Stripe (STYLE.md: one module per vendor SDK).

Everything it returns is a plain ``dict`` (stripe 16's ``StripeObject`` is not a mapping), and
everything that can go wrong becomes one of three exceptions the rest of the code handles:

- ``StripeUnavailable``: Stripe could not be reached or answered 5xx/429, the keys are wrong,
  or the circuit breaker is open. Try later; never treat it as a payment outcome.
- ``StripeRefused``: Stripe understood and said no (4xx), e.g. the session was already
  completed or the charge is too old to refund. ``code`` carries Stripe's error code.
- ``WebhookInvalid``: a webhook whose signature, timestamp or body is not acceptable.

Every call has an explicit timeout (``STRIPE_TIMEOUT_SECONDS``, instead of the library's 80 s)
and ``STRIPE_MAX_NETWORK_RETRIES`` retries; POSTs carry an idempotency key derived from our
own ids, so a retry — ours or the library's — never creates a second session or refund.

The circuit breaker (security-requirements R68) counts consecutive failures in the shared
cache: after ``STRIPE_CIRCUIT_FAILURES`` it stays open for ``STRIPE_CIRCUIT_PAUSE_SECONDS``,
during which calls fail at once and the donate form says donations are unavailable.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

import stripe
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

WEBHOOK_TOLERANCE_SECONDS = 300
PROBE_TIMEOUT_SECONDS = 3
PROBE_OK_SECONDS = 60
PROBE_DOWN_SECONDS = 30

_FAILURES_KEY = "donations:stripe:failures"
_OPEN_UNTIL_KEY = "donations:stripe:open-until"
_PROBE_KEY = "donations:stripe:probe"


class StripeUnavailable(Exception):
    """Stripe cannot be used right now; nothing is known about the outcome."""


class StripeRefused(Exception):
    """Stripe refused the request; retrying the same request will not help."""

    def __init__(self, message: str, *, code: str = "", status: int | None = None):
        super().__init__(message)
        self.code = code or ""
        self.status = status


class WebhookInvalid(Exception):
    """A webhook that must be answered 400 and ignored."""


# --------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _client_for(api_key: str, api_base: str, timeout: float, retries: int) -> stripe.StripeClient:
    base_addresses = {"api": api_base} if api_base else None
    return stripe.StripeClient(
        api_key,
        base_addresses=base_addresses,
        max_network_retries=retries,
        # The requests-based client keeps one session per thread and takes a timeout.
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def _client(*, probe: bool = False) -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise StripeUnavailable("STRIPE_SECRET_KEY is not set")
    timeout = settings.STRIPE_TIMEOUT_SECONDS
    retries = settings.STRIPE_MAX_NETWORK_RETRIES
    if probe:
        timeout, retries = min(timeout, PROBE_TIMEOUT_SECONDS), 0
    return _client_for(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE or "", timeout, retries)


# --------------------------------------------------------------------------------------
# Circuit breaker
# --------------------------------------------------------------------------------------


def _circuit_state() -> dict:
    # One round trip to the shared cache (Redis in production) per Stripe call.
    return cache.get_many([_FAILURES_KEY, _OPEN_UNTIL_KEY])


def _circuit_is_open(state: dict | None = None) -> bool:
    open_until = (state if state is not None else _circuit_state()).get(_OPEN_UNTIL_KEY)
    return open_until is not None and open_until > time.time()


def _record_failure() -> None:
    cache.add(_FAILURES_KEY, 0, timeout=10 * 60)
    try:
        failures = cache.incr(_FAILURES_KEY)
    except ValueError:  # expired between add and incr
        failures = 1
    if failures >= settings.STRIPE_CIRCUIT_FAILURES:
        pause = settings.STRIPE_CIRCUIT_PAUSE_SECONDS
        cache.set(_OPEN_UNTIL_KEY, time.time() + pause, timeout=pause)
        cache.set(_PROBE_KEY, "down", timeout=pause)
        logger.error("Stripe circuit opened after %d consecutive failures", failures)


def _record_success(state: dict) -> None:
    if state:  # only after failures: a healthy Stripe costs no extra cache write
        cache.delete_many([_FAILURES_KEY, _OPEN_UNTIL_KEY])


def _call(operation: str, function, *args, **kwargs) -> Any:
    """Run one library call, translating its errors into ours and feeding the breaker."""
    state = _circuit_state()
    if _circuit_is_open(state):
        raise StripeUnavailable(f"{operation}: circuit open")
    try:
        result = function(*args, **kwargs)
    except stripe.InvalidRequestError as error:
        _record_success(state)  # Stripe answered: it is up
        raise StripeRefused(
            f"{operation}: {error.user_message or error}",
            code=getattr(error, "code", "") or "",
            status=error.http_status,
        ) from error
    except stripe.IdempotencyError as error:
        raise StripeRefused(f"{operation}: idempotency conflict", code="idempotency") from error
    except (stripe.AuthenticationError, stripe.PermissionError) as error:
        logger.error("Stripe refused our credentials during %s", operation)
        _record_failure()
        raise StripeUnavailable(f"{operation}: credentials") from error
    except stripe.StripeError as error:
        # Connection errors, timeouts, 5xx, 429: nothing is known about the outcome.
        logger.warning("Stripe unavailable during %s: %s", operation, type(error).__name__)
        _record_failure()
        raise StripeUnavailable(f"{operation}: {type(error).__name__}") from error
    _record_success(state)
    return result


def _plain(obj: Any) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def is_available() -> bool:
    """Can donations be taken right now? Cheap: answers from the shared cache most of the
    time, and otherwise asks Stripe once (``GET /v1/balance``, a short timeout, no retries)."""
    if _circuit_is_open():
        return False
    known = cache.get(_PROBE_KEY)
    if known is not None:
        return known == "ok"
    try:
        _call("probe", _client(probe=True).v1.balance.retrieve)
    except (StripeUnavailable, StripeRefused):
        cache.set(_PROBE_KEY, "down", timeout=PROBE_DOWN_SECONDS)
        return False
    cache.set(_PROBE_KEY, "ok", timeout=PROBE_OK_SECONDS)
    return True


def mark_unavailable() -> None:
    """Remember for a short while that a call just failed, so the form says so at once."""
    cache.set(_PROBE_KEY, "down", timeout=PROBE_DOWN_SECONDS)


# --------------------------------------------------------------------------------------
# Checkout
# --------------------------------------------------------------------------------------

# Languages Stripe Checkout is shown in; others get Stripe's own choice from the browser.
_CHECKOUT_LOCALES = {"en", "th", "vi", "ja", "fr", "de", "es", "zh"}


def checkout_session_create(
    *,
    mode: str,
    amount_minor: int,
    currency: str,
    product_name: str,
    email: str,
    language: str,
    metadata: dict[str, str],
    success_url: str,
    cancel_url: str,
    expires_at: int,
    idempotency_key: str,
) -> dict:
    """A hosted Checkout Session for one gift (``mode="payment"``) or a monthly one
    (``mode="subscription"``). ``metadata`` must hold opaque ids only: it is copied to the
    session and to the PaymentIntent or subscription, where Stripe shows it to its staff."""
    price_data: dict[str, Any] = {
        "currency": currency.lower(),
        "unit_amount": amount_minor,
        "product_data": {"name": product_name},
    }
    params: dict[str, Any] = {
        "mode": mode,
        "submit_type": "donate",
        "line_items": [{"price_data": price_data, "quantity": 1}],
        "customer_email": email,
        "client_reference_id": metadata.get("donation_id") or metadata.get("monthly_gift_id"),
        "metadata": metadata,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": expires_at,
        "locale": language if language in _CHECKOUT_LOCALES else "auto",
    }
    if mode == "subscription":
        price_data["recurring"] = {"interval": "month"}
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["payment_intent_data"] = {"metadata": metadata}
    session = _call(
        "checkout.create",
        _client().v1.checkout.sessions.create,
        params=params,
        options={"idempotency_key": idempotency_key},
    )
    return _plain(session)


def checkout_session_get(session_id: str, *, expand: Iterable[str] = ()) -> dict:
    # Every webhook re-fetches its session: the raw JSON skips building StripeObjects.
    response = _call(
        "checkout.get",
        _client().raw_request,
        "get",
        f"/v1/checkout/sessions/{quote(session_id, safe='')}",
        expand=list(expand),
    )
    return response.data


def checkout_session_expire(session_id: str) -> dict:
    return _plain(
        _call(
            "checkout.expire",
            _client().v1.checkout.sessions.expire,
            session_id,
            options={"idempotency_key": f"expire-{session_id}"},
        )
    )


def checkout_sessions_since(created_since: int) -> Iterator[dict]:
    """Every Checkout Session created at or after ``created_since`` (a Unix time)."""
    page = _call(
        "checkout.list",
        _client().v1.checkout.sessions.list,
        params={"created": {"gte": created_since}, "limit": 100},
    )
    for session in _call("checkout.list", lambda: list(page.auto_paging_iter())):
        yield _plain(session)


# --------------------------------------------------------------------------------------
# Payments, refunds, disputes
# --------------------------------------------------------------------------------------


def payment_intent_get(payment_intent_id: str, *, expand: Iterable[str] = ()) -> dict:
    params = {"expand": list(expand)} if expand else None
    return _plain(
        _call(
            "payment_intent.get",
            _client().v1.payment_intents.retrieve,
            payment_intent_id,
            params=params,
        )
    )


def charge_get(charge_id: str, *, expand: Iterable[str] = ()) -> dict:
    params = {"expand": list(expand)} if expand else None
    return _plain(_call("charge.get", _client().v1.charges.retrieve, charge_id, params=params))


def refunds_for_charge(charge_id: str) -> list[dict]:
    page = _call(
        "refund.list", _client().v1.refunds.list, params={"charge": charge_id, "limit": 100}
    )
    return [
        _plain(refund) for refund in _call("refund.list", lambda: list(page.auto_paging_iter()))
    ]


def refund_create(
    *, payment_intent_id: str, amount_minor: int, metadata: dict[str, str], idempotency_key: str
) -> dict:
    return _plain(
        _call(
            "refund.create",
            _client().v1.refunds.create,
            params={
                "payment_intent": payment_intent_id,
                "amount": amount_minor,
                "metadata": metadata,
            },
            options={"idempotency_key": idempotency_key},
        )
    )


def dispute_get(dispute_id: str) -> dict:
    return _plain(_call("dispute.get", _client().v1.disputes.retrieve, dispute_id))


# --------------------------------------------------------------------------------------
# Monthly gifts
# --------------------------------------------------------------------------------------


def invoice_get(invoice_id: str) -> dict:
    return _plain(
        _call(
            "invoice.get",
            _client().v1.invoices.retrieve,
            invoice_id,
            params={"expand": ["payments"]},
        )
    )


def subscription_get(subscription_id: str) -> dict:
    return _plain(_call("subscription.get", _client().v1.subscriptions.retrieve, subscription_id))


def billing_portal_session_create(*, customer_id: str, return_url: str) -> dict:
    return _plain(
        _call(
            "billing_portal.create",
            _client().v1.billing_portal.sessions.create,
            params={"customer": customer_id, "return_url": return_url},
        )
    )


# --------------------------------------------------------------------------------------
# Events and webhooks
# --------------------------------------------------------------------------------------


def events_since(created_since: int, *, types: Iterable[str]) -> Iterator[dict]:
    """Events Stripe still holds (30 days) created at or after ``created_since``."""
    page = _call(
        "event.list",
        _client().v1.events.list,
        params={"created": {"gte": created_since}, "types": list(types), "limit": 100},
    )
    for event in _call("event.list", lambda: list(page.auto_paging_iter())):
        yield _plain(event)


def webhook_event_verify(*, payload: bytes, signature: str | None) -> dict:
    """The event in a webhook body, if it is signed with our secret within 300 s.

    ``STRIPE_WEBHOOK_SECRET`` may hold several secrets separated by commas while one is being
    rotated. The signature is checked on the raw bytes, before anything parses them.
    """
    secrets_ = [s.strip() for s in (settings.STRIPE_WEBHOOK_SECRET or "").split(",") if s.strip()]
    if not secrets_:
        raise WebhookInvalid("no webhook secret configured")
    for secret in secrets_:
        try:
            stripe.WebhookSignature.verify_header(
                payload, signature, secret, WEBHOOK_TOLERANCE_SECONDS
            )
            break
        except stripe.SignatureVerificationError:
            continue
        except (UnicodeDecodeError, ValueError) as error:
            raise WebhookInvalid("unreadable body") from error
    else:
        raise WebhookInvalid("bad or stale signature")
    try:
        event = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as error:
        raise WebhookInvalid("malformed body") from error
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    ):
        raise WebhookInvalid("not an event")
    return event
