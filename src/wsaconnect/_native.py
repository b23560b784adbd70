"""The native backend: the real Winsock, through the compiled CFFI module ``wsaconnect._winsock``.

This module owns :class:`NativeBackend`, the low-level API (the :class:`~wsaconnect.Backend`
protocol and every capability of :mod:`wsaconnect.backend`) over ws2_32.dll, and is the only
importer of the compiled module. The C arguments are made by :mod:`wsaconnect._marshal`
(given this module's ``ffi``); every other decision is Winsock's, so a call fails with the code
Winsock itself gives. It does not raise for Winsock errors (that is
:func:`wsaconnect.errors.raise_for_code`'s job, in the Pythonic API) and holds no policy of its
own beyond the following.

What it decides before calling, and why:

* Input that would make Winsock read or write outside the memory it is given is rejected before
  the call, as SOCKET_ERROR/FALSE with WSAEFAULT, the code Windows documents for a pointer that
  is "not a valid part of the user address space": a missing ``name`` (a NULL name crashes
  Wine 8: docs/wine.md), a ``namelen`` past the end of raw bytes or negative (Wine 8 faults on
  it), a WSABUF whose ``len`` exceeds its buffer. Everything that is safe to pass (a short
  ``namelen``, a wrong family, a non-NULL ``reserved``, a negative timeout, a ``how`` that is
  no SD_* value) is passed, and Winsock answers.
* ``WSAStartup(2.2)`` runs once per process when the first backend is made and is never undone,
  so that handles from ``socket.socket().fileno()`` work and a program's own
  ``WSAStartup``/``WSACleanup`` pairs (reference-counted by Winsock) cannot unload Winsock
  under another user. (CPython's ``socket`` module does the same at import.)
* WSAConnectByList, WSAConnectByNameW and WSACancelBlockingCall are looked up at run time;
  where ws2_32.dll lacks them they fail with ERROR_PROC_NOT_FOUND (127). Wine 8 has no
  WSAConnectByList (docs/wine.md), Windows before Vista has neither connect call.

Speed: cffi's API mode releases the GIL around every call. SOCKADDRs made from tuples are
remembered; bytes reach C without a copy (the wrappers take ``char *``); each thread reuses its
own out-buffers, so a blocking call in one thread never shares memory with another.

Conventions beyond the C signatures: ``WSAIoctl`` is never overlapped and returns ``(rc, the
bytes written to the output buffer)``; ``getaddrinfo`` takes the hints' four ints and returns
``(rc, results)`` as the other calls with out-parameters do; ``ioctlsocket`` returns ``rc``
only (the value an output command such as FIONREAD writes is not returned, as in the Backend
protocol); ``getsockopt``
returns options of 1, 2, 4 or 8 bytes as unsigned ints, SO_LINGER as ``(l_onoff, l_linger)``,
and other sizes as bytes; ``setsockopt`` takes an int or bool (a 4-byte int), bytes, a
SO_LINGER pair, or None (a NULL ``optval`` with ``optlen`` 0, as SO_UPDATE_CONNECT_CONTEXT
wants); handles of event objects and windows are ints. ``get_messages`` sees only messages for
windows of the calling thread (Windows delivers a window's messages to the thread that made
it).
"""

from __future__ import annotations

import socket as _socket
import struct
import threading
from collections.abc import Sequence
from typing import Any

from wsaconnect import _marshal as M
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect._winsock import ffi, lib
from wsaconnect.addresses import AddressTuple, Name
from wsaconnect.backend import BackendUnavailable
from wsaconnect.structures import QOS, WSABUF

_STORAGE = M.STORAGE
_LINGER = struct.Struct("<HH")
_NULL = ffi.NULL
_WSACONNECT = lib.wsac_WSAConnect
_RECV_BUFFER = 1 << 16
#: The C structures, made with the compiled module's ffi.
_C = M.Marshal(ffi, lib.WSAC_FD_SETSIZE)

_start_lock = threading.Lock()
_started = False


