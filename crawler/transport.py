"""Where the crawler may connect, and for how long: the address policy and a guarded HTTP transport.

requests' timeouts are per socket read, so a server that trickles one byte
at a time keeps a response alive for ever. `RequestGuard` gives one request
a wall-clock deadline: a timer shuts the connection's socket down when time
is up, whether the response is still in its headers or in its body.

The same guard checks, at connect time, the address the socket actually
reached (a host name can resolve differently between a check and the
connect), so no request is ever sent to a loopback, private, link-local or
cloud-metadata address that the source's config does not name literally.
`GuardedAdapter` plugs both into a requests session through urllib3's
connection pools.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
PeerCheck = Callable[[str, IP], "str | None"]  # (host key, peer address) -> why it is refused, or None

_current = threading.local()


class AddressRefused(Exception):
    """The crawler will not connect there (see `AddressPolicy`)."""


@dataclass(frozen=True)
class AddressPolicy:
    """Only public addresses, except private ones a source's seeds name literally; metadata addresses never."""

    never: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    @classmethod
    def from_networks(cls, networks: Iterable[str]) -> AddressPolicy:
        return cls(tuple(ipaddress.ip_network(n) for n in networks))

    def refusal(self, ip: IP, literal_ok: bool) -> str | None:
        """Why `ip` may not be fetched from ('a loopback address ...'), or None. `literal_ok`: a seed names it."""
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in net for net in self.never):
            return "a link-local or cloud-metadata address, which is never fetched"
        if ip.is_global or literal_ok:
            return None
        kind = next((name for name in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified")
                     if getattr(ip, f"is_{name}")), "non-public")
        return f"a {kind.replace('_', '-')} address; only public addresses are fetched"

    def resolve_refusal(self, host: str, port: int, literal_ok: bool) -> str | None:
        """Resolve `host` and check every address it has; None when all are allowed or it does not resolve.

        A name that does not resolve is left to the connect, which reports it as a network error.
        """
        try:
            addresses: set[IP] = {ipaddress.ip_address(host.strip("[]"))}
        except ValueError:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError):
                return None
            addresses = {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos}
        for ip in sorted(addresses, key=str):
            reason = self.refusal(ip, literal_ok)
            if reason:
                return f"{ip} is {reason}" if str(ip) == host.strip("[]") else f"{host} resolves to {ip}, {reason}"
        return None


@dataclass
class RequestGuard:
    """One request's wall-clock deadline and connect-time address check (`with RequestGuard(...)`)."""

    seconds: float
    check_peer: PeerCheck | None = None
    expired: bool = False
    _sock: socket.socket | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _timer: threading.Timer | None = None

    def __enter__(self) -> RequestGuard:
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()
        _current.guard = self
        return self

    def __exit__(self, *exc: object) -> None:
        _current.guard = None
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._sock = None

    def watch(self, sock: socket.socket | None) -> None:
        """The socket this request now reads from; shut down at once when the deadline has already passed."""
        with self._lock:
            self._sock = sock
            if self.expired and sock is not None:
                _shutdown(sock)

    def release(self) -> None:
        """The connection went back to the pool: the response is complete, nothing is left to cut off."""
        with self._lock:
            self._sock = None

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _shutdown(self._sock)


def current_guard() -> RequestGuard | None:
    return getattr(_current, "guard", None)


def _shutdown(sock: socket.socket) -> None:
    """Wake a blocked read with EOF (the plain socket call: an SSL socket's own shutdown drops its TLS state)."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _GuardedConnection:
    """Connection mixin: a new socket is checked against the guard's address policy and watched for the deadline."""

    host: str
    port: int
    proxy: Any

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        guard = current_guard()
        if guard is None:
            return sock
        if guard.check_peer is not None and self.proxy is None:
            peer = ipaddress.ip_address(sock.getpeername()[0].split("%", 1)[0])
            default = 443 if isinstance(self, HTTPSConnection) else 80
            key = self.host if self.port in (None, default) else f"{self.host}:{self.port}"
            reason = guard.check_peer(key, peer)
            if reason:
                sock.close()
                raise AddressRefused(f"refused to connect to {key}: it connected to {peer}, {reason}")
        guard.watch(sock)
        return sock


class GuardedHTTPConnection(_GuardedConnection, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedConnection, HTTPSConnection):
    pass


class _GuardedPool:
    """Pool mixin: a reused keep-alive connection is watched too, and let go when it returns to the pool."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        guard = current_guard()
        if guard is not None and conn.sock is not None:
            guard.watch(conn.sock)
        return conn

    def _put_conn(self, conn: Any) -> None:
        guard = current_guard()
        if guard is not None:
            guard.release()
        super()._put_conn(conn)  # type: ignore[misc]


class GuardedHTTPPool(_GuardedPool, HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSPool(_GuardedPool, HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


GUARDED_POOLS = {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose connections obey the current `RequestGuard` (direct and through HTTP proxies)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = GUARDED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = GUARDED_POOLS
        return manager
