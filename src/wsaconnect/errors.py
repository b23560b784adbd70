"""Winsock error codes, their Windows messages, and the exceptions that carry them.

This module owns three things:

* every error code the project uses, as a module-level int (``WSAECONNREFUSED = 10061``) and
  as the :class:`WSAError` IntEnum, with the message Windows' ``FormatMessage`` gives for it;
* :class:`WinsockError`, an :class:`OSError` whose ``winerror`` and ``errno`` are the code,
  and one subclass per code that also derives from the matching builtin (so that
  ``except ConnectionRefusedError`` catches a refused WSAConnect, as it does for a
  ``socket.socket`` on Windows);
* :func:`raise_for_code`, the one function that turns a code into an exception. Every backend
  and the Pythonic API go through it (the pyzmq / pynacl pattern).

It does not decide *when* an error happens: that is the backends' business.
"""

from __future__ import annotations

import enum
from typing import NoReturn

# --- The codes -------------------------------------------------------------------------------
# Values from winerror.h / winsock2.h. The messages are Windows' own (FormatMessage, en-US).
WSA_INVALID_HANDLE = 6
WSA_NOT_ENOUGH_MEMORY = 8
WSA_INVALID_PARAMETER = 87
ERROR_PROC_NOT_FOUND = 127
WSA_OPERATION_ABORTED = 995
WSA_IO_INCOMPLETE = 996
WSA_IO_PENDING = 997
WSAEINTR = 10004
WSAEBADF = 10009
WSAEACCES = 10013
WSAEFAULT = 10014
WSAEINVAL = 10022
WSAEMFILE = 10024
WSAEWOULDBLOCK = 10035
WSAEINPROGRESS = 10036
WSAEALREADY = 10037
WSAENOTSOCK = 10038
WSAEDESTADDRREQ = 10039
WSAEMSGSIZE = 10040
WSAEPROTOTYPE = 10041
WSAENOPROTOOPT = 10042
WSAEPROTONOSUPPORT = 10043
WSAESOCKTNOSUPPORT = 10044
WSAEOPNOTSUPP = 10045
WSAEPFNOSUPPORT = 10046
WSAEAFNOSUPPORT = 10047
WSAEADDRINUSE = 10048
WSAEADDRNOTAVAIL = 10049
WSAENETDOWN = 10050
WSAENETUNREACH = 10051
WSAENETRESET = 10052
WSAECONNABORTED = 10053
WSAECONNRESET = 10054
WSAENOBUFS = 10055
WSAEISCONN = 10056
WSAENOTCONN = 10057
WSAESHUTDOWN = 10058
WSAETIMEDOUT = 10060
WSAECONNREFUSED = 10061
WSAEHOSTDOWN = 10064
WSAEHOSTUNREACH = 10065
WSAEPROCLIM = 10067
WSASYSNOTREADY = 10091
WSAVERNOTSUPPORTED = 10092
WSANOTINITIALISED = 10093
WSAEDISCON = 10101
WSATYPE_NOT_FOUND = 10109
WSAHOST_NOT_FOUND = 11001
WSATRY_AGAIN = 11002
WSANO_RECOVERY = 11003
WSANO_DATA = 11004


