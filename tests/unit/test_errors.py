"""Tests for wsaconnect.errors: the codes, their messages, and the exceptions that carry them.

The expected numbers are winsock2.h / winerror.h values typed in from the Windows SDK, not
read back from the module under test, so that a wrong value in either place is caught.
"""

from __future__ import annotations

import pickle

import pytest

from wsaconnect import errors as E
from wsaconnect.errors import WinsockError, WSAError, error_class, raise_for_code

#: Windows SDK values (winsock2.h, winerror.h), written out independently of the module.
WINDOWS_VALUES = {
    "WSA_INVALID_HANDLE": 6,
    "WSA_NOT_ENOUGH_MEMORY": 8,
    "WSA_INVALID_PARAMETER": 87,
    "WSA_OPERATION_ABORTED": 995,
    "WSA_IO_INCOMPLETE": 996,
    "WSA_IO_PENDING": 997,
    "WSAEINTR": 10004,
    "WSAEBADF": 10009,
    "WSAEACCES": 10013,
    "WSAEFAULT": 10014,
    "WSAEINVAL": 10022,
    "WSAEMFILE": 10024,
    "WSAEWOULDBLOCK": 10035,
    "WSAEINPROGRESS": 10036,
    "WSAEALREADY": 10037,
    "WSAENOTSOCK": 10038,
    "WSAEDESTADDRREQ": 10039,
    "WSAEMSGSIZE": 10040,
    "WSAEPROTOTYPE": 10041,
    "WSAENOPROTOOPT": 10042,
    "WSAEPROTONOSUPPORT": 10043,
    "WSAESOCKTNOSUPPORT": 10044,
    "WSAEOPNOTSUPP": 10045,
    "WSAEPFNOSUPPORT": 10046,
    "WSAEAFNOSUPPORT": 10047,
    "WSAEADDRINUSE": 10048,
    "WSAEADDRNOTAVAIL": 10049,
    "WSAENETDOWN": 10050,
    "WSAENETUNREACH": 10051,
    "WSAENETRESET": 10052,
    "WSAECONNABORTED": 10053,
    "WSAECONNRESET": 10054,
    "WSAENOBUFS": 10055,
    "WSAEISCONN": 10056,
    "WSAENOTCONN": 10057,
    "WSAESHUTDOWN": 10058,
    "WSAETIMEDOUT": 10060,
    "WSAECONNREFUSED": 10061,
    "WSAEHOSTDOWN": 10064,
    "WSAEHOSTUNREACH": 10065,
    "WSAEPROCLIM": 10067,
    "WSASYSNOTREADY": 10091,
    "WSAVERNOTSUPPORTED": 10092,
    "WSANOTINITIALISED": 10093,
    "WSAEDISCON": 10101,
    "WSATYPE_NOT_FOUND": 10109,
    "WSAHOST_NOT_FOUND": 11001,
    "WSATRY_AGAIN": 11002,
    "WSANO_RECOVERY": 11003,
    "WSANO_DATA": 11004,
}

#: The 21 codes of the WSAConnect document's error table (docs/simulator.md).
WSACONNECT_CODES = [
    "WSANOTINITIALISED",
    "WSAENETDOWN",
    "WSAEADDRINUSE",
    "WSAEINTR",
    "WSAEINPROGRESS",
    "WSAEALREADY",
    "WSAEADDRNOTAVAIL",
    "WSAEAFNOSUPPORT",
    "WSAECONNREFUSED",
    "WSAEFAULT",
    "WSAEINVAL",
    "WSAEISCONN",
    "WSAENETUNREACH",
    "WSAEHOSTUNREACH",
    "WSAENOBUFS",
    "WSAENOTSOCK",
    "WSAEOPNOTSUPP",
    "WSAEPROTONOSUPPORT",
    "WSAETIMEDOUT",
    "WSAEWOULDBLOCK",
    "WSAEACCES",
]

