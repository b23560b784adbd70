"""Name and service resolution for WSAConnectByName on the simulated network.

This module owns how a node name and a service name become addresses and a port:

* a numeric node name (``"192.0.2.20"``, ``"2001:db8::20"``) is itself;
* ``"localhost"`` is ``::1`` then ``127.0.0.1`` (Windows' order);
* any other name is looked up in the network's names (``net.add_name``); an unknown one is
  WSAHOST_NOT_FOUND, as getaddrinfo gives;
* a service is a port number (``"443"``) or a name from the services table below (Windows'
  ``%SystemRoot%\\System32\\drivers\\etc\\services``, TCP entries); an unknown service is
  WSATYPE_NOT_FOUND (docs/windows.md, Wine's tests on Windows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wsaconnect import addresses as A
from wsaconnect import errors as E
from wsaconnect.addresses import SockAddr

if TYPE_CHECKING:
    from wsasim.network import Network

#: Well-known TCP services (a subset of Windows' services file).
SERVICES: dict[str, int] = {
    "echo": 7,
    "discard": 9,
    "daytime": 13,
    "ftp-data": 20,
    "ftp": 21,
    "ssh": 22,
    "telnet": 23,
    "smtp": 25,
    "time": 37,
    "domain": 53,
    "gopher": 70,
    "finger": 79,
    "http": 80,
    "www": 80,
    "www-http": 80,
    "kerberos": 88,
    "pop3": 110,
    "nntp": 119,
    "ntp": 123,
    "epmap": 135,
    "netbios-ssn": 139,
    "imap": 143,
    "ldap": 389,
    "https": 443,
    "microsoft-ds": 445,
    "submission": 587,
    "ldaps": 636,
    "imaps": 993,
    "pop3s": 995,
    "ms-sql-s": 1433,
    "ms-wbt-server": 3389,
}

_LOCALHOST = ("::1", "127.0.0.1")


def service_port(service: str) -> int:
    """The port of ``service``: a number or a name from :data:`SERVICES`.

    Raises:
        WinsockError: WSATYPE_NOT_FOUND for an unknown service or a number over 65535.
    """
    text = service.strip()
    if text.isascii() and text.isdigit() and len(text) <= 5:  # not "²", not 5,000 nines
        port = int(text)
        if port <= 0xFFFF:
            return port
    else:
        port_by_name = SERVICES.get(text.lower())
        if port_by_name is not None:
            return port_by_name
    raise E.error_for_code(E.WSATYPE_NOT_FOUND, f"service {service!r}")


def resolve(network: Network, node: str, port: int) -> list[SockAddr]:
    """The addresses of ``node``, in the order the name service gives them, with ``port``.

    Raises:
        WinsockError: WSAHOST_NOT_FOUND for a name the network does not know.
    """
    try:
        return [A.from_tuple((node, port), "nodename")]
    except ValueError:
        pass  # not numeric: a name
    if node.lower().rstrip(".") == "localhost":
        hosts: list[str] | None = list(_LOCALHOST)
    else:
        hosts = network.resolve(node)
    if not hosts:
        raise E.error_for_code(E.WSAHOST_NOT_FOUND, f"{node!r}")
    return [A.from_tuple((host, port), "nodename") for host in hosts]
