"""Who is calling: the client's address, read from ``X-Forwarded-*`` only when the
request came from a proxy this service was told to trust (HEARTH_TRUSTED_PROXIES).

Anything in ``X-Forwarded-For`` was written by whoever sent the request. Werkzeug's
ProxyFix, applied for a fixed number of hops whoever the peer was, let a caller who
reached gunicorn directly pick a new address for every guess, and so a fresh sign-in
allowance each time. Here the headers count only when the immediate peer (REMOTE_ADDR)
is in the configured list; the client is then the rightmost address of
``X-Forwarded-For`` that is not itself a trusted proxy. Each proxy appends the address
it saw, so the entries left of the first untrusted one were typed by the client and
prove nothing. With no list (the default) the headers are ignored: a directly
reachable server is safe, and behind a proxy that is not listed every caller has the
proxy's address, which is safe too, only coarse.

Every address is parsed with :mod:`ipaddress` and kept in its one canonical form
before anything stores it (the audit trail, the sign-in limit): a 60-character
``X-Forwarded-For`` was a 500 on PostgreSQL's ``varchar(45)``, and ``2001:DB8::0:1``
and ``2001:db8::1`` must count as one caller.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_SEPARATORS = re.compile(r"[,\s]+")


def canonical_address(text: str | None) -> str | None:
    """``text`` as one IP address in canonical form, or None when it is not one.

    An IPv6 zone (``fe80::1%eth0``) is dropped, and an IPv4-mapped IPv6 address is
    written as the IPv4 address it maps, so one caller is always one string."""
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def parse_networks(setting: str | Iterable) -> tuple[Network, ...]:
    """HEARTH_TRUSTED_PROXIES: addresses or networks separated by commas or spaces
    (``127.0.0.1, 10.0.0.0/8, ::1``). Raises ValueError naming the first that is neither."""
    items = _SEPARATORS.split(setting.strip()) if isinstance(setting, str) else list(setting)
    networks = []
    for item in items:
        if isinstance(item, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
            networks.append(item)
            continue
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network (for example 10.0.0.0/8)") from None
    return tuple(networks)


class TrustedProxies:
    """WSGI middleware: set REMOTE_ADDR (and the scheme) from ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` when, and only when, the peer is a trusted proxy."""

    def __init__(self, wsgi_app, networks: tuple[Network, ...]):
        self.wsgi_app = wsgi_app
        self.networks = networks

    def trusted(self, address: str | None) -> bool:
        if address is None:
            return False
        ip = ipaddress.ip_address(address)
        return any(ip in network for network in self.networks)

    def client(self, peer: str, forwarded_for: str) -> str:
        """The rightmost forwarded address that is not a trusted proxy. A value that
        is not an address ends the walk: the proxy that passed it on is the client
        as far as anyone can tell."""
        current = peer
        for entry in reversed(forwarded_for.split(",")):
            address = canonical_address(entry)
            if address is None:
                return current
            current = address
            if not self.trusted(address):
                return address
        return current

    def __call__(self, environ, start_response):
        peer = canonical_address(environ.get("REMOTE_ADDR"))
        if self.networks and self.trusted(peer):
            environ["hearth.proxy_addr"] = peer
            environ["REMOTE_ADDR"] = self.client(peer, environ.get("HTTP_X_FORWARDED_FOR", ""))
            scheme = environ.get("HTTP_X_FORWARDED_PROTO", "").rsplit(",", 1)[-1].strip().lower()
            if scheme in ("http", "https"):
                environ["wsgi.url_scheme"] = scheme
        return self.wsgi_app(environ, start_response)
