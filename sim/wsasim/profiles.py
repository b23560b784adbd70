"""Profiles: where the simulator follows the documentation, and where it follows Windows.

This module owns the list of known differences between Microsoft's documentation and what
Windows 10/11 does (docs/simulator.md, docs/windows.md), one flag each, with its source.
The ``"documented"`` profile has every flag off; ``"windows"`` has every flag on. The rest of
the simulator asks a flag, never a profile's name.

It does not hold the TCP timing model: both profiles share it (see :mod:`wsasim.timing`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Profile:
    """One set of behaviours. Each field is a documented-vs-Windows difference."""

    name: str

    #: A UDP connect to a broadcast address succeeds without SO_BROADCAST; send() then works,
    #: while sendto() to the broadcast address still fails with WSAEACCES.
    #: Documented (WSAConnect remarks): the connect fails with WSAEACCES.
    #: Source: docs/windows.md (Wine's dlls/ws2_32/tests/sock.c, passing on Windows).
    udp_broadcast_connect_without_so_broadcast: bool = False

    #: SO_ERROR keeps a failed connect's error: reading it does not clear it, only a successful
    #: connection does. Documented (getsockopt: SO_ERROR "retrieves error status and clear"):
    #: reading clears it. Source: docs/windows.md.
    sticky_so_error: bool = False

    #: After a failed *blocking* connect select still reports the socket in exceptfds.
    #: Documented (select): exceptfds reports a failed connect of a non-blocking socket only.
    #: Source: docs/windows.md.
    exceptfds_after_blocking_failure: bool = False

    #: After a failed *blocking* connect SO_ERROR reads 0 (the call itself returned the error).
    #: Documented: SO_ERROR holds the pending error. Source: Wine's sock.c, test_select (the
    #: blocking connect to a closed port: SO_ERROR 0, exceptfds set).
    so_error_zero_after_blocking_failure: bool = False

    #: While a connect is pending, getpeername already returns the destination.
    #: Documented (getpeername): WSAENOTCONN until connected. Source: docs/windows.md.
    getpeername_while_connecting: bool = False

    #: WSAConnectByName on a UDP socket gives WSAEFAULT (Windows 10 1809 and later).
    #: Documented: WSAEINVAL for a socket that is not connection-oriented.
    #: Source: docs/windows.md; docs/simulator.md.
    by_name_udp_gives_efault: bool = False

    #: The LocalAddress WSAConnectByName returns has port 0.
    #: Documented: the same information as getsockname. Source: docs/windows.md.
    by_name_local_port_zero: bool = False


DOCUMENTED = Profile("documented")
WINDOWS = Profile(
    "windows",
    **{f.name: True for f in fields(Profile) if f.name != "name"},
)

PROFILES = {p.name: p for p in (DOCUMENTED, WINDOWS)}


def get_profile(profile: str | Profile) -> Profile:
    """Return the profile named ``profile`` (or ``profile`` itself).

    Raises:
        TypeError: not a str or Profile.
        ValueError: an unknown name.
    """
    if isinstance(profile, Profile):
        return profile
    if not isinstance(profile, str):
        raise TypeError(f"profile must be a str or Profile, not {type(profile).__name__}")
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(
            f"unknown profile {profile!r}: choose one of {', '.join(sorted(PROFILES))}"
        ) from None
