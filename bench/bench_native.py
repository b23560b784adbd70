"""Benchmark: the native backend's per-call overhead, against ctypes in the same run.

Issue 4, "Speed": the native wrapper (``wsaconnect._native.NativeBackend``, over the CFFI API-mode
module) on fast paths, against the same Winsock calls made through ``ctypes`` with everything
prepared in advance (argtypes set, the SOCKADDR built once), which is the cheapest ctypes gets.
Goal: at most half of ctypes' time per call. Each row is the best of several runs, nanoseconds
per call; the ratio is wrapper / ctypes.

Rows:

1. **WSAConnect, invalid handle**: ``WSAConnect(INVALID_SOCKET, ("127.0.0.1", port))``, which
   Winsock refuses at once (WSAENOTSOCK): all binding overhead, no network. Two ctypes
   baselines: the SOCKADDR prebuilt once (ctypes' floor), and built from the same
   ``(host, port)`` tuple on each call, which is what a ctypes binding taking the ``socket``
   module's addresses does (the wrapper caches it).
2. **getsockname**: on a bound socket, an out-parameter path (the wrapper also builds the tuple).
3. **WSAGetLastError**: the smallest call, the floor of each binding.
4. **non-blocking connect cycle**: socket + FIONBIO + WSAConnect to a loopback listener
   (WSAEWOULDBLOCK) + closesocket; the system's work dominates, so the ratio tends to 1. The
   listener is on 127.0.0.1 only (docs/wine.md); it accepts nothing, and its backlog
   fills, which Winsock on Linux turns into pending connects.

Timings are reported, never asserted (exit status 0). It needs the native backend: on Windows,
or under Wine with ``WSACONNECT_WINE_BENCH=1 tools/wine/run-native-tests`` (which runs it after
the tests). Elsewhere it says so and exits 0. ``--quick`` runs fewer loops.
"""

from __future__ import annotations

import argparse
import ctypes
import socket
import sys
import timeit
from collections.abc import Callable, Sequence
from typing import Any

from wsaconnect import constants as C
from wsaconnect.backend import BackendUnavailable, native_backend


