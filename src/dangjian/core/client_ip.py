"""The client's address, for the audit trail and the login lockout (django-axes) alike.

X-Forwarded-For is a list that every proxy appends to, and the client may start it with anything it likes.
So it is read only when the request comes from one of settings.TRUSTED_PROXIES (DANGJIAN_TRUSTED_PROXIES):
walking it from the right, past the trusted proxies, the first address that is not one of them is the
client. Without trusted proxies, or when the request does not come from one, the client is REMOTE_ADDR.
"""

import functools
import ipaddress

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(value: str) -> Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_ip(request) -> str | None:
    """The address the request came from, believing X-Forwarded-For only as far as trusted proxies wrote it."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))

    def trusted(address: Address | None) -> bool:
        return address is not None and any(address in network for network in networks)

    remote_address = _address(remote or "")
    if not trusted(remote_address):
        return remote
    client = str(remote_address)
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # not an address: what a trusted proxy received from its left is unknown, stop at the proxy
        client = str(address)
        if not trusted(address):
            break
    return client
