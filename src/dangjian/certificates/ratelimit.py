"""A small rate limit of our own for the public verification (page and API): at most
settings.CERTIFICATE_VERIFY_RATE = (lookups, seconds) per client address (dangjian.core.client_ip, which believes
X-Forwarded-For only from trusted proxies), counted in Django's cache in fixed windows. Several app processes need a
shared cache (docs/deploy.md) for one count; each process's own cache still limits what one process answers.

Guessing a serial's random part (31^8 per number) is hopeless anyway; the limit keeps a scraper from walking the
verification page at all.
"""

import time

from django.conf import settings
from django.core.cache import cache

from dangjian.core.client_ip import client_ip

DEFAULT_RATE = (30, 60)


def rate() -> tuple[int, int]:
    return tuple(getattr(settings, "CERTIFICATE_VERIFY_RATE", DEFAULT_RATE))


def verify_allowed(request) -> bool:
    """Count this lookup; False once the client has made more than the allowed number in the current window."""
    limit, seconds = rate()
    window = int(time.time() // seconds)
    key = f"certificates:verify:{client_ip(request) or 'unknown'}:{window}"
    if cache.add(key, 1, timeout=seconds + 1):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds + 1)
        return True
    return count <= limit


def retry_after() -> int:
    _limit, seconds = rate()
    return max(1, seconds - int(time.time()) % seconds)
