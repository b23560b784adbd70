"""Python values to the C arguments Winsock takes, and C results back, for the native backend.

This module owns the marshalling of :mod:`wsaconnect._native`: the checks on each argument (a
C ``int``, a DWORD, a list of handles, a timeout that fits a ``timeval``), the SOCKADDR bytes
of address tuples (remembered in a :class:`~wsaconnect.memo.Memo`), the refusal of what
Winsock would read or write outside the memory it is given (:class:`Rejected`, with WSAEFAULT,
the code Windows documents for a pointer that is "not a valid part of the user address
space"), and, through :class:`Marshal` and the cffi ``ffi`` it is given, the C structures:
``timeval``, WSABUF, QOS, ``fd_set``, SOCKET_ADDRESS_LIST, wide strings, WSAIoctl's buffers,
GetAddrInfoW's hints and the ADDRINFOW list it returns, and the SOCKADDRs Winsock writes, read
back as ``socket``-module tuples.

It calls no Winsock function and does not import the compiled module: :mod:`wsaconnect._native`
(its only importer) makes one :class:`Marshal` with the compiled module's ``ffi``, and the tests
make one with an ABI-mode ``ffi`` of the same cdef, on any OS. Which code a failed call gives
is Winsock's business, not this module's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsaconnect import addresses, checks
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.addresses import AddressTuple
from wsaconnect.memo import Memo
from wsaconnect.structures import QOS, WSABUF

#: The range of a C ``int`` (and of a ``long``: 32 bits on Windows).
INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1
#: The largest DWORD / ULONG / u_long.
U32_MAX = 0xFFFFFFFF
#: The size of a SOCKADDR_STORAGE, the buffer every SOCKADDR Winsock writes is read from.
STORAGE = C.SOCKADDR_STORAGE_SIZE
#: The largest ``namelen`` a tuple is zero-padded to (no SOCKADDR is that large).
MAX_PADDED_NAMELEN = 1 << 16


class Rejected(Exception):
    """Input refused before the call, with the code Windows documents for it."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


# --- Numbers ------------------------------------------------------------------------------


def c_int(value: object, what: str, low: int = INT_MIN, high: int = INT_MAX) -> int:
    """A C ``int`` argument (:func:`wsaconnect.checks.integer` with the C range)."""
    return checks.integer(value, what, low, high)


def signed32(value: object, what: str) -> int:
    """A C ``long``/``int`` given as signed or as its unsigned bit pattern (FIONBIO)."""
    number = c_int(value, what, INT_MIN, U32_MAX)
    return number - (1 << 32) if number > INT_MAX else number


def unsigned32(value: object, what: str) -> int:
    """A C ``DWORD``/``u_long``; a negative int is taken as C converts it (-1 is 0xFFFFFFFF)."""
    return c_int(value, what, INT_MIN, U32_MAX) & U32_MAX


def in_buffer(value: object) -> bytes | None:
    """WSAIoctl's input: bytes-like as bytes, or None for a NULL ``lpvInBuffer`` (0 bytes).

    Raises:
        TypeError: anything else.
    """
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"in_buffer must be bytes or None, not {type(value).__name__}")


def handles(values: object, what: str) -> list[int]:
    """A list of SOCKET or HANDLE values (None is none).

    Raises:
        TypeError: not a sequence of ints.
        ValueError: a handle outside 0..INVALID_SOCKET.
    """
    if values is None:
        return []
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{what} must be a list of handles, not {type(values).__name__}")
    return [c_int(v, f"{what} item", 0, C.INVALID_SOCKET) for v in values]


# --- SOCKADDRs ------------------------------------------------------------------------------


def _exact(name: tuple[object, ...]) -> bool:
    """True when the numbers of an address tuple are ints (not 80.0 or True)."""
    if len(name) == 2:
        return type(name[1]) is int
    return all(type(part) is int for part in name[1:])


def _sockaddr_of(name: tuple[object, ...]) -> bytes:
    return addresses.from_tuple(name).to_bytes()