class _Buffers(threading.local):
    """Each thread's reusable out-buffers (a blocking call never shares them)."""

    def __init__(self) -> None:
        self.name: Any = ffi.new("char[]", _STORAGE)
        self.name2: Any = ffi.new("char[]", _STORAGE)
        self.namelen: Any = ffi.new("int *")
        self.dword: Any = ffi.new("DWORD *")
        self.dword2: Any = ffi.new("DWORD *")
        self.ulong: Any = ffi.new("u_long *")
        self.optval: Any = ffi.new("char[]", 256)
        self.optlen: Any = ffi.new("int *")
        self.data: Any = ffi.new("char[]", _RECV_BUFFER)
        self.wsadata: Any = ffi.new("WSADATA *")
        self.events: Any = ffi.new("WSANETWORKEVENTS *")
        self.message: Any = ffi.new("u_int *")
        self.wparam: Any = ffi.new("uintptr_t *")
        self.lparam: Any = ffi.new("intptr_t *")


def _start_once() -> None:
    global _started
    with _start_lock:
        if _started:
            return
        rc: int = lib.WSAStartup(C.WINSOCK_VERSION, ffi.new("WSADATA *"))
        if rc != 0:
            raise BackendUnavailable(f"WSAStartup(2.2) failed: {E.name(rc)} ({E.message(rc)})")
        _started = True


