"""Native-only behaviours of the backend: what the conformance suite cannot express.

Where ws2_32.dll lacks an export, the call reports FALSE with ERROR_PROC_NOT_FOUND instead of
aborting (Wine 8 has no WSAConnectByList: docs/wine.md); bad input never crashes the
interpreter; handles of ``socket.socket`` work; blocking calls release the GIL. Real sockets on
loopback only (docs/wine.md).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

import pytest

import wsaconnect
from tests.conformance.harness import running_under_wine
from wsaconnect import QOS, WSABUF
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.backend import Backend

WINE = running_under_wine()


def lib() -> Any:
    from wsaconnect._winsock import lib

    return lib


def listener(ws: Backend, host: str = "127.0.0.1") -> tuple[int, int]:
    af = C.AF_INET6 if ":" in host else C.AF_INET
    s = ws.socket(af, C.SOCK_STREAM, 0)
    assert ws.bind(s, (host, 0)) == 0
    assert ws.listen(s, 5) == 0
    rc, name = ws.getsockname(s)
    assert rc == 0
    assert name is not None
    return s, name[1]


def ws2_32_exports(name: str) -> bool:
    """Whether ws2_32.dll itself exports ``name`` (not the binding's reference fallback)."""
    import ctypes

    return hasattr(ctypes.WinDLL("ws2_32"), name)  # type: ignore[attr-defined,unused-ignore]


def reference_provider_loaded() -> bool:
    """Whether the Wine test build's wsac_reference.dll is loaded (tools/wine/wsac_reference.c)."""
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined,unused-ignore]
    kernel32.GetModuleHandleW.restype = ctypes.c_void_p
    return bool(kernel32.GetModuleHandleW("wsac_reference.dll"))


@pytest.mark.wine_deviation("Wine 8 does not export WSAConnectByList")
def test_ws2_32_exports_wsaconnectbylist(native: Backend) -> None:
    assert ws2_32_exports("WSAConnectByList")
    assert lib().wsac_has_export(b"WSAConnectByList") == 1


def test_wsaconnectbylist_resolves_to_ws2_32_or_to_the_reference_provider(native: Backend) -> None:
    # Under Wine the test build falls back to tools/wine/wsac_reference.c (docs/wine.md).
    if not WINE:
        assert lib().wsac_has_export(b"WSAConnectByList") == int(ws2_32_exports("WSAConnectByList"))
        return
    assert not ws2_32_exports("WSAConnectByList")
    assert lib().wsac_has_export(b"WSAConnectByList") == 1
    assert reference_provider_loaded()


def test_ws2_32_exports_wsaconnectbynamew(native: Backend) -> None:
    assert lib().wsac_has_export(b"WSAConnectByNameW") == 1


def test_a_missing_export_is_false_with_error_proc_not_found(native: Backend) -> None:
    s = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    try:
        result = native.WSAConnectByList(s, [("127.0.0.1", 9)], 0.5)
        code = native.WSAGetLastError()
    finally:
        native.closesocket(s)
    if lib().wsac_has_export(b"WSAConnectByList"):
        assert result[0] is True or code != E.ERROR_PROC_NOT_FOUND
    else:
        assert result == (False, None, None)
        assert code == E.ERROR_PROC_NOT_FOUND


def test_a_null_name_is_wsaefault_without_calling(native: Backend) -> None:
    s = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    try:
        for call in (native.connect, native.bind, native.WSAConnect):
            assert call(s, None) == C.SOCKET_ERROR
            assert native.WSAGetLastError() == E.WSAEFAULT
    finally:
        native.closesocket(s)


def test_namelen_past_raw_bytes_is_wsaefault(native: Backend) -> None:
    s = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    try:
        raw = bytes([2, 0, 0, 80, 127, 0, 0, 1])
        assert native.connect(s, raw, 16) == C.SOCKET_ERROR
        assert native.WSAGetLastError() == E.WSAEFAULT
        assert native.sendto(s, b"x", 0, None, 16) == C.SOCKET_ERROR
        assert native.WSAGetLastError() == E.WSAEFAULT
    finally:
        native.closesocket(s)


