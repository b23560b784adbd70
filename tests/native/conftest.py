"""Fixtures of the native-only tests: the backend, skipped where it cannot run.

A test that needs the compiled module or the native backend skips, with the reason, where they
are unavailable (off Windows: not available is not a failure). Under Wine,
``@pytest.mark.wine_deviation("reason")`` makes a test a strict expected failure, as in the
conformance suite (docs/wine.md): never a skip.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import wsaconnect
from tests.conformance.harness import running_under_wine
from wsaconnect.backend import Backend

WINE = running_under_wine()


@pytest.fixture(autouse=True)
def _wine_deviation(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("wine_deviation")
    if marker is not None and WINE:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"Wine: {marker.args[0]}"))


@pytest.fixture
def native() -> Iterator[Backend]:
    """The native backend, with one WSAStartup(2.2) of the test's own."""
    try:
        backend = wsaconnect.native_backend()
    except wsaconnect.BackendUnavailable as exc:
        pytest.skip(f"native backend unavailable: {str(exc).split(';')[0]}")
    assert backend.WSAStartup(0x0202) == 0
    yield backend
    backend.WSACleanup()
