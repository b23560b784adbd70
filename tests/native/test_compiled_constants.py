"""Every constant and error code of the package against the compiled module's values.

The compiled module's values come from the real headers (winsock2.h, ws2tcpip.h, mswsock.h,
mstcpip.h): cffi reads each ``#define NAME ...`` of the cdef from the C compiler, so a Python
value that differs from Windows' fails here. Skipped where the module is not built.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest

from tests.native.test_build_ffi import DERIVED, UNDECLARED, public_constants
from wsaconnect import constants as C
from wsaconnect import errors as E

_winsock = pytest.importorskip(
    "wsaconnect._winsock", reason="the compiled module is built on Windows only"
)
lib: Any = _winsock.lib
ffi: Any = _winsock.ffi


@pytest.mark.parametrize("name", [n for n in public_constants() if n not in UNDECLARED])
def test_constant_matches_the_headers(name: str) -> None:
    assert getattr(lib, DERIVED.get(name, name)) == getattr(C, name)


@pytest.mark.parametrize("code", list(E.WSAError), ids=lambda code: code.name)
def test_error_code_matches_the_headers(code: E.WSAError) -> None:
    assert getattr(lib, code.name) == code.value
    assert getattr(E, code.name) == code.value


def test_socket_is_pointer_sized() -> None:
    assert ffi.sizeof("SOCKET") == struct.calcsize("P")
    assert (1 << (8 * ffi.sizeof("SOCKET"))) - 1 == C.INVALID_SOCKET


def test_structures_have_the_windows_sizes() -> None:
    assert ffi.sizeof("struct timeval") == 8  # two 32-bit longs
    assert ffi.sizeof("FLOWSPEC") == 32
    assert ffi.sizeof("WSABUF") == 2 * struct.calcsize("P")
    assert ffi.sizeof("WSANETWORKEVENTS") == 44


def test_tcp_initial_rto_parameters_packs_as_the_c_structure() -> None:
    from wsaconnect.structures import TcpInitialRtoParameters

    assert ffi.sizeof("TCP_INITIAL_RTO_PARAMETERS") == C.TCP_INITIAL_RTO_PARAMETERS_SIZE
    c_value = ffi.new("TCP_INITIAL_RTO_PARAMETERS *", [1000, 0xFE])
    raw = ffi.buffer(c_value)[:]
    assert raw[:3] == TcpInitialRtoParameters(1000, 0xFE).pack()[:3]
    assert len(raw) == len(TcpInitialRtoParameters(1000, 0xFE).pack())