class WSAError(enum.IntEnum):
    """Every Winsock error code the project knows, by its Windows name."""

    WSA_INVALID_HANDLE = WSA_INVALID_HANDLE
    WSA_NOT_ENOUGH_MEMORY = WSA_NOT_ENOUGH_MEMORY
    WSA_INVALID_PARAMETER = WSA_INVALID_PARAMETER
    ERROR_PROC_NOT_FOUND = ERROR_PROC_NOT_FOUND
    WSA_OPERATION_ABORTED = WSA_OPERATION_ABORTED
    WSA_IO_INCOMPLETE = WSA_IO_INCOMPLETE
    WSA_IO_PENDING = WSA_IO_PENDING
    WSAEINTR = WSAEINTR
    WSAEBADF = WSAEBADF
    WSAEACCES = WSAEACCES
    WSAEFAULT = WSAEFAULT
    WSAEINVAL = WSAEINVAL
    WSAEMFILE = WSAEMFILE
    WSAEWOULDBLOCK = WSAEWOULDBLOCK
    WSAEINPROGRESS = WSAEINPROGRESS
    WSAEALREADY = WSAEALREADY
    WSAENOTSOCK = WSAENOTSOCK
    WSAEDESTADDRREQ = WSAEDESTADDRREQ
    WSAEMSGSIZE = WSAEMSGSIZE
    WSAEPROTOTYPE = WSAEPROTOTYPE
    WSAENOPROTOOPT = WSAENOPROTOOPT
    WSAEPROTONOSUPPORT = WSAEPROTONOSUPPORT
    WSAESOCKTNOSUPPORT = WSAESOCKTNOSUPPORT
    WSAEOPNOTSUPP = WSAEOPNOTSUPP
    WSAEPFNOSUPPORT = WSAEPFNOSUPPORT
    WSAEAFNOSUPPORT = WSAEAFNOSUPPORT
    WSAEADDRINUSE = WSAEADDRINUSE
    WSAEADDRNOTAVAIL = WSAEADDRNOTAVAIL
    WSAENETDOWN = WSAENETDOWN
    WSAENETUNREACH = WSAENETUNREACH
    WSAENETRESET = WSAENETRESET
    WSAECONNABORTED = WSAECONNABORTED
    WSAECONNRESET = WSAECONNRESET
    WSAENOBUFS = WSAENOBUFS
    WSAEISCONN = WSAEISCONN
    WSAENOTCONN = WSAENOTCONN
    WSAESHUTDOWN = WSAESHUTDOWN
    WSAETIMEDOUT = WSAETIMEDOUT
    WSAECONNREFUSED = WSAECONNREFUSED
    WSAEHOSTDOWN = WSAEHOSTDOWN
    WSAEHOSTUNREACH = WSAEHOSTUNREACH
    WSAEPROCLIM = WSAEPROCLIM
    WSASYSNOTREADY = WSASYSNOTREADY
    WSAVERNOTSUPPORTED = WSAVERNOTSUPPORTED
    WSANOTINITIALISED = WSANOTINITIALISED
    WSAEDISCON = WSAEDISCON
    WSATYPE_NOT_FOUND = WSATYPE_NOT_FOUND
    WSAHOST_NOT_FOUND = WSAHOST_NOT_FOUND
    WSATRY_AGAIN = WSATRY_AGAIN
    WSANO_RECOVERY = WSANO_RECOVERY
    WSANO_DATA = WSANO_DATA