def best_ns(fn: Callable[[], object], number: int, repeat: int) -> float:
    """Best time of ``repeat`` runs of ``number`` calls, in nanoseconds per call."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e9


def ctypes_ws2_32() -> Any:
    """ws2_32 through ctypes, with argtypes and restypes set (the fast way to use ctypes)."""
    ws2 = ctypes.WinDLL("ws2_32")  # type: ignore[attr-defined,unused-ignore]
    socket_t = ctypes.c_size_t
    ws2.WSAConnect.argtypes = [socket_t, ctypes.c_void_p, ctypes.c_int] + [ctypes.c_void_p] * 4
    ws2.WSAConnect.restype = ctypes.c_int
    ws2.getsockname.argtypes = [socket_t, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    ws2.getsockname.restype = ctypes.c_int
    ws2.WSAGetLastError.argtypes = []
    ws2.WSAGetLastError.restype = ctypes.c_int
    ws2.socket.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    ws2.socket.restype = socket_t
    ws2.ioctlsocket.argtypes = [socket_t, ctypes.c_long, ctypes.POINTER(ctypes.c_ulong)]
    ws2.ioctlsocket.restype = ctypes.c_int
    ws2.closesocket.argtypes = [socket_t]
    ws2.closesocket.restype = ctypes.c_int
    return ws2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer loops (for CI)")
    args = parser.parse_args(argv)
    try:
        ws = native_backend()
    except BackendUnavailable as exc:
        print(f"bench_native: skipped, the native backend is unavailable: {exc}")
        return 0
    number, repeat = (2_000, 3) if args.quick else (20_000, 5)
    ws2 = ctypes_ws2_32()

    listener = ws.socket(C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP)
    assert ws.bind(listener, ("127.0.0.1", 0)) == 0
    assert ws.listen(listener, C.SOMAXCONN) == 0
    rc, name = ws.getsockname(listener)
    assert rc == 0
    assert name is not None
    address = ("127.0.0.1", name[1])
    raw = _sockaddr_in(name[1])
    c_name = ctypes.create_string_buffer(raw, len(raw))
    c_out = ctypes.create_string_buffer(C.SOCKADDR_STORAGE_SIZE)
    c_len = ctypes.c_int()
    c_arg = ctypes.c_ulong(1)
    fionbio = C.FIONBIO - (1 << 32)  # a C long
    bad = C.INVALID_SOCKET

    def native_cycle() -> None:
        s = ws.socket(C.AF_INET, C.SOCK_STREAM, 0)
        ws.ioctlsocket(s, C.FIONBIO, 1)
        ws.WSAConnect(s, address)
        ws.closesocket(s)

    def ctypes_cycle() -> None:
        s = ws2.socket(C.AF_INET, C.SOCK_STREAM, 0)
        ws2.ioctlsocket(s, fionbio, ctypes.byref(c_arg))
        ws2.WSAConnect(s, c_name, len(raw), None, None, None, None)
        ws2.closesocket(s)

    def ctypes_getsockname() -> None:
        c_len.value = C.SOCKADDR_STORAGE_SIZE
        ws2.getsockname(listener, c_out, ctypes.byref(c_len))

    cycles = max(number // 20, 50)

    class SockaddrIn(ctypes.Structure):
        _fields_ = [
            ("family", ctypes.c_ushort),
            ("port", ctypes.c_ushort),
            ("addr", ctypes.c_ubyte * 4),
            ("zero", ctypes.c_ubyte * 8),
        ]

    def ctypes_from_tuple() -> int:
        host, port = address
        sa = SockaddrIn(C.AF_INET, socket.htons(port))
        sa.addr[:] = socket.inet_aton(host)
        rc: int = ws2.WSAConnect(bad, ctypes.byref(sa), ctypes.sizeof(sa), None, None, None, None)
        return rc

    rows: list[tuple[str, float, float]] = [
        (
            "WSAConnect, invalid handle",
            best_ns(lambda: ws.WSAConnect(bad, address), number, repeat),
            best_ns(
                lambda: ws2.WSAConnect(bad, c_name, len(raw), None, None, None, None),
                number,
                repeat,
            ),
        ),
        (
            "  ... ctypes from the tuple",
            best_ns(lambda: ws.WSAConnect(bad, address), number, repeat),
            best_ns(ctypes_from_tuple, number, repeat),
        ),
        (
            "getsockname (bound socket)",
            best_ns(lambda: ws.getsockname(listener), number, repeat),
            best_ns(ctypes_getsockname, number, repeat),
        ),
        (
            "WSAGetLastError",
            best_ns(ws.WSAGetLastError, number, repeat),
            best_ns(ws2.WSAGetLastError, number, repeat),
        ),
        (
            "non-blocking connect cycle",
            best_ns(native_cycle, cycles, repeat),
            best_ns(ctypes_cycle, cycles, repeat),
        ),
    ]
    ws.closesocket(listener)

    print(
        f"native backend vs ctypes, ns per call (best of {repeat}; Python {sys.version.split()[0]})"
    )
    print(f"{'call':<30} {'wrapper':>10} {'ctypes':>10} {'ratio':>7}  goal <= 0.50")
    for label, wrapper, baseline in rows:
        print(f"{label:<30} {wrapper:>10.0f} {baseline:>10.0f} {wrapper / baseline:>7.2f}")
    return 0


def _sockaddr_in(port: int) -> bytes:
    """127.0.0.1:port as a Windows sockaddr_in (family little-endian, port big-endian)."""
    return (
        C.AF_INET.to_bytes(2, "little") + port.to_bytes(2, "big") + bytes([127, 0, 0, 1]) + bytes(8)
    )


if __name__ == "__main__":
    raise SystemExit(main())
