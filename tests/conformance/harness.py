"""The conformance suite's harness: :class:`Env`, one backend and the helpers a test needs.

See conftest.py for how the suite runs over every available backend.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wsaconnect import constants as C
from wsaconnect.backend import Backend

if TYPE_CHECKING:
    import wsasim


def running_under_wine() -> bool:
    """True inside Wine (ntdll exports wine_get_version, docs/wine.md)."""
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
    network: wsasim.Network | None = None  # for the simulator
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
        if self.network is not None:
            self.network.advance(seconds)
        else:
            time.sleep(seconds)

    def later(self, seconds: float, fn: Callable[[], object]) -> None:
        """Run ``fn`` ``seconds`` from now, as another thread would: a ``net.call_at`` callback
        on the simulator (virtual time), a real thread natively. Either way it may act while
        the test's own call blocks."""
        if self.network is not None:
            self.network.call_at(self.network.now + seconds, fn)
        else:
            timer = threading.Timer(seconds, fn)
            timer.daemon = True
            timer.start()

    def close_all(self) -> None:
        for s in self._opened:
            self.ws.closesocket(s)
        self._opened.clear()
