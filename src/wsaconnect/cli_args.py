"""What the command line accepts (:mod:`wsaconnect.cli`): endpoints, addresses, names and
seconds, each checked when it is parsed so that a mistake is one clear line, never a traceback.

This module owns the syntax and the checks that need no network:

* an endpoint is ``HOST:PORT``: an IPv4 address in dotted-quad form, an IPv6 address in
  brackets (``[2001:db8::1]:443``: without them the port cannot be told apart), or a host name
  (RFC 1123 labels; a name whose last label is all digits is a malformed IPv4 address, as
  ``1.2.3``), and a port 1-65535 in decimal;
* a destination is a unicast address: not the unspecified address (``0.0.0.0``, ``::``),
  not multicast (224.0.0.0/4, ff00::/8), not the limited broadcast 255.255.255.255 (an
  IPv4-mapped address is judged as the IPv4 address it carries);
* seconds are a finite decimal number >= 0.

What a given network makes of an address (the simulated client's own, a subnet broadcast,
a name it does not know) is checked where that network is made (:mod:`wsaconnect.cli`).
"""

from __future__ import annotations

import argparse
import math
import re

from wsaconnect import addresses as A
from wsaconnect import checks
from wsaconnect import constants as C

#: One label of a host name: letters, digits, hyphens (and underscores, which Windows
#: accepts), not starting or ending with a hyphen, at most 63 characters (RFC 1123 2.1).
_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")
_PORT = re.compile(r"-?[0-9]+")