#: The SOCKADDR bytes of recent address tuples. The memo is keyed by value, and 80.0 and True
#: equal and hash like 80 and 1: it is consulted only for tuples whose numbers are ints (the
#: WSAConnect fast path checks that itself).
SOCKADDRS: Memo[tuple[object, ...], bytes] = Memo(_sockaddr_of)


def tuple_bytes(name: tuple[object, ...], what: str = "name") -> bytes:
    """The SOCKADDR bytes of an address tuple.

    Raises:
        TypeError, ValueError: as :func:`wsaconnect.addresses.from_tuple`, naming ``what``.
    """
    try:
        return SOCKADDRS(name) if _exact(name) else _sockaddr_of(name)
    except (TypeError, ValueError):
        addresses.from_tuple(name, what)  # raise again, naming the argument
        raise


def sockaddr(name: object, namelen: object, what: str = "name") -> tuple[bytes, int]:
    """``(bytes, namelen)`` to pass for a ``name``/``namelen`` pair.

    Raises:
        Rejected: WSAEFAULT for what Winsock would fault on (NULL, namelen past the bytes).
        TypeError, ValueError: as addresses.from_tuple, or for ``namelen``.
    """
    if isinstance(name, tuple):
        raw = tuple_bytes(name, what)
        if namelen is None:
            return raw, len(raw)
        length = c_int(namelen, "namelen" if what == "name" else "tolen")
        if length < 0:
            raise Rejected(E.WSAEFAULT)  # Wine 8 faults on a negative namelen (seen here)
        if length > len(raw):
            # A caller's SOCKADDR_STORAGE is larger than the address it holds: zero-pad.
            if length > MAX_PADDED_NAMELEN:
                raise Rejected(E.WSAEFAULT)
            raw += bytes(length - len(raw))
        return raw, length
    if name is None:
        raise Rejected(E.WSAEFAULT)  # NULL: Winsock's WSAEFAULT; Wine 8 crashes (docs/wine.md)
    if isinstance(name, (bytes, bytearray, memoryview)):
        raw = bytes(name)
        if namelen is None:
            return raw, len(raw)
        length = c_int(namelen, "namelen" if what == "name" else "tolen")
        if length < 0 or length > len(raw):
            # Past the buffer, Winsock would read what is not ours; a negative length makes
            # Wine 8 fault (seen here). Windows documents WSAEFAULT for both.
            raise Rejected(E.WSAEFAULT)
        return raw, length
    raise TypeError(
        f"{what} must be a (host, port) or (host, port, flowinfo, scope_id) tuple or bytes, "
        f"not {type(name).__name__}"
    )


# --- C structures, through an ffi -----------------------------------------------------------