class NativeBackend:
    """Winsock's low-level functions over ws2_32.dll (see the module docstring).

    It is a :class:`~wsaconnect.Backend` and has every capability in
    :data:`wsaconnect.backend.CAPABILITIES` (:class:`~wsaconnect.backend.SupportsShutdown`,
    :class:`~wsaconnect.backend.SupportsWSAIoctl`,
    :class:`~wsaconnect.backend.SupportsGetaddrinfo`).
    """

    def __init__(self) -> None:
        _start_once()
        self._local = _Buffers()

    def __repr__(self) -> str:
        return "<wsaconnect native backend (ws2_32.dll)>"

    # --- setup and errors ------------------------------------------------------------------

    def _fail(self, code: int, result: Any = C.SOCKET_ERROR) -> Any:
        lib.WSASetLastError(code)
        return result

    def WSAStartup(self, version: int = 0x0202) -> int:
        rc: int = lib.WSAStartup(M.c_int(version, "version", 0, 0xFFFF), self._local.wsadata)
        return rc

    def WSACleanup(self) -> int:
        rc: int = lib.WSACleanup()
        return rc

    def WSAGetLastError(self) -> int:
        code: int = lib.WSAGetLastError()
        return code

    def WSASetLastError(self, code: int) -> None:
        lib.WSASetLastError(M.c_int(code, "code"))

    def WSACancelBlockingCall(self) -> int:
        rc: int = lib.wsac_WSACancelBlockingCall()
        return rc

    # --- sockets ---------------------------------------------------------------------------

    def socket(self, af: int, type: int, protocol: int = 0) -> int:
        handle: int = lib.socket(af, type, protocol)
        return handle

    def closesocket(self, s: int) -> int:
        rc: int = lib.closesocket(s)
        return rc

    def bind(self, s: int, name: Name | None, namelen: int | None = None) -> int:
        try:
            raw, length = M.sockaddr(name, namelen)
        except M.Rejected as rejected:
            return int(self._fail(rejected.code))
        rc: int = lib.wsac_bind(s, raw, length)
        return rc

    def listen(self, s: int, backlog: int) -> int:
        rc: int = lib.listen(s, backlog)
        return rc

    def shutdown(self, s: int, how: int) -> int:
        """Winsock ``shutdown`` (capability :class:`~wsaconnect.backend.SupportsShutdown`).

        ``how`` is any C ``int``: a value other than SD_RECEIVE, SD_SEND or SD_BOTH is
        passed, and Winsock answers WSAEINVAL.
        """
        rc: int = lib.shutdown(s, M.c_int(how, "how"))
        return rc

    def accept(self, s: int) -> tuple[int, AddressTuple | None]:
        local = self._local
        local.namelen[0] = _STORAGE
        handle: int = lib.wsac_accept(s, local.name, local.namelen)
        if handle == C.INVALID_SOCKET:
            return handle, None
        return handle, _C.address(local.name, local.namelen[0])

    def ioctlsocket(self, s: int, cmd: int, arg: int) -> int:
        command = M.signed32(cmd, "cmd")
        argp = self._local.ulong
        argp[0] = M.unsigned32(arg, "arg")
        rc: int = lib.ioctlsocket(s, command, argp)
        return rc

    def WSAIoctl(
        self, s: int, code: int, in_buffer: bytes | None, out_size: int = 0
    ) -> tuple[int, bytes]:
        """Winsock ``WSAIoctl``, not overlapped (capability
        :class:`~wsaconnect.backend.SupportsWSAIoctl`): ``(rc, output bytes)``.

        ``code`` is a DWORD (given unsigned or as its signed pattern); ``in_buffer`` is copied
        into a buffer of its own length (None: NULL and 0 bytes); the output buffer has
        ``out_size`` bytes (0: NULL). On success the first ``lpcbBytesReturned`` bytes come
        back; on failure ``b""``, and Winsock's code is in WSAGetLastError.
        """
        command = M.unsigned32(code, "code")
        data = M.in_buffer(in_buffer)
        size = M.c_int(out_size, "out_size", 0, M.U32_MAX)
        c_in, c_out = _C.ioctl_buffers(data, size)
        returned = self._local.dword
        returned[0] = 0
        in_size = 0 if data is None else len(data)
        rc: int = lib.wsac_WSAIoctl(s, command, c_in, in_size, c_out, size, returned)
        if rc != 0 or c_out == _NULL:
            return rc, b""
        count = min(int(returned[0]), size)
        return rc, ffi.buffer(c_out, count)[:]

    def getaddrinfo(
        self,
        nodename: str | None,
        servicename: str | None,
        family: int = C.AF_UNSPEC,
        socktype: int = 0,
        protocol: int = 0,
        flags: int = 0,
    ) -> tuple[int, list[tuple[int, int, int, str, AddressTuple]]]:
        """Winsock ``GetAddrInfoW`` (capability :class:`~wsaconnect.backend.SupportsGetaddrinfo`):
        ``(0, [(family, socktype, protocol, canonname, sockaddr), ...])`` or ``(code, [])``.

        The hints are the four ints (every other ADDRINFOW field zero); the list is read, then
        freed with FreeAddrInfoW.
        """
        node, service = _C.wide(nodename, "nodename"), _C.wide(servicename, "servicename")
        hints = _C.addrinfo_hints(
            family=M.c_int(family, "family"),
            socktype=M.c_int(socktype, "socktype"),
            protocol=M.c_int(protocol, "protocol"),
            flags=M.c_int(flags, "flags"),
        )
        result = ffi.new("ADDRINFOW **")
        rc: int = lib.GetAddrInfoW(node, service, hints, result)
        if rc != 0:
            return rc, []
        try:
            return rc, _C.addrinfo_list(result[0])
        finally:
            lib.FreeAddrInfoW(result[0])

    def setsockopt(self, s: int, level: int, optname: int, value: object) -> int:
        data: Any
        if value is None:
            data, length = _NULL, 0
        elif isinstance(value, int):  # bool included: a BOOL is a 4-byte int
            data = struct.pack("<I", M.unsigned32(int(value), "value"))
            length = 4
        elif isinstance(value, (bytes, bytearray, memoryview)):
            data = bytes(value)
            length = len(data)
        elif isinstance(value, tuple) and len(value) == 2:
            onoff, linger = (M.c_int(v, "SO_LINGER value", 0, 0xFFFF) for v in value)
            data, length = _LINGER.pack(onoff, linger), _LINGER.size
        else:
            raise TypeError(
                f"value must be an int, bytes, an (l_onoff, l_linger) pair or None, "
                f"not {type(value).__name__}"
            )
        rc: int = lib.setsockopt(s, level, optname, data, length)
        return rc

    def getsockopt(self, s: int, level: int, optname: int) -> tuple[int, Any]:
        local = self._local
        buffer, optlen = local.optval, local.optlen
        # Most options are 4 bytes; Windows answers WSAEFAULT to a shorter buffer, so a
        # WSAEFAULT at 4 bytes means a larger option (SO_PROTOCOL_INFO...): ask again.
        for size in (4, 256):
            ffi.memmove(buffer, bytes(size), size)
            optlen[0] = size
            rc: int = lib.getsockopt(s, level, optname, buffer, optlen)
            if rc == 0 or lib.WSAGetLastError() != E.WSAEFAULT:
                break
        if rc != 0:
            return rc, None
        length = max(0, min(int(optlen[0]), 256))
        raw: bytes = ffi.buffer(buffer, length)[:]
        if level == C.SOL_SOCKET and optname == C.SO_LINGER and length >= _LINGER.size:
            return rc, _LINGER.unpack_from(raw)
        if length in (1, 2, 4, 8):
            return rc, int.from_bytes(raw, "little")
        return rc, raw

    def getsockname(self, s: int) -> tuple[int, AddressTuple | None]:
        local = self._local
        local.namelen[0] = _STORAGE
        rc: int = lib.wsac_getsockname(s, local.name, local.namelen)
        return rc, (None if rc != 0 else _C.address(local.name, local.namelen[0]))

    def getpeername(self, s: int) -> tuple[int, AddressTuple | None]:
        local = self._local
        local.namelen[0] = _STORAGE
        rc: int = lib.wsac_getpeername(s, local.name, local.namelen)
        return rc, (None if rc != 0 else _C.address(local.name, local.namelen[0]))

    # --- connecting ------------------------------------------------------------------------

    def connect(self, s: int, name: Name | None, namelen: int | None = None) -> int:
        try:
            raw, length = M.sockaddr(name, namelen)
        except M.Rejected as rejected:
            return int(self._fail(rejected.code))
        rc: int = lib.wsac_connect(s, raw, length)
        return rc

    def WSAConnect(
        self,
        s: int,
        name: Name | None,
        namelen: int | None = None,
        caller_data: bytes | None = None,
        callee_data: WSABUF | None = None,
        sqos: QOS | None = None,
        gqos: QOS | None = None,
    ) -> int:
        rc: int
        # The fast path: a remembered (host, port) and no connect data or QOS (bench_native.py).
        if (
            type(name) is tuple
            and len(name) == 2
            and type(name[1]) is int
            and namelen is None
            and caller_data is None
            and callee_data is None
            and sqos is None
            and gqos is None
        ):
            raw = M.SOCKADDRS(name)  # a bad host or port raises as M.sockaddr would
            rc = _WSACONNECT(s, raw, len(raw), _NULL, _NULL, _NULL, _NULL)
            return rc
        try:
            raw, length = M.sockaddr(name, namelen)
            if caller_data is None and callee_data is None and sqos is None and gqos is None:
                rc = _WSACONNECT(s, raw, length, _NULL, _NULL, _NULL, _NULL)
                return rc
            keep: list[Any] = []
            caller = _NULL if caller_data is None else _C.wsabuf(caller_data, keep, "caller_data")
            callee = _NULL
            if callee_data is not None:
                if not isinstance(callee_data, WSABUF):
                    raise TypeError(
                        f"callee_data must be a WSABUF or None, not {type(callee_data).__name__}"
                    )
                callee = _C.wsabuf(callee_data, keep, "callee_data")
            c_sqos, c_gqos = _C.qos(sqos, keep, "sqos"), _C.qos(gqos, keep, "gqos")
        except M.Rejected as rejected:
            return int(self._fail(rejected.code))
        rc = lib.wsac_WSAConnect(s, raw, length, caller, callee, c_sqos, c_gqos)
        if callee_data is not None:
            # WSAConnect writes the callee data and its length back (0 over TCP/IP).
            received = int(callee.len)
            if isinstance(callee_data.buf, bytearray) and callee.buf != _NULL:
                count = min(received, len(callee_data.buf))
                callee_data.buf[:count] = ffi.buffer(callee.buf, count)[:]
            callee_data.len = received
        return rc

    def _address_lengths(
        self, local_length: int | None, remote_length: int | None
    ) -> tuple[Any, Any, Any, Any]:
        """``(LocalAddressLength, LocalAddress, RemoteAddressLength, RemoteAddress)``.

        None is a NULL length pointer, and then a NULL buffer too. A buffer is always a whole
        SOCKADDR_STORAGE, whatever the length claims, so Winsock cannot write past it.
        """
        local = self._local
        out: list[Any] = []
        for length, pointer, buffer, what in (
            (local_length, local.dword, local.name, "local_address_length"),
            (remote_length, local.dword2, local.name2, "remote_address_length"),
        ):
            if length is None:
                out += [_NULL, _NULL]
            else:
                pointer[0] = M.c_int(length, what, 0, M.U32_MAX)
                out += [pointer, buffer]
        return out[0], out[1], out[2], out[3]

    def _connected(
        self, ok: int, llen: Any, lbuf: Any, rlen: Any, rbuf: Any
    ) -> tuple[bool, AddressTuple | None, AddressTuple | None]:
        if not ok:
            return False, None, None
        local = None if llen == _NULL else _C.address(lbuf, int(llen[0]))
        remote = None if rlen == _NULL else _C.address(rbuf, int(rlen[0]))
        return True, local, remote

    def WSAConnectByList(
        self,
        s: int,
        addresses: Sequence[Name],
        timeout: float | None = None,
        reserved: object = None,
        *,
        local_address_length: int | None = C.SOCKADDR_STORAGE_SIZE,
        remote_address_length: int | None = C.SOCKADDR_STORAGE_SIZE,
    ) -> tuple[bool, AddressTuple | None, AddressTuple | None]:
        if isinstance(addresses, (str, bytes, bytearray)) or not isinstance(addresses, Sequence):
            raise TypeError(f"addresses must be a list of sockaddrs, not {type(addresses)}")
        try:
            names = [M.sockaddr(a, None, "addresses item")[0] for a in addresses]
        except M.Rejected as rejected:
            return self._fail(rejected.code, (False, None, None))  # type: ignore[no-any-return]
        keep: list[Any] = []
        address_list = _C.socket_address_list(names, keep)
        tv = _C.timeval(timeout)
        c_reserved = _C.reserved(reserved)
        llen, lbuf, rlen, rbuf = self._address_lengths(local_address_length, remote_address_length)
        ok: int = lib.wsac_WSAConnectByList(s, address_list, llen, lbuf, rlen, rbuf, tv, c_reserved)
        return self._connected(ok, llen, lbuf, rlen, rbuf)

    def WSAConnectByName(
        self,
        s: int,
        nodename: str | None,
        servicename: str | None,
        timeout: float | None = None,
        reserved: object = None,
        *,
        local_address_length: int | None = C.SOCKADDR_STORAGE_SIZE,
        remote_address_length: int | None = C.SOCKADDR_STORAGE_SIZE,
    ) -> tuple[bool, AddressTuple | None, AddressTuple | None]:
        node, service = _C.wide(nodename, "nodename"), _C.wide(servicename, "servicename")
        tv = _C.timeval(timeout)
        c_reserved = _C.reserved(reserved)
        llen, lbuf, rlen, rbuf = self._address_lengths(local_address_length, remote_address_length)
        ok: int = lib.wsac_WSAConnectByNameW(
            s, node, service, llen, lbuf, rlen, rbuf, tv, c_reserved
        )
        return self._connected(ok, llen, lbuf, rlen, rbuf)

    # --- data ------------------------------------------------------------------------------

    def send(self, s: int, data: bytes, flags: int = 0) -> int:
        buffer, length = _C.data(data)
        rc: int = lib.send(s, buffer, M.c_int(length, "len(data)"), flags)
        return rc

    def _recv_buffer(self, bufsize: int) -> Any:
        size = M.c_int(bufsize, "bufsize", 0)
        return self._local.data if size <= _RECV_BUFFER else ffi.new("char[]", size)

    def recv(self, s: int, bufsize: int, flags: int = 0) -> tuple[int, bytes]:
        buffer = self._recv_buffer(bufsize)
        rc: int = lib.recv(s, buffer, bufsize, flags)
        return rc, (ffi.buffer(buffer, rc)[:] if rc > 0 else b"")

    def sendto(
        self, s: int, data: bytes, flags: int, to: Name | None, tolen: int | None = None
    ) -> int:
        buffer, length = _C.data(data)
        if to is None:
            # A NULL ``to`` is C's way on a connected socket; a length with it would point
            # Winsock at address 0.
            if tolen:
                return int(self._fail(E.WSAEFAULT))
            raw: Any = _NULL
            size = 0
        else:
            try:
                raw, size = M.sockaddr(to, tolen, "to")
            except M.Rejected as rejected:
                return int(self._fail(rejected.code))
        rc: int = lib.wsac_sendto(s, buffer, M.c_int(length, "len(data)"), flags, raw, size)
        return rc

    def recvfrom(
        self, s: int, bufsize: int, flags: int = 0
    ) -> tuple[int, bytes, AddressTuple | None]:
        buffer = self._recv_buffer(bufsize)
        local = self._local
        local.namelen[0] = _STORAGE
        rc: int = lib.wsac_recvfrom(s, buffer, bufsize, flags, local.name, local.namelen)
        if rc == C.SOCKET_ERROR:
            return rc, b"", None
        data: bytes = ffi.buffer(buffer, rc)[:] if rc > 0 else b""
        return rc, data, _C.address(local.name, local.namelen[0])

    # --- readiness -------------------------------------------------------------------------

    def select(
        self,
        readfds: Sequence[int],
        writefds: Sequence[int],
        exceptfds: Sequence[int],
        timeout: float | None = None,
    ) -> tuple[int, list[int], list[int], list[int]]:
        keep: list[Any] = []
        sets = [
            _C.fd_set(M.handles(fds, what), keep)
            for fds, what in (
                (readfds, "readfds"),
                (writefds, "writefds"),
                (exceptfds, "exceptfds"),
            )
        ]
        tv = _C.timeval(timeout)
        rc: int = lib.select(0, sets[0], sets[1], sets[2], tv)
        if rc == C.SOCKET_ERROR:
            return rc, [], [], []
        return rc, _C.fd_list(sets[0]), _C.fd_list(sets[1]), _C.fd_list(sets[2])

    def WSACreateEvent(self) -> int:
        handle: int = lib.wsac_WSACreateEvent()
        return handle

    def WSACloseEvent(self, h: int) -> bool:
        return bool(lib.wsac_WSACloseEvent(h))

    def WSASetEvent(self, h: int) -> bool:
        return bool(lib.wsac_WSASetEvent(h))

    def WSAResetEvent(self, h: int) -> bool:
        return bool(lib.wsac_WSAResetEvent(h))

    def WSAEventSelect(self, s: int, h: int, mask: int) -> int:
        rc: int = lib.wsac_WSAEventSelect(s, h, M.signed32(mask, "mask"))
        return rc

    def WSAWaitForMultipleEvents(
        self, events: Sequence[int], wait_all: bool, timeout_ms: int, alertable: bool = False
    ) -> int:
        handles = M.handles(events, "events")
        array = ffi.new("uintptr_t[]", max(len(handles), 1))
        for index, handle in enumerate(handles):
            array[index] = handle
        result: int = lib.wsac_WSAWaitForMultipleEvents(
            len(handles),
            array,
            bool(wait_all),
            M.unsigned32(timeout_ms, "timeout_ms"),
            bool(alertable),
        )
        return result

    def WSAEnumNetworkEvents(self, s: int, h: int) -> tuple[int, int, list[int]]:
        events = self._local.events
        ffi.memmove(events, bytes(ffi.sizeof("WSANETWORKEVENTS")), ffi.sizeof("WSANETWORKEVENTS"))
        rc: int = lib.wsac_WSAEnumNetworkEvents(s, h, events)
        return rc, int(events.lNetworkEvents), [int(code) for code in events.iErrorCode]

    # --- window messages -------------------------------------------------------------------

    def WSAAsyncSelect(self, s: int, hwnd: int, msg: int, mask: int) -> int:
        rc: int = lib.wsac_WSAAsyncSelect(
            s, hwnd, M.c_int(msg, "msg", 0, M.U32_MAX), M.signed32(mask, "mask")
        )
        return rc

    def create_message_window(self) -> int:
        """A message-only window (parent HWND_MESSAGE) of the calling thread; 0 on failure."""
        hwnd: int = lib.wsac_create_message_window()
        return hwnd

    def destroy_message_window(self, hwnd: int) -> bool:
        """Destroy a window made by :meth:`create_message_window` (from the same thread)."""
        return bool(lib.wsac_destroy_window(hwnd))

    def get_messages(self, hwnd: int) -> list[tuple[int, int, int]]:
        """Remove and return the queued messages of ``hwnd`` (PeekMessage, PM_REMOVE)."""
        local = self._local
        messages: list[tuple[int, int, int]] = []
        while lib.wsac_peek_message(hwnd, local.message, local.wparam, local.lparam):
            messages.append((int(local.message[0]), int(local.wparam[0]), int(local.lparam[0])))
        return messages

    def socket_object(self, s: int, family: int, type: int, proto: int = 0) -> _socket.socket:
        """A ``socket.socket`` that owns the SOCKET handle ``s`` (closing it closes ``s``).

        The family and type are given, not asked of Winsock: CPython would ask with
        WSADuplicateSocket, which Wine 8 fails (WSAEINVAL, seen here).

        Raises:
            OSError: ``s`` is not a socket (WSAENOTSOCK, from the socket module).
        """
        return _socket.socket(family, type, proto, fileno=s)