def test_odd_input_never_crashes(native: Backend) -> None:
    # Only that each call returns: the codes are Winsock's (and Wine's differ).
    failed = (0, C.SOCKET_ERROR)
    calls: list[Callable[[int], int]] = [
        lambda s: native.WSAConnect(s, b"", 0),
        lambda s: native.WSAConnect(s, ("127.0.0.1", 9), -1),  # faults Wine if passed
        lambda s: native.connect(s, bytes(16), -5),
        lambda s: native.WSAConnect(s, bytes(2)),
        lambda s: native.WSAConnect(s, ("127.0.0.1", 9), callee_data=WSABUF(8, None)),
        lambda s: native.WSAConnectByList(s, [], None)[0] + 0,
        lambda s: native.WSAConnectByName(s, None, "80")[0] + 0,
        lambda s: native.WSAConnectByName(s, "127.0.0.1", None)[0] + 0,
        lambda s: native.WSAConnectByName(s, "127.0.0.1", "9", local_address_length=0)[0] + 0,
        lambda s: native.recv(s, 0)[0] and C.SOCKET_ERROR,
        lambda s: native.WSAEnumNetworkEvents(s, 0)[0],
        lambda s: native.getsockopt(s, C.SOL_SOCKET, 0x7FFF)[0],
    ]
    for call in calls:
        s = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
        try:
            assert call(s) in failed
        finally:
            native.closesocket(s)
    assert native.WSAWaitForMultipleEvents([], False, 0) == C.WSA_WAIT_FAILED


def test_wrong_python_types_raise_typeerror(native: Backend) -> None:
    s = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    try:
        with pytest.raises(TypeError):
            native.WSAConnect(s, "127.0.0.1:80")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            native.WSAConnect(s, ("127.0.0.1", 80), callee_data=b"x")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            native.WSAConnect(s, ("127.0.0.1", 80), sqos="best")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            native.WSAConnectByName(s, b"localhost", "80")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            native.setsockopt(s, C.SOL_SOCKET, C.SO_REUSEADDR, 1.5)
        with pytest.raises(TypeError):
            native.select([s], "x", [], 0)  # type: ignore[arg-type]
    finally:
        native.closesocket(s)


def test_the_sockaddr_cache_keeps_type_checks(native: Backend) -> None:
    s = native.socket(C.AF_INET, C.SOCK_DGRAM, 0)
    try:
        assert native.connect(s, ("127.0.0.1", 9)) == 0
        with pytest.raises(TypeError):
            native.connect(s, ("127.0.0.1", 9.0))  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            native.connect(s, ("127.0.0.1", True))
    finally:
        native.closesocket(s)


def test_impossible_values_raise_valueerror(native: Backend) -> None:
    s = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    try:
        with pytest.raises(ValueError, match="port"):
            native.WSAConnect(s, ("127.0.0.1", 70000))
        with pytest.raises(ValueError, match="timeout"):
            native.WSAConnectByName(s, "127.0.0.1", "9", float("nan"))
        with pytest.raises(ValueError, match="bufsize"):
            native.recv(s, -1)
    finally:
        native.closesocket(s)


def test_handles_of_socket_module_sockets_work(native: Backend) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    client = socket.socket()
    with server, client:
        port = server.getsockname()[1]
        assert native.WSAConnect(client.fileno(), ("127.0.0.1", port)) == 0
        assert native.getpeername(client.fileno()) == (0, ("127.0.0.1", port))
        peer, _ = server.accept()
        with peer:
            assert native.send(client.fileno(), b"hello") == 5
            assert peer.recv(16) == b"hello"


def test_ipv6_addresses_come_back_as_four_tuples(native: Backend) -> None:
    s, port = listener(native, "::1")
    try:
        assert native.getsockname(s) == (0, ("::1", port, 0, 0))
    finally:
        native.closesocket(s)


def test_a_blocking_accept_releases_the_gil(native: Backend) -> None:
    s, port = listener(native)
    accepted: list[tuple[int, Any]] = []
    thread = threading.Thread(target=lambda: accepted.append(native.accept(s)))
    thread.start()
    c = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    try:
        # This thread runs Python while the other waits in accept(): the GIL is free.
        assert native.WSAConnect(c, ("127.0.0.1", port)) == 0
        thread.join(10)
        assert not thread.is_alive()
        handle, address = accepted[0]
        assert handle != C.INVALID_SOCKET
        assert address == native.getsockname(c)[1]
        native.closesocket(handle)
    finally:
        native.closesocket(c)
        native.closesocket(s)


