"""The conformance suite's harness: one suite, run over every available backend.

Each test receives ``env``, an :class:`Env` around one backend: the simulator under each profile,
and the native backend where it can run (Windows, or Windows CPython under Wine). A test
written here uses only the low-level API of SPEC.md section 4 and real addresses on loopback
(127.0.0.1, ::1): it must hold on real Windows too. What only a simulator can show (exact
virtual times, blackholes, unreachable hosts) belongs in ``tests/sim/``.

Known differences are expressed, never skipped:

* ``@pytest.mark.wine_deviation("reason")``: Wine does this differently from Windows
  (NOTES.md section 2); under Wine the test is a strict expected failure.
* ``env.profile`` is ``"documented"`` or ``"windows"``; where the documentation and Windows
  differ (NOTES.md section 3), a test states both expectations. The native backend is
  ``"windows"``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

import wsaconnect
from wsaconnect import constants as C
from wsaconnect.backend import Backend

BACKENDS = ["sim-documented", "sim-windows", "native"]


def _running_under_wine() -> bool:
    try:
        import ctypes

        ntdll = ctypes.WinDLL("ntdll")  # type: ignore[attr-defined,unused-ignore]
        return hasattr(ntdll, "wine_get_version")
    except (AttributeError, OSError):
        return False


@dataclass
class Env:
    """One backend, and the helpers a conformance test needs around it."""

    ws: Backend
    kind: str  # "sim" or "native"
    profile: str  # "documented" or "windows"
    wine: bool = False
    network: object | None = None  # the wsasim.Network, for the simulator
    _opened: list[int] = field(default_factory=list)

    def socket(self, af: int = C.AF_INET, type: int = C.SOCK_STREAM, protocol: int = 0) -> int:
        """A new socket, closed at the end of the test."""
        s = self.ws.socket(af, type, protocol)
        assert s != C.INVALID_SOCKET, f"socket() failed: {self.ws.WSAGetLastError()}"
        self._opened.append(s)
        return s

    def listener(
        self, af: int = C.AF_INET, host: str = "127.0.0.1", backlog: int = 5
    ) -> tuple[int, int]:
        """A loopback TCP listener: ``(handle, port)``."""
        s = self.socket(af, C.SOCK_STREAM)
        assert self.ws.bind(s, (host, 0)) == 0, self.ws.WSAGetLastError()
        assert self.ws.listen(s, backlog) == 0, self.ws.WSAGetLastError()
        rc, name = self.ws.getsockname(s)
        assert rc == 0
        assert name is not None
        return s, name[1]

    def closed_port(self, af: int = C.AF_INET, host: str = "127.0.0.1") -> int:
        """A loopback port on which nothing listens (bound once, then closed)."""
        s = self.ws.socket(af, C.SOCK_STREAM, 0)
        assert self.ws.bind(s, (host, 0)) == 0
        rc, name = self.ws.getsockname(s)
        assert rc == 0
        assert name is not None
        self.ws.closesocket(s)
        return name[1]

    def wait(self, seconds: float) -> None:
        """Let time pass: virtual time on the simulator, real time natively."""
        if self.kind == "sim":
            self.network.advance(seconds)  # type: ignore[union-attr]
        else:
            time.sleep(seconds)

    def close_all(self) -> None:
        for s in self._opened:
            self.ws.closesocket(s)
        self._opened.clear()


def _make_env(param: str) -> Env:
    if param == "native":
        try:
            backend = wsaconnect.native_backend()
        except wsaconnect.BackendUnavailable as exc:
            pytest.skip(f"native backend unavailable here: {exc}")
        return Env(backend, "native", "windows", wine=_running_under_wine())
    import wsasim

    profile = param.split("-", 1)[1]
    network = wsasim.Network(profile=profile)
    host = network.add_host("client", ["192.0.2.10/24", "2001:db8::10/64"])
    return Env(host.winsock, "sim", profile, network=network)


@pytest.fixture(params=BACKENDS)
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    """A started backend (WSAStartup(2.2) done); its sockets are closed afterwards."""
    e = _make_env(request.param)
    marker = request.node.get_closest_marker("wine_deviation")
    if marker is not None and e.wine:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"Wine: {marker.args[0]}"))
    assert e.ws.WSAStartup(0x0202) == 0
    yield e
    e.close_all()
    e.ws.WSACleanup()


@pytest.fixture
def ws(env: Env) -> Backend:
    """The backend of ``env``."""
    return env.ws