BUILTIN_FOR_CODE = [
    (E.WSAECONNREFUSED, ConnectionRefusedError),
    (E.WSAETIMEDOUT, TimeoutError),
    (E.WSAEWOULDBLOCK, BlockingIOError),
    (E.WSAECONNRESET, ConnectionResetError),
    (E.WSAECONNABORTED, ConnectionAbortedError),
    (E.WSAEINTR, InterruptedError),
    (E.WSAEACCES, PermissionError),
]

#: Messages as Windows' FormatMessage gives them (en-US), for a few well-known codes.
WINDOWS_MESSAGES = {
    10061: "No connection could be made because the target machine actively refused it.",
    10035: "A non-blocking socket operation could not be completed immediately.",
    10048: "Only one usage of each socket address (protocol/network address/port) is "
    "normally permitted.",
    10093: "Either the application has not called WSAStartup, or WSAStartup failed.",
    10054: "An existing connection was forcibly closed by the remote host.",
}

UNKNOWN_CODE = 12345


@pytest.mark.parametrize("name", sorted(WINDOWS_VALUES))
def test_module_level_int_has_the_windows_value(name: str) -> None:
    assert getattr(E, name) == WINDOWS_VALUES[name]


@pytest.mark.parametrize("name", sorted(WINDOWS_VALUES))
def test_enum_member_equals_the_module_level_int(name: str) -> None:
    member = WSAError[name]
    assert member == getattr(E, name)
    assert member.value == WINDOWS_VALUES[name]


def test_every_wsaconnect_document_code_is_an_enum_member() -> None:
    missing = [name for name in WSACONNECT_CODES if name not in WSAError.__members__]
    assert missing == []


def test_enum_values_are_unique() -> None:
    values = [member.value for member in WSAError]
    assert len(values) == len(set(values))


@pytest.mark.parametrize("code", list(WSAError), ids=lambda c: c.name)
def test_every_code_has_its_own_message(code: WSAError) -> None:
    text = E.message(code)
    assert text == E.MESSAGES[code]
    assert text.strip()
    assert not text.startswith("Unknown")


@pytest.mark.parametrize(("code", "text"), sorted(WINDOWS_MESSAGES.items()))
def test_message_matches_windows_format_message(code: int, text: str) -> None:
    assert E.message(code) == text


def test_messages_cover_exactly_the_enum() -> None:
    assert set(E.MESSAGES) == {int(code) for code in WSAError}


@pytest.mark.parametrize(("code", "builtin"), BUILTIN_FOR_CODE, ids=lambda x: str(x))
def test_error_class_derives_from_winsock_error_and_the_matching_builtin(
    code: int, builtin: type[OSError]
) -> None:
    cls = error_class(code)
    assert issubclass(cls, WinsockError)
    assert issubclass(cls, builtin)
    assert issubclass(cls, OSError)
    assert cls.code == code


@pytest.mark.parametrize(("code", "builtin"), BUILTIN_FOR_CODE, ids=lambda x: str(x))
def test_raised_error_is_caught_by_the_builtin_except_clause(
    code: int, builtin: type[OSError]
) -> None:
    with pytest.raises(builtin) as info:
        raise_for_code(code)
    assert info.value.winerror == code  # type: ignore[attr-defined]


def test_codes_without_a_builtin_derive_only_from_winsock_error() -> None:
    cls = error_class(E.WSAEFAULT)
    builtins = (ConnectionError, TimeoutError, BlockingIOError, InterruptedError, PermissionError)
    assert not issubclass(cls, builtins)
    assert issubclass(cls, WinsockError)


def test_error_class_is_the_same_object_each_time() -> None:
    assert error_class(E.WSAECONNREFUSED) is error_class(E.WSAECONNREFUSED)
    assert error_class(E.WSAECONNREFUSED) is not error_class(E.WSAETIMEDOUT)


@pytest.mark.parametrize("code", list(WSAError), ids=lambda c: c.name)
def test_raise_for_code_raises_the_class_for_that_code(code: WSAError) -> None:
    with pytest.raises(WinsockError) as info:
        raise_for_code(code)
    assert type(info.value) is error_class(code)


def test_winerror_and_errno_are_the_code() -> None:
    exc = E.error_for_code(E.WSAECONNREFUSED)
    assert exc.winerror == 10061
    assert exc.errno == 10061
    assert exc.strerror == E.MESSAGES[10061]
    assert exc.args == (10061, E.MESSAGES[10061])