def test_options_round_trip(native: Backend) -> None:
    s = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    try:
        assert native.getsockopt(s, C.SOL_SOCKET, C.SO_TYPE) == (0, C.SOCK_STREAM)
        assert native.setsockopt(s, C.SOL_SOCKET, C.SO_LINGER, (1, 7)) == 0
        assert native.getsockopt(s, C.SOL_SOCKET, C.SO_LINGER) == (0, (1, 7))
        assert native.setsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY, True) == 0
        assert native.getsockopt(s, C.IPPROTO_TCP, C.TCP_NODELAY)[1] != 0
        assert native.ioctlsocket(s, C.FIONREAD, 0) == 0
    finally:
        native.closesocket(s)


def test_select_takes_more_than_fd_setsize_sockets(native: Backend) -> None:
    sockets = [native.socket(C.AF_INET, C.SOCK_DGRAM, 0) for _ in range(70)]
    try:
        rc, readable, writable, _ = native.select(sockets, sockets, [], 0)
        assert rc == len(sockets)  # every unconnected UDP socket is writable
        assert readable == []
        assert writable == sockets
    finally:
        for s in sockets:
            native.closesocket(s)


def test_best_effort_qos_and_callee_buffer_are_accepted(native: Backend) -> None:
    s, port = listener(native)
    c = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    try:
        callee = WSABUF(4, bytearray(b"abcd"))
        assert native.WSAConnect(c, ("127.0.0.1", port), callee_data=callee, sqos=QOS()) == 0
        assert callee.buf == bytearray(b"abcd")  # nothing written over TCP/IP
    finally:
        native.closesocket(c)
        native.closesocket(s)


def test_message_window_receives_posted_events(native: Backend) -> None:
    s, port = listener(native)
    c = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    hwnd = native.create_message_window()
    try:
        assert hwnd != 0
        assert native.WSAAsyncSelect(c, hwnd, C.WM_USER + 7, C.FD_CONNECT) == 0
        native.WSAConnect(c, ("127.0.0.1", port))
        messages: list[tuple[int, int, int]] = []
        for _ in range(200):
            messages += native.get_messages(hwnd)
            if messages:
                break
            native.select([], [], [s], 0.01)  # a short wait that keeps the GIL free
        assert messages == [(C.WM_USER + 7, c, C.FD_CONNECT)]
    finally:
        native.closesocket(c)
        native.closesocket(s)
        destroy = getattr(native, "destroy_message_window", None)
        if destroy is not None:
            assert destroy(hwnd)


def test_native_backend_satisfies_the_backend_protocol(native: Backend) -> None:
    assert isinstance(native, Backend)


def test_socket_object_is_a_socket_socket_that_owns_the_handle(native: Backend) -> None:
    _, port = listener(native)
    s = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    with native.socket_object(s, C.AF_INET, C.SOCK_STREAM) as sock:
        assert isinstance(sock, socket.socket)
        assert sock.fileno() == s
        sock.connect(("127.0.0.1", port))
        assert sock.getpeername() == ("127.0.0.1", port)
    assert native.closesocket(s) == C.SOCKET_ERROR  # closed with its socket object
    assert native.WSAGetLastError() == E.WSAENOTSOCK


def test_create_connection_returns_a_socket_socket(native: Backend) -> None:
    _, port = listener(native)
    with wsaconnect.create_connection([("127.0.0.1", port)], backend=native) as sock:
        assert isinstance(sock, socket.socket)
        assert sock.getpeername()[:2] == ("::ffff:127.0.0.1", port)


# --- Capabilities ------------------------------------------------------------------------------


def test_native_backend_has_every_capability(native: Backend) -> None:
    from wsaconnect.backend import CAPABILITIES, SupportsShutdown, require

    for capability in CAPABILITIES:
        assert isinstance(native, capability), capability
    required: object = require(native, SupportsShutdown)
    assert required is native


def test_shutdown_send_gives_the_peer_end_of_stream(native: Backend) -> None:
    from wsaconnect.backend import SupportsShutdown, require

    s, port = listener(native)
    c = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    try:
        assert native.WSAConnect(c, ("127.0.0.1", port)) == 0
        peer, _ = native.accept(s)
        assert require(native, SupportsShutdown).shutdown(c, C.SD_SEND) == 0
        assert native.recv(peer, 16) == (0, b"")  # a graceful close of c's direction
        assert native.send(peer, b"still open") == 10  # the other direction is untouched
        assert native.recv(c, 16) == (10, b"still open")
        assert native.send(c, b"x") == C.SOCKET_ERROR
        assert native.WSAGetLastError() == E.WSAESHUTDOWN
        native.closesocket(peer)
    finally:
        native.closesocket(c)
        native.closesocket(s)


