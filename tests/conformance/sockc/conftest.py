"""The translation of Wine's Winsock conformance suite (``dlls/ws2_32/tests/sock.c``, Wine 8.0).

Wine's plain ``ok()`` assertions pass on real Windows (Wine's test bot runs them there), so each
test here states what Windows does. They run on the simulator under the ``"windows"`` profile,
and natively wherever the native backend runs (Windows, or Windows CPython under Wine). Each
test names the sock.c function and line it translates, e.g. ``# sock.c:8190 test_connect``.

Known differences are expressed, never skipped:

* ``@pytest.mark.wine_deviation("reason")``: Wine itself gets it wrong (sock.c marks these
  ``todo_wine``); under Wine the test is a strict expected failure.
* ``@pytest.mark.sim_gap("reason")``: the simulator does not do this yet; on the simulator the
  test is a strict expected failure, so the gap is visible and the day it is closed the mark
  must go.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conformance.conftest import _make_env
from tests.conformance.harness import Env


@pytest.fixture(params=["sim-windows", "native"])
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    """A started backend that behaves as Windows does; its sockets are closed afterwards."""
    e = _make_env(request.param)
    for name, applies in (("wine_deviation", e.wine), ("sim_gap", e.kind == "sim")):
        marker = request.node.get_closest_marker(name)
        if marker is not None and applies:
            request.applymarker(pytest.mark.xfail(strict=True, reason=f"{name}: {marker.args[0]}"))
    assert e.ws.WSAStartup(0x0202) == 0
    yield e
    e.close_all()
    e.ws.WSACleanup()
