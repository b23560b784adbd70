"""The native backend's Python side over a recording ``lib``, on every OS.

``wsaconnect._native`` is imported afresh with tests/native/fake_winsock.py's stand-in for the
compiled module (and put back afterwards), so what it passes to each C function can be seen
without Windows: the Winsock answers themselves are test_native_backend.py's, on Windows.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from typing import Any

import pytest

from tests.native.fake_winsock import RecordingLib, abi_ffi
from wsaconnect import addresses
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.backend import CAPABILITIES, Backend, SupportsShutdown, require
from wsaconnect.structures import NO_SYN_RETRANSMISSIONS


@pytest.fixture
def lib() -> RecordingLib:
    return RecordingLib()


@pytest.fixture
def native(monkeypatch: pytest.MonkeyPatch, lib: RecordingLib) -> Any:
    """A NativeBackend of a private copy of ``wsaconnect._native`` over ``lib``.

    The copy is executed from the module's own file but never registered, so the real
    ``wsaconnect._native`` (or its absence) is left as it was; the stand-in compiled module is
    in ``sys.modules`` only for the test.
    """
    fake = types.ModuleType("wsaconnect._winsock")
    fake.ffi = abi_ffi()  # type: ignore[attr-defined]
    fake.lib = lib  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "wsaconnect._winsock", fake)
    spec = importlib.util.find_spec("wsaconnect._native")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.NativeBackend()


def test_the_native_backend_is_a_backend_with_every_capability(native: Any) -> None:
    assert isinstance(native, Backend)
    for capability in CAPABILITIES:
        assert isinstance(native, capability), capability


def test_shutdown_passes_the_socket_and_how(native: Any, lib: RecordingLib) -> None:
    lib.results["shutdown"] = C.SOCKET_ERROR
    assert require(native, SupportsShutdown).shutdown(7, C.SD_SEND) == C.SOCKET_ERROR
    assert lib.last("shutdown") == (7, C.SD_SEND)


@pytest.mark.parametrize(
    ("how", "error"), [(1.0, TypeError), (True, TypeError), (2**31, ValueError)]
)
def test_shutdown_how_that_is_no_c_int_raises_before_the_call(
    native: Any, lib: RecordingLib, how: object, error: type[Exception]
) -> None:
    with pytest.raises(error, match=r"^how "):
        native.shutdown(7, how)
    assert [name for name, _ in lib.calls if name == "shutdown"] == []


def test_a_remembered_address_still_refuses_a_float_or_bool_port(
    native: Any, lib: RecordingLib
) -> None:
    for _ in range(2):  # the second call takes the remembered bytes
        assert native.WSAConnect(5, ("127.0.0.1", 9)) == 0
        assert lib.last("wsac_WSAConnect")[1][:4] == bytes([C.AF_INET, 0, 0, 9])
    for port in (9.0, True):
        with pytest.raises(TypeError, match=r"^name: port must be an int"):
            native.WSAConnect(5, ("127.0.0.1", port))
        with pytest.raises(TypeError, match=r"^name: port must be an int"):
            native.connect(5, ("127.0.0.1", port))


def test_a_one_tuple_is_a_type_error_not_an_index_error(native: Any) -> None:
    with pytest.raises(TypeError, match=r"^name must be a"):
        native.WSAConnect(5, ("127.0.0.1",))


def test_a_null_name_fails_with_wsaefault_without_calling(native: Any, lib: RecordingLib) -> None:
    assert native.WSAConnect(5, None) == C.SOCKET_ERROR
    assert lib.last("WSASetLastError") == (E.WSAEFAULT,)
    assert [name for name, _ in lib.calls if name == "wsac_WSAConnect"] == []


@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), 10**400, 2**31])
def test_a_timeout_no_timeval_holds_raises_before_the_call(
    native: Any, lib: RecordingLib, timeout: float
) -> None:
    with pytest.raises(ValueError, match=r"^timeout "):
        native.select([3], [], [], timeout)
    with pytest.raises(ValueError, match=r"^timeout "):
        native.WSAConnectByList(3, [("127.0.0.1", 9)], timeout)
    with pytest.raises(ValueError, match=r"^timeout "):
        native.WSAConnectByName(3, "127.0.0.1", "9", timeout)
    called = {name for name, _ in lib.calls}
    assert not called & {"select", "wsac_WSAConnectByList", "wsac_WSAConnectByNameW"}


def test_connect_by_list_passes_every_address_and_the_timeval(
    native: Any, lib: RecordingLib
) -> None:
    ffi = sys.modules["wsaconnect._winsock"].ffi
    lib.results["wsac_WSAConnectByList"] = 0
    seen: list[object] = []

    def look(*args: Any) -> None:  # during the call: the buffers are freed after it
        address_list, tv = args[1], args[6]
        entries = ffi.cast("SOCKET_ADDRESS *", ffi.addressof(address_list, "Address"))
        seen.append(address_list.iAddressCount)
        seen.append([entries[i].iSockaddrLength for i in range(2)])
        seen.append((tv.tv_sec, tv.tv_usec))

    lib.inspect["wsac_WSAConnectByList"] = look
    assert native.WSAConnectByList(3, [("127.0.0.1", 9), ("::1", 9)], 2.5) == (False, None, None)
    assert seen == [2, [16, 28], (2, 500_000)]


# --- WSAIoctl and getaddrinfo ------------------------------------------------------------------


def test_wsaioctl_passes_a_copy_of_the_input_and_no_output_buffer(
    native: Any, lib: RecordingLib
) -> None:
    ffi = sys.modules["wsaconnect._winsock"].ffi
    seen: list[object] = []

    def look(s: int, code: int, c_in: Any, in_size: int, c_out: Any, out_size: int, n: Any) -> None:
        seen.extend([s, code, ffi.buffer(c_in, in_size)[:], in_size, c_out == ffi.NULL, out_size])

    lib.inspect["wsac_WSAIoctl"] = look
    data = NO_SYN_RETRANSMISSIONS.pack()
    assert native.WSAIoctl(7, C.SIO_TCP_INITIAL_RTO, data) == (0, b"")
    assert seen == [7, 0x98000011, b"\xff\xff\xfe\x00", 4, True, 0]


def test_wsaioctl_none_is_a_null_input_and_a_signed_code_is_its_dword(
    native: Any, lib: RecordingLib
) -> None:
    ffi = sys.modules["wsaconnect._winsock"].ffi
    assert native.WSAIoctl(7, C.FIONBIO - 2**32, None) == (0, b"")
    _, code, c_in, in_size, _, _, _ = lib.last("wsac_WSAIoctl")
    assert (code, c_in == ffi.NULL, in_size) == (C.FIONBIO, True, 0)


def test_wsaioctl_returns_the_bytes_winsock_says_it_wrote(native: Any, lib: RecordingLib) -> None:
    def write(s: int, code: int, c_in: Any, in_size: int, c_out: Any, size: int, n: Any) -> None:
        for i in range(size):
            c_out[i] = b"abcdefgh"[i : i + 1]
        n[0] = 3

    lib.inspect["wsac_WSAIoctl"] = write
    assert native.WSAIoctl(7, C.FIONREAD, None, 8) == (0, b"abc")


def test_a_failed_wsaioctl_returns_no_bytes(native: Any, lib: RecordingLib) -> None:
    lib.results["wsac_WSAIoctl"] = C.SOCKET_ERROR
    assert native.WSAIoctl(7, C.FIONREAD, None, 8) == (C.SOCKET_ERROR, b"")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((C.FIONBIO, "x"), TypeError),
        ((2**32, None), ValueError),
        ((C.FIONBIO, None, -1), ValueError),
    ],
)
def test_wsaioctl_arguments_no_c_type_holds_raise_before_the_call(
    native: Any, lib: RecordingLib, args: tuple[object, ...], error: type[Exception]
) -> None:
    with pytest.raises(error):
        native.WSAIoctl(7, *args)
    assert [name for name, _ in lib.calls if name == "wsac_WSAIoctl"] == []


def test_getaddrinfo_passes_the_hints_and_reads_then_frees_the_list(
    native: Any, lib: RecordingLib
) -> None:
    ffi = sys.modules["wsaconnect._winsock"].ffi
    keep: list[Any] = []

    def entry(family: int, address: tuple[object, ...], canon: str | None) -> Any:
        raw = ffi.new("char[]", addresses.from_tuple(address).to_bytes())
        item = ffi.new("ADDRINFOW *")
        item.ai_family, item.ai_socktype, item.ai_protocol = family, C.SOCK_STREAM, C.IPPROTO_TCP
        item.ai_addr, item.ai_addrlen = ffi.cast("struct sockaddr *", raw), len(raw) - 1
        if canon is not None:
            name = ffi.new("wchar_t[]", canon)
            keep.append(name)
            item.ai_canonname = name
        keep.extend([raw, item])
        return item

    first = entry(C.AF_INET6, ("::1", 80, 0, 0), "localhost")
    first.ai_next = entry(C.AF_INET, ("127.0.0.1", 80), None)
    hints: list[object] = []

    def answer(node: Any, service: Any, pointer: Any, result: Any) -> None:
        hints.extend([ffi.string(node), ffi.string(service)])
        hints.extend([pointer.ai_flags, pointer.ai_family, pointer.ai_socktype])
        hints.extend(
            [pointer.ai_protocol, pointer.ai_addr == ffi.NULL, pointer.ai_next == ffi.NULL]
        )
        result[0] = first

    lib.inspect["GetAddrInfoW"] = answer
    rc, results = native.getaddrinfo(
        "localhost", "http", C.AF_UNSPEC, C.SOCK_STREAM, 0, C.AI_CANONNAME
    )
    assert rc == 0
    assert results == [
        (C.AF_INET6, C.SOCK_STREAM, C.IPPROTO_TCP, "localhost", ("::1", 80, 0, 0)),
        (C.AF_INET, C.SOCK_STREAM, C.IPPROTO_TCP, "", ("127.0.0.1", 80)),
    ]
    assert hints == ["localhost", "http", C.AI_CANONNAME, C.AF_UNSPEC, C.SOCK_STREAM, 0, True, True]
    assert lib.last("FreeAddrInfoW") == (first,)


def test_a_failed_getaddrinfo_returns_its_code_and_frees_nothing(
    native: Any, lib: RecordingLib
) -> None:
    lib.results["GetAddrInfoW"] = E.WSAHOST_NOT_FOUND
    assert native.getaddrinfo("nowhere.example", None) == (E.WSAHOST_NOT_FOUND, [])
    assert [name for name, _ in lib.calls if name == "FreeAddrInfoW"] == []


def test_getaddrinfo_none_names_are_null(native: Any, lib: RecordingLib) -> None:
    ffi = sys.modules["wsaconnect._winsock"].ffi
    lib.results["GetAddrInfoW"] = E.WSAHOST_NOT_FOUND
    native.getaddrinfo(None, None)
    node, service, _, _ = lib.last("GetAddrInfoW")
    assert (node == ffi.NULL, service == ffi.NULL) == (True, True)
