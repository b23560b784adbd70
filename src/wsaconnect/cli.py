"""The command line, ``python -m wsaconnect``: ``demo`` and ``probe``.

This module owns argument parsing and presentation: the attempt timeline drawn in the
terminal, and the ``--json`` form for machines. The work is the Pythonic API's
(:func:`wsaconnect.connect_by_list`); the simulator is imported only when a command runs on it.
"""

from __future__ import annotations

import argparse
import json
import socket as _socket
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from wsaconnect import addresses as A
from wsaconnect import constants as C
from wsaconnect import errors as E
from wsaconnect.api import AttemptRecord, RecordsAttempts, connect_by_list
from wsaconnect.backend import Backend, BackendUnavailable, native_backend

if TYPE_CHECKING:
    import wsasim

DESCRIPTION = """\
Winsock's WSAConnectByList from Python, and a simulator that reproduces Windows' timing.

  demo    a dual-stack connect on the simulator: a dead IPv6 address (21 s SYN timeout), a
          refusing port (about 2 s on Windows), then a live IPv4 server; draws the timeline
  probe   connect for real with WSAConnectByList (Windows), or on the simulator with --sim

Examples:
  python -m wsaconnect demo
  python -m wsaconnect demo --json
  python -m wsaconnect probe example.net:443 [2001:db8::1]:443      (Windows)
  python -m wsaconnect probe --sim --dead 2001:db8::1 [2001:db8::1]:443 192.0.2.1:443
"""


@dataclass
class Report:
    """What a run found: the attempts, the outcome, the time it took."""

    backend: str
    attempts: list[AttemptRecord] = field(default_factory=list)
    local: Any = None
    remote: Any = None
    error: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "connected": not self.error,
            "error": E.name(self.error) if self.error else None,
            "local": self.local,
            "remote": self.remote,
            "seconds": round(self.seconds, 6),
            "attempts": [
                {
                    "local": str(a.local),
                    "remote": str(a.remote),
                    "started": round(a.started, 6),
                    "ended": None if a.ended is None else round(a.ended, 6),
                    "outcome": a.outcome,
                }
                for a in self.attempts
            ],
        }


def parse_endpoint(text: str) -> tuple[str, int]:
    """``"192.0.2.1:443"`` or ``"[2001:db8::1]:443"`` as ``(host, port)``.

    Raises:
        argparse.ArgumentTypeError: not HOST:PORT with a port in 1-65535.
    """
    host, sep, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not port.isdigit() or not 0 < int(port) <= 0xFFFF:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT ([v6addr]:PORT for IPv6)")
    return host, int(port)


# --- drawing --------------------------------------------------------------------------------


def _glyphs(stream: TextIO) -> tuple[str, str, str]:
    try:
        "█·✓".encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "#", ".", "+"
    return "█", "·", "✓"


def draw_timeline(report: Report, stream: TextIO, width: int = 48) -> None:
    """Draw each attempt as a bar on one time axis."""
    bar, gap, tick = _glyphs(stream)
    total = max([report.seconds] + [a.ended or 0.0 for a in report.attempts]) or 1.0
    scale = width / total
    label_width = max([len(str(a.remote)) for a in report.attempts] + [6])
    marks = "".join(f"{total * i / 4:<{width // 4}.4g}" for i in range(4))
    stream.write(f"  {'remote':<{label_width}}  {marks}{total:.4g} s\n")
    for a in report.attempts:
        end = report.seconds if a.ended is None else a.ended
        start_col = int(a.started * scale)
        length = max(1, int(end * scale) - start_col)
        line = gap * start_col + bar * length
        outcome = f"{tick} connected" if a.outcome == "connected" else a.outcome
        took = end - a.started
        stream.write(f"  {a.remote!s:<{label_width}}  {line:<{width}} {outcome} ({took:.3f} s)\n")
    if report.error:
        stream.write(f"\nfailed: {E.name(report.error)} after {report.seconds:.3f} s\n")
    else:
        stream.write(
            f"\nconnected {report.local} -> {report.remote} after {report.seconds:.3f} s\n"
        )


# --- running ----------------------------------------------------------------------------------


def _dual_stack_connect(backend: Backend, targets: Sequence[tuple[str, int]]) -> Report:
    s = backend.socket(C.AF_INET6, C.SOCK_STREAM, C.IPPROTO_TCP)
    backend.setsockopt(s, C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0)
    mapped = [A.map_tuple(t) for t in targets]
    # The simulator records its attempts; Winsock doesn't.
    recorder = backend if isinstance(backend, RecordsAttempts) else None
    report = Report(backend="native" if recorder is None else "sim")
    before = 0 if recorder is None else len(recorder.attempts)
    started = time.perf_counter()
    try:
        connection = connect_by_list(s, mapped, backend=backend)
        report.local, report.remote = connection.local, connection.remote
        report.attempts = list(connection.attempts)
    except E.WinsockError as exc:
        report.error = exc.winerror
        if recorder is not None:  # the failed call's attempts
            report.attempts = list(recorder.attempts[before:])
    finally:
        backend.closesocket(s)
    report.seconds = time.perf_counter() - started
    return report