def test_str_looks_like_windows_winerror() -> None:
    exc = E.error_for_code(E.WSAECONNREFUSED)
    assert str(exc) == (
        "[WinError 10061] No connection could be made because the target machine actively "
        "refused it."
    )


def test_detail_is_appended_to_the_message() -> None:
    exc = E.error_for_code(E.WSAEFAULT, "name is NULL")
    assert str(exc).startswith("[WinError 10014] The system detected")
    assert str(exc).endswith("(name is NULL)")


def test_raise_for_code_passes_the_detail_on() -> None:
    with pytest.raises(ConnectionRefusedError, match=r"\(port 80\)$"):
        raise_for_code(E.WSAECONNREFUSED, "port 80")


def test_base_class_can_be_made_directly() -> None:
    exc = WinsockError(E.WSAETIMEDOUT)
    assert exc.winerror == E.WSAETIMEDOUT
    assert str(exc).startswith("[WinError 10060] A connection attempt failed")


def test_base_winsock_error_pickles_and_round_trips() -> None:
    exc = WinsockError(E.WSAEINVAL)
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is WinsockError
    assert copy.winerror == E.WSAEINVAL
    assert str(copy) == str(exc)


@pytest.mark.parametrize("code", [E.WSAECONNREFUSED, E.WSAETIMEDOUT, E.WSAEFAULT])
def test_per_code_error_pickles_and_round_trips(code: int) -> None:
    exc = E.error_for_code(code)
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is type(exc)
    assert copy.winerror == code
    assert str(copy) == str(exc)


def test_pickling_keeps_the_detail() -> None:
    exc = E.error_for_code(E.WSAEFAULT, "name is NULL")
    copy = pickle.loads(pickle.dumps(exc))
    assert str(copy) == str(exc)
    assert copy.detail == "name is NULL"


def test_per_code_classes_are_module_attributes() -> None:
    assert E.WSAECONNREFUSEDError is error_class(E.WSAECONNREFUSED)  # type: ignore[attr-defined]
    for code in WSAError:
        assert getattr(E, f"{code.name}Error") is error_class(code)


def test_unknown_code_error_pickles_and_round_trips() -> None:
    exc = E.error_for_code(UNKNOWN_CODE, "detail")
    copy = pickle.loads(pickle.dumps(exc))
    assert copy.winerror == UNKNOWN_CODE
    assert str(copy) == str(exc)


def test_unknown_code_still_makes_a_winsock_error() -> None:
    cls = error_class(UNKNOWN_CODE)
    assert issubclass(cls, WinsockError)
    exc = E.error_for_code(UNKNOWN_CODE)
    assert exc.winerror == UNKNOWN_CODE
    assert exc.errno == UNKNOWN_CODE
    assert str(exc) == f"[WinError {UNKNOWN_CODE}] Unknown Winsock error {UNKNOWN_CODE}."


def test_unknown_code_raises_through_raise_for_code() -> None:
    with pytest.raises(WinsockError, match=str(UNKNOWN_CODE)) as info:
        raise_for_code(UNKNOWN_CODE)
    assert info.value.winerror == UNKNOWN_CODE


def test_unknown_code_has_a_generic_message_and_numeric_name() -> None:
    assert E.message(UNKNOWN_CODE) == f"Unknown Winsock error {UNKNOWN_CODE}."
    assert E.name(UNKNOWN_CODE) == str(UNKNOWN_CODE)


def test_name_of_a_known_code_is_the_windows_name() -> None:
    assert E.name(10061) == "WSAECONNREFUSED"
    assert E.name(E.WSATYPE_NOT_FOUND) == "WSATYPE_NOT_FOUND"


def test_class_name_and_docstring_name_the_code() -> None:
    cls = error_class(E.WSAECONNREFUSED)
    assert cls.__name__ == "WSAECONNREFUSEDError"
    assert cls.__doc__ is not None
    assert "10061" in cls.__doc__
    assert cls.__module__ == "wsaconnect.errors"