#: Windows' message for each code (FormatMessage, en-US), as ``socket.socket`` shows it.
MESSAGES: dict[int, str] = {
    WSA_INVALID_HANDLE: "The handle is invalid.",
    WSA_NOT_ENOUGH_MEMORY: "Not enough memory resources are available to process this command.",
    WSA_INVALID_PARAMETER: "The parameter is incorrect.",
    ERROR_PROC_NOT_FOUND: "The specified procedure could not be found.",
    WSA_OPERATION_ABORTED: "The I/O operation has been aborted because of either a thread exit "
    "or an application request.",
    WSA_IO_INCOMPLETE: "Overlapped I/O event is not in a signaled state.",
    WSA_IO_PENDING: "Overlapped I/O operation is in progress.",
    WSAEINTR: "A blocking operation was interrupted by a call to WSACancelBlockingCall.",
    WSAEBADF: "The file handle supplied is not valid.",
    WSAEACCES: "An attempt was made to access a socket in a way forbidden by its access "
    "permissions.",
    WSAEFAULT: "The system detected an invalid pointer address in attempting to use a pointer "
    "argument in a call.",
    WSAEINVAL: "An invalid argument was supplied.",
    WSAEMFILE: "Too many open sockets.",
    WSAEWOULDBLOCK: "A non-blocking socket operation could not be completed immediately.",
    WSAEINPROGRESS: "A blocking operation is currently executing.",
    WSAEALREADY: "An operation was attempted on a non-blocking socket that already had an "
    "operation in progress.",
    WSAENOTSOCK: "An operation was attempted on something that is not a socket.",
    WSAEDESTADDRREQ: "A required address was omitted from an operation on a socket.",
    WSAEMSGSIZE: "A message sent on a datagram socket was larger than the internal message "
    "buffer or some other network limit, or the buffer used to receive a datagram into was "
    "smaller than the datagram itself.",
    WSAEPROTOTYPE: "A protocol was specified in the socket function call that does not support "
    "the semantics of the socket type requested.",
    WSAENOPROTOOPT: "An unknown, invalid, or unsupported option or level was specified in a "
    "getsockopt or setsockopt call.",
    WSAEPROTONOSUPPORT: "The requested protocol has not been configured into the system, or no "
    "implementation for it exists.",
    WSAESOCKTNOSUPPORT: "The support for the specified socket type does not exist in this "
    "address family.",
    WSAEOPNOTSUPP: "The attempted operation is not supported for the type of object referenced.",
    WSAEPFNOSUPPORT: "The protocol family has not been configured into the system or no "
    "implementation for it exists.",
    WSAEAFNOSUPPORT: "An address incompatible with the requested protocol was used.",
    WSAEADDRINUSE: "Only one usage of each socket address (protocol/network address/port) is "
    "normally permitted.",
    WSAEADDRNOTAVAIL: "The requested address is not valid in its context.",
    WSAENETDOWN: "A socket operation encountered a dead network.",
    WSAENETUNREACH: "A socket operation was attempted to an unreachable network.",
    WSAENETRESET: "The connection has been broken due to keep-alive activity detecting a failure "
    "while the operation was in progress.",
    WSAECONNABORTED: "An established connection was aborted by the software in your host machine.",
    WSAECONNRESET: "An existing connection was forcibly closed by the remote host.",
    WSAENOBUFS: "An operation on a socket could not be performed because the system lacked "
    "sufficient buffer space or because a queue was full.",
    WSAEISCONN: "A connect request was made on an already connected socket.",
    WSAENOTCONN: "A request to send or receive data was disallowed because the socket is not "
    "connected and (when sending on a datagram socket using a sendto call) no address was "
    "supplied.",
    WSAESHUTDOWN: "A request to send or receive data was disallowed because the socket had "
    "already been shut down in that direction with a previous shutdown call.",
    WSAETIMEDOUT: "A connection attempt failed because the connected party did not properly "
    "respond after a period of time, or established connection failed because connected host "
    "has failed to respond.",
    WSAECONNREFUSED: "No connection could be made because the target machine actively refused it.",
    WSAEHOSTDOWN: "A socket operation failed because the destination host was down.",
    WSAEHOSTUNREACH: "A socket operation was attempted to an unreachable host.",
    WSAEPROCLIM: "A Windows Sockets implementation may have a limit on the number of "
    "applications that may use it simultaneously.",
    WSASYSNOTREADY: "WSAStartup cannot function at this time because the underlying system it "
    "uses to provide network services is currently unavailable.",
    WSAVERNOTSUPPORTED: "The Windows Sockets version requested is not supported.",
    WSANOTINITIALISED: "Either the application has not called WSAStartup, or WSAStartup failed.",
    WSAEDISCON: "Returned by WSARecv or WSARecvFrom to indicate the remote party has initiated "
    "a graceful shutdown sequence.",
    WSATYPE_NOT_FOUND: "The specified class was not found.",
    WSAHOST_NOT_FOUND: "No such host is known.",
    WSATRY_AGAIN: "This is usually a temporary error during hostname resolution and means that "
    "the local server did not receive a response from an authoritative server.",
    WSANO_RECOVERY: "A non-recoverable error occurred during a database lookup.",
    WSANO_DATA: "The requested name is valid, but no data of the requested type was found.",
}