def test_shutdown_of_an_unconnected_stream_socket_is_wsaenotconn(native: Backend) -> None:
    from wsaconnect.backend import SupportsShutdown, require

    s = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    try:
        assert require(native, SupportsShutdown).shutdown(s, C.SD_BOTH) == C.SOCKET_ERROR
        assert native.WSAGetLastError() == E.WSAENOTCONN
    finally:
        native.closesocket(s)


def test_shutdown_how_must_be_a_c_int(native: Backend) -> None:
    from wsaconnect.backend import SupportsShutdown, require

    backend = require(native, SupportsShutdown)
    with pytest.raises(TypeError, match="how"):
        backend.shutdown(0, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="how"):
        backend.shutdown(0, 2**31)


# --- Timeouts: what a timeval can carry ----------------------------------------------------------


@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), -float("inf"), 10**400, 2**31])
def test_a_timeout_no_timeval_can_carry_is_a_value_error_before_the_call(
    native: Backend, timeout: float
) -> None:
    s = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    try:
        with pytest.raises(ValueError, match="timeout"):
            native.select([s], [], [], timeout)
        with pytest.raises(ValueError, match="timeout"):
            native.WSAConnectByName(s, "127.0.0.1", "9", timeout)
        with pytest.raises(ValueError, match="timeout"):
            native.WSAConnectByList(s, [("127.0.0.1", 9)], timeout)
    finally:
        native.closesocket(s)


# --- What the binding passes WSAConnectByList (the reference provider's recording) -------------


def test_wsaconnectbylist_receives_the_arguments_byte_for_byte(
    native: Backend, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under Wine, wsac_reference.dll appends one line per call to WSAC_REFERENCE_RECORD, written
    # before any check (tools/wine/wsac_reference.c); a non-NULL Reserved then fails the call
    # with WSAEINVAL before anything is sent.
    if not WINE:
        pytest.skip("the recording is the Wine test build's reference provider's")
    record = tmp_path / "by_list.txt"
    monkeypatch.setenv("WSAC_REFERENCE_RECORD", str(record))
    s = native.socket(C.AF_INET6, C.SOCK_STREAM, 0)
    try:
        result = native.WSAConnectByList(
            s,
            [("::ffff:127.0.0.1", 80, 0, 0), ("fe80::1", 0x1234, 0, 5)],
            1.25,
            object(),
            local_address_length=28,
            remote_address_length=None,
        )
        assert result == (False, None, None)
        assert native.WSAGetLastError() == E.WSAEINVAL
    finally:
        native.closesocket(s)
    # SOCKADDR_IN6: family 23 (little-endian), port (big-endian), flowinfo, address, scope_id
    # (little-endian): 28 bytes.
    first = "1700" + "0050" + "00000000" + "00000000000000000000ffff7f000001" + "00000000"
    second = "1700" + "1234" + "00000000" + "fe800000000000000000000000000001" + "05000000"
    assert record.read_text() == (
        f"count=2 addr=28:{first},28:{second} llen=28 laddr=SET rlen=NULL raddr=NULL"
        " timeout=1.250000 reserved=SET\n"
    )


def test_wsaconnectbylist_receives_null_for_no_timeout_and_no_lengths(
    native: Backend, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not WINE:
        pytest.skip("the recording is the Wine test build's reference provider's")
    record = tmp_path / "by_list.txt"
    monkeypatch.setenv("WSAC_REFERENCE_RECORD", str(record))
    s = native.socket(C.AF_INET, C.SOCK_STREAM, 0)
    try:
        result = native.WSAConnectByList(
            s, [("127.0.0.1", 9)], None, object(), local_address_length=None
        )
        assert result == (False, None, None)
    finally:
        native.closesocket(s)
    sockaddr_in = "0200" + "0009" + "7f000001" + "00" * 8
    assert record.read_text() == (
        f"count=1 addr=16:{sockaddr_in} llen=NULL laddr=NULL rlen=128 raddr=SET"
        " timeout=NULL reserved=SET\n"
    )
