"""The conformance suite's harness: one suite, run over every available backend.

Each test receives ``env``, an :class:`Env` around one backend: the simulator under each profile,
and the native backend where it can run (Windows, or Windows CPython under Wine). A test
written here uses only the low-level API of docs/api.md and real addresses on loopback
(127.0.0.1, ::1): it must hold on real Windows too. What only a simulator can show (exact
virtual times, blackholes, unreachable hosts) belongs in ``tests/sim/``.

Known differences are expressed, never skipped:

* ``@pytest.mark.wine_deviation("reason")``: Wine does this differently from Windows
  (docs/wine.md); under Wine the test is a strict expected failure.
* ``env.profile`` is ``"documented"`` or ``"windows"``; where the documentation and Windows
  differ (docs/windows.md), a test states both expectations. The native backend is
  ``"windows"``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import wsaconnect
from tests.conformance.harness import Env, running_under_wine
from wsaconnect.backend import Backend

BACKENDS = ["sim-documented", "sim-windows", "native"]


def _make_env(param: str) -> Env:
    if param == "native":
        try:
            backend = wsaconnect.native_backend()
        except wsaconnect.BackendUnavailable as exc:
            pytest.skip(f"native backend unavailable: {str(exc).split(';')[0]}")
        return Env(backend, "native", "windows", wine=running_under_wine())
    from tests.world import world

    profile = param.split("-", 1)[1]
    w = world(profile, server=False)
    network, host = w.net, w.client
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