def _simulated(
    targets: Sequence[tuple[str, int]],
    *,
    profile: str,
    dead: Sequence[str] = (),
    refused: Sequence[tuple[str, int]] = (),
) -> tuple[Report, wsasim.Network]:
    import wsasim

    net = wsasim.Network(profile=profile, latency=0.020)
    client = net.add_host("client", ["192.0.2.10/24", "2001:db8::10/64"])
    servers: dict[str, wsasim.Host] = {}
    for host, port in targets:
        key = A.from_tuple((host, 0)).host
        if key not in servers and not A.is_loopback(A.from_tuple((host, 0)).packed):
            prefix = 128 if ":" in key else 32
            servers[key] = net.add_host(f"server{len(servers) + 1}", [f"{key}/{prefix}"])
        if (host, port) not in refused and key in servers:
            servers[key].listen(port)
    for address in dead:
        net.blackhole(address)
    client.winsock.WSAStartup(C.WINSOCK_VERSION)
    report = _dual_stack_connect(client.winsock, targets)
    report.seconds = net.now
    return report, net


def _emit(report: Report, args: argparse.Namespace, title: str) -> int:
    if args.json:
        json.dump(report.as_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(f"{title}\n\n")
        draw_timeline(report, sys.stdout)
    return 0 if not report.error else 1


def run_demo(args: argparse.Namespace) -> int:
    """The dual-stack scenario on the simulator."""
    targets = [("2001:db8::20", 443), ("2001:db8::21", 443), ("192.0.2.20", 443)]
    report, net = _simulated(
        targets, profile=args.profile, dead=["2001:db8::20"], refused=[("2001:db8::21", 443)]
    )
    wall = time.perf_counter() - args.started
    title = (
        f'WSAConnectByList on the simulator (profile "{args.profile}", 20 ms one way): '
        "2001:db8::20 is dead, 2001:db8::21 refuses, 192.0.2.20 listens.\n"
        f"{net.now:.3f} virtual seconds in {wall * 1000:.1f} ms of wall time."
    )
    return _emit(report, args, title)


def _with_progress(work: Any, stream: TextIO) -> Report:
    """Run ``work()`` in a thread, showing the elapsed time on a terminal meanwhile."""
    result: list[Report] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    started = time.perf_counter()
    thread.start()
    while thread.is_alive():
        thread.join(0.25)
        if stream.isatty():
            stream.write(f"\r  connecting... {time.perf_counter() - started:5.1f} s")
            stream.flush()
    if stream.isatty():
        stream.write("\r" + " " * 40 + "\r")
    return result[0]


def run_probe(args: argparse.Namespace) -> int:
    """Connect to the endpoints, for real or on the simulator."""
    if args.sim:
        report, _ = _simulated(
            args.endpoints, profile=args.profile, dead=args.dead, refused=args.refuse
        )
        return _emit(report, args, f"probe on the simulator: {len(args.endpoints)} endpoints")
    try:
        backend = native_backend()
    except BackendUnavailable as exc:
        sys.stderr.write(
            f"probe connects with the real WSAConnectByList, which needs Windows: {exc}\n"
            "Run it on the simulator instead with --sim (add --dead ADDR / --refuse HOST:PORT "
            "to shape the simulated network).\n"
        )
        return 2
    resolved = []
    for host, port in args.endpoints:
        for info in _socket.getaddrinfo(host, port, type=_socket.SOCK_STREAM):
            resolved.append((str(info[4][0]), port))
    backend.WSAStartup(C.WINSOCK_VERSION)
    report = _with_progress(lambda: _dual_stack_connect(backend, resolved), sys.stderr)
    note = "(Winsock does not report its individual attempts; the simulator does)"
    return _emit(report, args, f"probe with WSAConnectByList: {resolved} {note}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (``--help`` teaches the commands)."""
    parser = argparse.ArgumentParser(
        prog="python -m wsaconnect",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON instead of a timeline")
    common.add_argument(
        "--profile",
        choices=["documented", "windows"],
        default="windows",
        help="the simulator's profile (default: windows)",
    )
    commands.add_parser(
        "demo", parents=[common], help="a dual-stack connect on the simulator, drawn"
    ).set_defaults(run=run_demo)
    probe = commands.add_parser(
        "probe", parents=[common], help="connect with WSAConnectByList and report the attempts"
    )
    probe.add_argument("endpoints", nargs="+", type=parse_endpoint, metavar="HOST:PORT")
    probe.add_argument("--sim", action="store_true", help="run on the simulator")
    probe.add_argument(
        "--dead", action="append", default=[], metavar="ADDR", help="(--sim) blackhole ADDR"
    )
    probe.add_argument(
        "--refuse",
        action="append",
        default=[],
        type=parse_endpoint,
        metavar="HOST:PORT",
        help="(--sim) nothing listens on HOST:PORT",
    )
    probe.set_defaults(run=run_probe)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    args.started = time.perf_counter()
    status: int = args.run(args)
    return status
