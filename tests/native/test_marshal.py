"""wsaconnect._marshal: the native backend's arguments, checked and laid out, on every OS.

The C structures are made with an ABI-mode FFI of the real cdef (tests/native/fake_winsock.py),
so their fields are checked by value; their Windows sizes are test_compiled_constants.py's.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.native.fake_winsock import abi_ffi
from wsaconnect import _marshal as M
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import from_tuple
from wsaconnect.structures import FLOWSPEC, QOS, WSABUF


@pytest.fixture(scope="module")
def ffi() -> Any:
    return abi_ffi()


@pytest.fixture
def marshal(ffi: Any) -> M.Marshal:
    return M.Marshal(ffi, 64)


# --- timeval ------------------------------------------------------------------------------


def test_timeval_none_is_null(marshal: M.Marshal, ffi: Any) -> None:
    assert marshal.timeval(None) == ffi.NULL


@pytest.mark.parametrize(
    ("timeout", "fields"),
    [
        (0, (0, 0)),
        (1.5, (1, 500_000)),
        (0.0000004, (0, 0)),
        (0.0000006, (0, 1)),
        (2**31 - 1, (2**31 - 1, 0)),
        (-0.25, (-1, 750_000)),  # passed on for Winsock to judge
        (-(2**31), (-(2**31), 0)),
    ],
)
def test_timeval_fields(marshal: M.Marshal, timeout: float, fields: tuple[int, int]) -> None:
    tv = marshal.timeval(timeout)
    assert (tv.tv_sec, tv.tv_usec) == fields


@pytest.mark.parametrize(
    "timeout", [math.nan, math.inf, -math.inf, 10**400, 2**31, -(2**31) - 1, 1e300]
)
def test_timeval_that_no_32_bit_tv_sec_holds_is_a_value_error(
    marshal: M.Marshal, timeout: float
) -> None:
    with pytest.raises(ValueError, match=r"^timeout "):
        marshal.timeval(timeout)


@pytest.mark.parametrize("timeout", [True, "1", b"1", [1]])
def test_timeval_of_the_wrong_type_is_a_type_error(marshal: M.Marshal, timeout: object) -> None:
    with pytest.raises(TypeError, match=r"^timeout "):
        marshal.timeval(timeout)


# --- SOCKADDRs and the memo -------------------------------------------------------------------


def test_a_tuple_becomes_windows_sockaddr_bytes() -> None:
    assert M.sockaddr(("192.0.2.1", 80), None) == (from_tuple(("192.0.2.1", 80)).to_bytes(), 16)
    raw, length = M.sockaddr(("::1", 443, 0, 3), None)
    assert (length, raw[:2]) == (28, bytes([C.AF_INET6, 0]))


def test_a_remembered_tuple_still_refuses_a_float_or_bool_port() -> None:
    assert M.tuple_bytes(("192.0.2.77", 1)) is M.tuple_bytes(("192.0.2.77", 1))  # remembered
    assert M.SOCKADDRS(("192.0.2.77", 1)) is M.tuple_bytes(("192.0.2.77", 1))
    for port in (1.0, True):
        with pytest.raises(TypeError, match="port must be an int"):
            M.tuple_bytes(("192.0.2.77", port))


def test_a_remembered_four_tuple_still_refuses_float_numbers() -> None:
    M.tuple_bytes(("::1", 80, 0, 0))
    with pytest.raises(TypeError, match="scope_id must be an int"):
        M.tuple_bytes(("::1", 80, 0, 0.0))


@pytest.mark.parametrize("what", ["to", "addresses item"])
def test_a_bad_tuple_is_reported_under_the_argument_name(what: str) -> None:
    with pytest.raises(ValueError, match=f"^{what}: port must be 0-65535"):
        M.sockaddr(("192.0.2.1", 70000), None, what)
    with pytest.raises(TypeError, match=f"^{what}: port must be an int"):
        M.sockaddr(("192.0.2.1", 80.0), None, what)


def test_namelen_pads_a_tuple_with_zeros() -> None:
    raw, length = M.sockaddr(("192.0.2.1", 80), 128)
    assert length == 128
    assert raw[16:] == bytes(112)


@pytest.mark.parametrize(
    ("name", "namelen"),
    [
        (None, None),
        (("192.0.2.1", 80), -1),
        (("192.0.2.1", 80), M.MAX_PADDED_NAMELEN + 1),
        (bytes(16), 17),
        (bytes(16), -1),
    ],
)
def test_what_winsock_would_fault_on_is_rejected_with_wsaefault(
    name: object, namelen: object
) -> None:
    with pytest.raises(M.Rejected) as info:
        M.sockaddr(name, namelen)
    assert info.value.code == E.WSAEFAULT


def test_a_short_namelen_of_raw_bytes_is_passed() -> None:
    assert M.sockaddr(bytearray(16), 8) == (bytes(16), 8)


def test_a_name_of_another_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^name must be a"):
        M.sockaddr("192.0.2.1:80", None)


# --- Numbers and handles ---------------------------------------------------------------------


def test_c_int_has_the_c_range() -> None:
    assert M.c_int(M.INT_MAX, "n") == M.INT_MAX
    with pytest.raises(ValueError, match=r"^n must be"):
        M.c_int(M.INT_MAX + 1, "n")
    with pytest.raises(TypeError, match=r"^n must be an int"):
        M.c_int(1.0, "n")


def test_signed32_and_unsigned32_take_either_spelling() -> None:
    assert M.signed32(C.FIONBIO, "cmd") == C.FIONBIO - (1 << 32)
    assert M.signed32(-1, "cmd") == -1
    assert M.unsigned32(-1, "arg") == 0xFFFFFFFF
    with pytest.raises(ValueError, match="arg"):
        M.unsigned32(1 << 32, "arg")


def test_handles() -> None:
    assert M.handles(None, "readfds") == []
    assert M.handles((3, 4), "readfds") == [3, 4]
    with pytest.raises(TypeError, match=r"^readfds must be a list"):
        M.handles("3", "readfds")
    with pytest.raises(ValueError, match=r"^readfds item"):
        M.handles([-1], "readfds")


# --- Structures -------------------------------------------------------------------------------


def test_fd_set_round_trips_within_and_past_fd_setsize(marshal: M.Marshal, ffi: Any) -> None:
    keep: list[Any] = []
    assert marshal.fd_set([], keep) == ffi.NULL
    assert marshal.fd_list(ffi.NULL) == []
    for count in (1, 64, 65, 200):
        sockets = list(range(100, 100 + count))
        fds = marshal.fd_set(sockets, keep)
        assert fds.fd_count == count
        assert marshal.fd_list(fds) == sockets


def test_wsabuf_copies_its_bytes_and_keeps_them(marshal: M.Marshal, ffi: Any) -> None:
    keep: list[Any] = []
    c_buf = marshal.wsabuf(WSABUF(3, bytearray(b"abc")), keep, "callee_data")
    assert c_buf.len == 3
    assert ffi.buffer(c_buf.buf, 3)[:] == b"abc"
    assert c_buf in keep
    empty = marshal.wsabuf(WSABUF(0, None), keep, "callee_data")
    assert (empty.len, empty.buf) == (0, ffi.NULL)


def test_a_wsabuf_longer_than_its_buffer_is_rejected(marshal: M.Marshal) -> None:
    with pytest.raises(M.Rejected) as info:
        marshal.wsabuf(WSABUF(8, b"abc"), [], "caller_data")
    assert info.value.code == E.WSAEFAULT


def test_wsabuf_of_another_type_is_a_type_error(marshal: M.Marshal) -> None:
    with pytest.raises(TypeError, match=r"^caller_data must be bytes"):
        marshal.wsabuf("abc", [], "caller_data")  # type: ignore[arg-type]


def test_qos_fields_land_in_their_c_fields(marshal: M.Marshal, ffi: Any) -> None:
    keep: list[Any] = []
    assert marshal.qos(None, keep, "sqos") == ffi.NULL
    sending = FLOWSPEC(token_rate=1, peak_bandwidth=3, latency=4, max_sdu_size=7)
    value = QOS(sending=sending, provider_specific=WSABUF(2, b"pq"))
    c_qos = marshal.qos(value, keep, "sqos")
    spec = c_qos.SendingFlowspec
    assert (spec.TokenRate, spec.PeakBandwidth, spec.Latency, spec.MaxSduSize) == (1, 3, 4, 7)
    assert spec.ServiceType == sending.service_type
    assert c_qos.ReceivingFlowspec.TokenRate == value.receiving.token_rate
    assert ffi.buffer(c_qos.ProviderSpecific.buf, 2)[:] == b"pq"
    with pytest.raises(TypeError, match=r"^gqos must be a wsaconnect\.QOS"):
        marshal.qos("best", keep, "gqos")


def test_socket_address_list_points_at_each_sockaddr(marshal: M.Marshal, ffi: Any) -> None:
    keep: list[Any] = []
    names = [M.tuple_bytes(("192.0.2.1", 80)), M.tuple_bytes(("::1", 443))]
    address_list = marshal.socket_address_list(names, keep)
    assert address_list.iAddressCount == 2
    entries = ffi.cast("SOCKET_ADDRESS *", ffi.addressof(address_list, "Address"))
    for index, raw in enumerate(names):
        assert entries[index].iSockaddrLength == len(raw)
        assert ffi.buffer(ffi.cast("char *", entries[index].lpSockaddr), len(raw))[:] == raw
    assert marshal.socket_address_list([], keep).iAddressCount == 0


def test_address_reads_a_sockaddr_back_as_a_tuple(marshal: M.Marshal, ffi: Any) -> None:
    raw = M.tuple_bytes(("2001:db8::1", 443, 0, 5))
    buffer = ffi.new("char[]", raw + bytes(M.STORAGE - len(raw)))
    assert marshal.address(buffer, len(raw)) == ("2001:db8::1", 443, 0, 5)
    assert marshal.address(buffer, 1) is None
    assert marshal.address(ffi.new("char[]", M.STORAGE), 16) is None  # AF_UNSPEC


def test_wide_strings(marshal: M.Marshal, ffi: Any) -> None:
    assert marshal.wide(None, "nodename") == ffi.NULL
    assert ffi.string(marshal.wide("héllo", "nodename")) == "héllo"
    with pytest.raises(ValueError, match=r"^nodename must not contain NUL"):
        marshal.wide("a\0b", "nodename")
    with pytest.raises(TypeError, match=r"^servicename must be a str"):
        marshal.wide(b"80", "servicename")


def test_data_shares_buffers_and_passes_bytes(marshal: M.Marshal, ffi: Any) -> None:
    assert marshal.data(b"abc") == (b"abc", 3)
    buffer = bytearray(b"abcd")
    view, length = marshal.data(buffer)
    assert length == 4
    buffer[0:1] = b"z"  # shared, not copied
    assert ffi.buffer(view)[:] == b"zbcd"
    with pytest.raises(TypeError, match=r"^data must be bytes-like"):
        marshal.data("abc")


def test_reserved_is_null_or_valid_memory(marshal: M.Marshal, ffi: Any) -> None:
    assert marshal.reserved(None) == ffi.NULL
    block = marshal.reserved(object())
    assert block != ffi.NULL
    assert ffi.buffer(block)[:] == bytes(64)