class Marshal:
    """The C structures of the native calls, made with ``ffi``.

    Args:
        ffi: the compiled module's ``ffi`` (or, in tests, an ABI-mode FFI of the same cdef).
        fd_setsize: the ``FD_SETSIZE`` the module was compiled with (``fd_array``'s length).
    """

    def __init__(self, ffi: Any, fd_setsize: int) -> None:
        self.ffi = ffi
        self.null: Any = ffi.NULL
        self.fd_setsize = fd_setsize

    def address(self, buffer: Any, length: int) -> AddressTuple | None:
        """The ``socket``-module tuple of a SOCKADDR Winsock wrote, or None if it is none."""
        if length < 2:
            return None
        raw: bytes = self.ffi.buffer(buffer, min(length, STORAGE))[:]
        parsed = addresses.from_bytes(raw)
        return None if parsed is None else parsed.to_tuple()

    def timeval(self, timeout: object) -> Any:
        """A ``struct timeval *`` for ``timeout`` seconds, or NULL for None.

        Raises:
            TypeError, ValueError: as :func:`wsaconnect.checks.timeout` (NaN, an infinity, or
                seconds a 32-bit ``tv_sec`` cannot hold).
        """
        # A negative timeout is valid memory: it is passed, and Winsock answers.
        seconds = checks.timeout(timeout, negative_ok=True)
        if seconds is None:
            return self.null
        tv = self.ffi.new("struct timeval *")
        tv.tv_sec, tv.tv_usec = divmod(round(seconds * 1_000_000), 1_000_000)
        return tv

    def wsabuf(self, value: WSABUF | bytes | bytearray, keep: list[Any], what: str) -> Any:
        """A C ``WSABUF *`` for ``value`` (its memory appended to ``keep``).

        Raises:
            Rejected: WSAEFAULT for a WSABUF whose ``len`` claims more than ``buf`` holds.
            TypeError: neither bytes nor a WSABUF.
        """
        data: bytes | None
        if isinstance(value, WSABUF):
            if value.overruns:
                raise Rejected(E.WSAEFAULT)  # len claims more than buf holds
            data = None if value.buf is None else bytes(value.buf)
            length = value.len
        elif isinstance(value, (bytes, bytearray)):
            data = bytes(value)
            length = len(data)
        else:
            raise TypeError(f"{what} must be bytes, a WSABUF or None, not {type(value).__name__}")
        c_buf = self.ffi.new("WSABUF *")
        if data is not None:
            memory = self.ffi.new("char[]", data)  # a copy Winsock may write into (callee data)
            keep.append(memory)
            c_buf.buf = memory
        c_buf.len = length
        keep.append(c_buf)
        return c_buf

    def qos(self, value: object, keep: list[Any], what: str) -> Any:
        """A C ``QOS *`` for a :class:`wsaconnect.QOS`, or NULL for None."""
        if value is None:
            return self.null
        if not isinstance(value, QOS):
            raise TypeError(f"{what} must be a wsaconnect.QOS or None, not {type(value).__name__}")
        c_qos = self.ffi.new("QOS *")
        for spec, c_spec in (
            (value.sending, c_qos.SendingFlowspec),
            (value.receiving, c_qos.ReceivingFlowspec),
        ):
            c_spec.TokenRate = spec.token_rate
            c_spec.TokenBucketSize = spec.token_bucket_size
            c_spec.PeakBandwidth = spec.peak_bandwidth
            c_spec.Latency = spec.latency
            c_spec.DelayVariation = spec.delay_variation
            c_spec.ServiceType = spec.service_type
            c_spec.MaxSduSize = spec.max_sdu_size
            c_spec.MinimumPolicedSize = spec.minimum_policed_size
        if value.provider_specific is not None:
            provider = self.wsabuf(value.provider_specific, keep, f"{what}.provider_specific")
            c_qos.ProviderSpecific = provider[0]
        keep.append(c_qos)
        return c_qos

    def fd_set(self, sockets: list[int], keep: list[Any]) -> Any:
        """A C ``fd_set *`` holding ``sockets`` (any number), or NULL for none."""
        ffi = self.ffi
        if not sockets:
            return self.null
        if len(sockets) <= self.fd_setsize:
            fds = ffi.new("fd_set *")
            array = fds.fd_array
        else:
            # Winsock reads fd_count entries: a larger set is the documented way past FD_SETSIZE.
            offset = ffi.offsetof("fd_set", "fd_array")
            memory = ffi.new("char[]", offset + len(sockets) * ffi.sizeof("SOCKET"))
            keep.append(memory)
            fds = ffi.cast("fd_set *", memory)
            array = ffi.cast("SOCKET *", memory + offset)
        fds.fd_count = len(sockets)
        for index, handle in enumerate(sockets):
            array[index] = handle
        keep.append(fds)
        return fds

    def fd_list(self, fds: Any) -> list[int]:
        """The sockets a ``fd_set *`` holds (select leaves the ready ones); [] for NULL."""
        if fds == self.null:
            return []
        array = self.ffi.cast("SOCKET *", self.ffi.addressof(fds, "fd_array"))
        return [int(array[i]) for i in range(fds.fd_count)]

    def socket_address_list(self, names: list[bytes], keep: list[Any]) -> Any:
        """A C ``SOCKET_ADDRESS_LIST *`` of the SOCKADDRs ``names`` (memory kept in ``keep``)."""
        ffi = self.ffi
        offset = ffi.offsetof("SOCKET_ADDRESS_LIST", "Address")
        memory = ffi.new("char[]", offset + max(len(names), 1) * ffi.sizeof("SOCKET_ADDRESS"))
        keep.append(memory)
        address_list = ffi.cast("SOCKET_ADDRESS_LIST *", memory)
        address_list.iAddressCount = len(names)
        # The struct declares Address[1]: index the entries through a plain pointer.
        entries = ffi.cast("SOCKET_ADDRESS *", memory + offset)
        for index, raw in enumerate(names):
            c_raw = ffi.new("char[]", raw)
            keep.append(c_raw)
            entries[index].lpSockaddr = ffi.cast("struct sockaddr *", c_raw)
            entries[index].iSockaddrLength = len(raw)
        return address_list

    def wide(self, value: object, what: str) -> Any:
        """A NUL-terminated ``wchar_t[]`` for a str, or NULL for None.

        Raises:
            TypeError: not a str or None.
            ValueError: it holds a NUL (C would stop there).
        """
        if value is None:
            return self.null
        if not isinstance(value, str):
            raise TypeError(f"{what} must be a str or None, not {type(value).__name__}")
        if "\0" in value:
            raise ValueError(f"{what} must not contain NUL")
        return self.ffi.new("wchar_t[]", value)

    def data(self, data: object) -> tuple[Any, int]:
        """``(buffer, length)`` for send/sendto: bytes as they are, other buffers shared.

        Raises:
            TypeError: not bytes-like.
        """
        if isinstance(data, bytes):
            return data, len(data)
        if isinstance(data, (bytearray, memoryview)):
            view = self.ffi.from_buffer(data)
            return view, len(view)
        raise TypeError(f"data must be bytes-like, not {type(data).__name__}")

    def reserved(self, value: object) -> Any:
        """The ``Reserved`` LPWSAOVERLAPPED of the connect calls: NULL for None; anything else
        a zeroed WSAOVERLAPPED-sized block, valid memory, for Winsock to refuse (WSAEINVAL)."""
        return self.null if value is None else self.ffi.new("char[]", 64)

    def ioctl_buffers(self, data: bytes | None, out_size: int) -> tuple[Any, Any]:
        """``(lpvInBuffer, lpvOutBuffer)`` of WSAIoctl: copies Winsock may write into (its
        buffers are LPVOID, not const), NULL for no input or an ``out_size`` of 0."""
        new, null = self.ffi.new, self.null
        c_in = null if data is None else new("char[]", data)
        c_out = null if out_size == 0 else new("char[]", out_size)
        return c_in, c_out

    def addrinfo_hints(self, family: int, socktype: int, protocol: int, flags: int) -> Any:
        """GetAddrInfoW's ``pHints``: those four fields, every other one zero or NULL (the
        page: they "must be zero or NULL")."""
        hints = self.ffi.new("ADDRINFOW *")
        hints.ai_flags, hints.ai_family = flags, family
        hints.ai_socktype, hints.ai_protocol = socktype, protocol
        return hints

    def addrinfo_list(self, first: Any) -> list[tuple[int, int, int, str, AddressTuple]]:
        """The ``ADDRINFOW`` list from ``first`` as ``(family, socktype, protocol, canonname,
        sockaddr)`` tuples ("" for a NULL ``ai_canonname``; an entry whose address is of no
        family :mod:`wsaconnect.addresses` reads is left out). It does not free the list."""
        ffi, results = self.ffi, []
        entry = first
        while entry != self.null:
            address = None
            if entry.ai_addr != self.null:
                raw = ffi.cast("char *", entry.ai_addr)
                address = self.address(raw, int(entry.ai_addrlen))
            if address is not None:
                name = entry.ai_canonname
                canonname: str = "" if name == self.null else ffi.string(name)
                row = (entry.ai_family, entry.ai_socktype, entry.ai_protocol)
                results.append((int(row[0]), int(row[1]), int(row[2]), canonname, address))
            entry = entry.ai_next
        return results
