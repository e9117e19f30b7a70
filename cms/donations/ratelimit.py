"""Fixed-window rate limits in the shared cache (Redis in production), against card testing
(security-requirements R61): few Checkout Sessions per client address, and few in total.

Addresses are hashed before they become cache keys: the cache never holds a visitor's IP.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The visitor's address: the connection's, or — behind ``TRUSTED_PROXY_COUNT`` proxies
    that append to X-Forwarded-For — the one the outermost trusted proxy saw."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _hit(key: str, window: int) -> int:
    bucket = f"ratelimit:{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, timeout=window + 5)
    try:
        return cache.incr(bucket)
    except ValueError:  # the window expired between add and incr
        cache.add(bucket, 1, timeout=window + 5)
        return 1


def allow(
    request,
    *,
    scope: str,
    per_ip_per_minute: int,
    per_ip_per_hour: int = 0,
    global_per_minute: int = 0,
) -> bool:
    """Count one attempt; ``False`` if any limit is now exceeded."""
    salt = settings.SECRET_KEY[:16]
    who = hashlib.sha256(f"{salt}:{client_ip(request)}".encode()).hexdigest()[:24]
    allowed = _hit(f"{scope}:ip:{who}:m", 60) <= per_ip_per_minute
    if per_ip_per_hour:
        allowed &= _hit(f"{scope}:ip:{who}:h", 3600) <= per_ip_per_hour
    if global_per_minute:
        allowed &= _hit(f"{scope}:all:m", 60) <= global_per_minute
    return allowed


def checkout_allowed(request) -> bool:
    limits = settings.DONATION_RATE_LIMITS
    return allow(
        request,
        scope="checkout",
        per_ip_per_minute=limits["per_ip_per_minute"],
        per_ip_per_hour=limits["per_ip_per_hour"],
        global_per_minute=limits["global_per_minute"],
    )


def manage_link_allowed(request) -> bool:
    # Each request may send an email: the same per-address limits as checkouts.
    limits = settings.DONATION_RATE_LIMITS
    return allow(
        request,
        scope="manage",
        per_ip_per_minute=limits["per_ip_per_minute"],
        per_ip_per_hour=limits["per_ip_per_hour"],
    )
