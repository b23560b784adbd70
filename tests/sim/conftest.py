"""Fixtures for simulator-only tests: a small network with known addresses and latency."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import wsasim
from wsasim.winsock import Winsock

from tests.world import world
from wsaconnect import constants as C

#: One-way latency between the hosts; a round trip is 2 ms.
LATENCY = 0.001


@dataclass
class Lab:
    """A client (IPv4 and IPv6) and a server (IPv4 and IPv6) on one network."""

    net: wsasim.Network
    client: wsasim.Host
    server: wsasim.Host

    @property
    def ws(self) -> Winsock:
        return self.client.winsock

    @property
    def srv(self) -> Winsock:
        return self.server.winsock

    def tcp(self, af: int = C.AF_INET) -> int:
        s = self.ws.socket(af, C.SOCK_STREAM)
        assert s != C.INVALID_SOCKET
        return s

    def listen(self, port: int, af: int = C.AF_INET, backlog: int = 5) -> int:
        s = self.srv.socket(af, C.SOCK_STREAM)
        host = "::" if af == C.AF_INET6 else "0.0.0.0"
        name = (host, port, 0, 0) if af == C.AF_INET6 else (host, port)
        assert self.srv.bind(s, name) == 0
        assert self.srv.listen(s, backlog) == 0
        return s

    def error(self) -> int:
        return self.ws.WSAGetLastError()


def make_lab(profile: str = "documented", **kwargs: object) -> Lab:
    w = world(profile, latency=LATENCY, **kwargs)  # type: ignore[arg-type]
    net, client, server = w.net, w.client, w.server
    for host in (client, server):
        assert host.winsock.WSAStartup(0x0202) == 0
    return Lab(net, client, server)


@pytest.fixture(params=["documented", "windows"])
def lab(request: pytest.FixtureRequest) -> Lab:
    """The two-host lab, under each profile."""
    return make_lab(request.param)