class UsageError(Exception):
    """An ordinary mistake on the command line: its message is the one line printed, after
    ``prog`` (the command that was given, where it is known)."""

    def __init__(self, message: str, prog: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.prog = prog


def _bad(message: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(message)


def check_destination(address: A.SockAddr, text: str) -> A.SockAddr:
    """``address`` (IPv4-mapped ones unmapped) if TCP can connect to it, else the reason.

    Raises:
        argparse.ArgumentTypeError: unspecified, multicast or the limited broadcast.
    """
    plain = A.unmapped(address)
    if A.is_unspecified(plain):
        raise _bad(f"{text!r} is the unspecified address, not a destination")
    if (plain.family == C.AF_INET and plain.packed[0] >> 4 == 0xE) or (
        plain.family == C.AF_INET6 and plain.packed[0] == 0xFF
    ):
        raise _bad(f"{text!r} is a multicast address: TCP connects to one host")
    if A.is_limited_broadcast(plain):
        raise _bad(f"{text!r} is the broadcast address: TCP connects to one host")
    return plain


def _numeric(host: str) -> A.SockAddr | None:
    """``host`` parsed if it is a numeric address, None if it is not one."""
    try:
        return A.from_tuple((host, 0))
    except ValueError:
        return None


def check_name(name: str, text: str) -> str:
    """``name`` if it is a host name (lower-cased, without a final dot).

    Raises:
        argparse.ArgumentTypeError: not a name (and not an address either).
    """
    try:
        ascii_name = name.encode("idna").decode("ascii") if not name.isascii() else name
    except UnicodeError:
        raise _bad(f"{text!r}: {name!r} is not a host name") from None
    labels = ascii_name.rstrip(".").split(".")
    if labels[-1].isdigit() and all(label.isdigit() for label in labels):
        raise _bad(f"{text!r}: {name!r} is not an IPv4 address (four numbers 0-255)")
    if (
        len(ascii_name) > 253
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise _bad(f"{text!r}: {name!r} is not a host name or a numeric address")
    return name.rstrip(".").lower()


def _host(host: str, text: str) -> str:
    """A numeric destination's canonical text, or a checked name."""
    if ":" in host:
        address = _numeric(host)
        if address is None:
            raise _bad(f"{text!r}: {host!r} is not an IPv6 address")
        return check_destination(address, text).host
    address = _numeric(host)
    if address is not None:
        return check_destination(address, text).host
    return check_name(host, text)


def parse_endpoint(text: str) -> tuple[str, int]:
    """``"192.0.2.1:443"``, ``"[2001:db8::1]:443"`` or ``"example.net:443"`` as
    ``(host, port)``: the host a canonical numeric address (IPv4-mapped ones as IPv4) or a
    lower-case name.

    Raises:
        argparse.ArgumentTypeError: the reason it is not such an endpoint.
    """
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise _bad(f"{text!r}: no ']' after the IPv6 address (write [2001:db8::1]:443)")
        host, rest = text[1:close], text[close + 1 :]
        if not rest.startswith(":"):
            raise _bad(f"{text!r}: no ':PORT' after ']' (write [2001:db8::1]:443)")
        if ":" not in host:
            raise _bad(f"{text!r}: brackets are for IPv6 addresses only")
        port_text = rest[1:]
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep:
            raise _bad(f"{text!r}: no port (write HOST:PORT, [IPv6]:PORT for IPv6)")
        if ":" in host:
            raise _bad(f"{text!r}: an IPv6 address needs brackets, as [2001:db8::1]:443")
    if not host:
        raise _bad(f"{text!r}: no host before ':PORT'")
    if not port_text:
        raise _bad(f"{text!r}: no port after ':'")
    return _host(host, text), parse_port(port_text, text)


def parse_port(port_text: str, text: str) -> int:
    """A destination port: decimal, 1-65535.

    Raises:
        argparse.ArgumentTypeError: not a number, or out of range.
    """
    if not _PORT.fullmatch(port_text) or not port_text.isascii():
        raise _bad(f"{text!r}: the port {port_text!r} is not a number")
    digits = port_text.lstrip("-").lstrip("0")
    port = int(port_text) if len(digits) <= 6 else 0x10000  # never a 4,300-digit int()
    if not 0 < port <= 0xFFFF:
        raise _bad(f"{text!r}: the port must be 1-65535, not {port_text}")
    return port


def parse_numeric_endpoint(text: str) -> tuple[str, int]:
    """An endpoint whose host is a numeric address (``--refuse``)."""
    host, port = parse_endpoint(text)
    if _numeric(host) is None:
        raise _bad(f"{text!r}: give a numeric address here, not a name")
    return host, port


def parse_address(text: str) -> str:
    """A numeric destination address, IPv6 with or without brackets (``--dead``), as its
    canonical text.

    Raises:
        argparse.ArgumentTypeError: not a numeric unicast address.
    """
    host = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    address = _numeric(host)
    if address is None:
        raise _bad(f"{text!r} is not a numeric IPv4 or IPv6 address (no port here)")
    return check_destination(address, text).host


def parse_name(text: str) -> tuple[str, list[str]]:
    """``NAME=ADDR[,ADDR...]`` (``--name``) as ``(name, [address, ...])``.

    Raises:
        argparse.ArgumentTypeError: no ``=``, a name that is not one (or ``localhost``, which
            is ``::1`` and 127.0.0.1 already), or an address that is not a numeric one.
    """
    name, sep, listed = text.partition("=")
    if not sep or not name or not listed:
        raise _bad(f"{text!r} is not NAME=ADDR[,ADDR...] (as app.example=2001:db8::1,192.0.2.1)")
    if _numeric(name) is not None:
        raise _bad(f"{text!r}: {name!r} is an address, not a name")
    checked = check_name(name, text)
    if checked == "localhost":
        raise _bad(f"{text!r}: localhost is ::1 and 127.0.0.1 already")
    return checked, [parse_address(a.strip()) for a in listed.split(",")]


def parse_seconds(text: str) -> float:
    """A number of seconds: finite, >= 0, at most what a timeval carries.

    Raises:
        argparse.ArgumentTypeError: not a number, NaN, infinite, negative or too large.
    """
    try:
        number = float(text)
    except ValueError:
        raise _bad(f"{text!r} is not a number of seconds") from None
    if math.isnan(number) or math.isinf(number):
        raise _bad(f"{text!r} is not a finite number of seconds")
    if number < 0:
        raise _bad(f"{text!r}: the seconds must be >= 0")
    if number > checks.TIMEVAL_MAX:
        raise _bad(f"{text!r}: at most {checks.TIMEVAL_MAX} seconds")
    return number