def message(code: int) -> str:
    """Return Windows' message for ``code`` (a generic one for a code this module lacks)."""
    return MESSAGES.get(code, f"Unknown Winsock error {code}.")


def name(code: int) -> str:
    """Return the Windows name of ``code`` (``"WSAECONNREFUSED"``), or the number as text."""
    try:
        return WSAError(code).name
    except ValueError:
        return str(code)


# --- The exceptions --------------------------------------------------------------------------


class WinsockError(OSError):
    """A Winsock call failed. ``winerror`` (and ``errno``) hold the Winsock error code.

    Windows CPython reports socket errors the same way: ``errno`` and ``winerror`` are both the
    WSA code (``[WinError 10061] No connection could be made ...``).
    """

    #: The code this class stands for; None on the base class.
    code: int | None = None

    def __init__(self, code: int, detail: str | None = None) -> None:
        text = message(code) if detail is None else f"{message(code)} ({detail})"
        super().__init__(code, text)
        self.winerror: int = code
        self.detail = detail

    def __str__(self) -> str:
        return f"[WinError {self.winerror}] {self.strerror}"

    def __reduce__(self) -> tuple[type[WinsockError], tuple[int, str | None]]:
        return (type(self), (self.winerror, self.detail))


#: The builtin each code's class also derives from, as CPython maps these codes on Windows.
_BUILTINS: dict[int, type[OSError]] = {
    WSAEWOULDBLOCK: BlockingIOError,
    WSAEINPROGRESS: BlockingIOError,
    WSAEALREADY: BlockingIOError,
    WSAECONNREFUSED: ConnectionRefusedError,
    WSAECONNRESET: ConnectionResetError,
    WSAECONNABORTED: ConnectionAbortedError,
    WSAESHUTDOWN: BrokenPipeError,
    WSAETIMEDOUT: TimeoutError,
    WSAEINTR: InterruptedError,
    WSAEACCES: PermissionError,
}


def _make_class(code: int) -> type[WinsockError]:
    builtin = _BUILTINS.get(code)
    bases: tuple[type, ...] = (WinsockError,) if builtin is None else (WinsockError, builtin)
    known = name(code)
    cls_name = f"{known}Error" if not known.isdigit() else f"WinsockError{code}"
    doc = f"Winsock error {name(code)} ({code}): {message(code)}"
    return type(cls_name, bases, {"code": code, "__doc__": doc, "__module__": __name__})


_CLASSES: dict[int, type[WinsockError]] = {code: _make_class(code) for code in WSAError}
# Each class is also a module attribute (WSAECONNREFUSEDError, ...), so it can be named and
# caught directly, and pickled by reference.
globals().update({cls.__name__: cls for cls in _CLASSES.values()})


def error_class(code: int) -> type[WinsockError]:
    """Return the exception class for ``code``: a :class:`WinsockError` subclass that also
    derives from the matching builtin (``ConnectionRefusedError`` for WSAECONNREFUSED, ...).
    """
    cls = _CLASSES.get(code)
    if cls is None:
        cls = _CLASSES[code] = _make_class(code)
        globals()[cls.__name__] = cls  # reachable by name, so it pickles like the others
    return cls


def error_for_code(code: int, detail: str | None = None) -> WinsockError:
    """Return (not raise) the exception for ``code``."""
    return error_class(code)(code, detail)


def raise_for_code(code: int, detail: str | None = None) -> NoReturn:
    """Raise the exception for Winsock error ``code``. The one place codes become exceptions.

    Raises:
        WinsockError: always; the subclass for ``code``.
    """
    raise error_for_code(code, detail)
