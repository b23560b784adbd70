"""The command line, ``python -m wsaconnect``: ``demo`` and ``probe``.

This module owns the commands: their options and ``--help``, and running each one with one
of two policies, WSAConnectByList (the default) or ``--staggered``
(:func:`wsaconnect.staggered_connect`, Happy Eyeballs), printing the timeline or ``--json``
and writing ``--svg``. The rest is split by concern:

* :mod:`wsaconnect.cli_args`: the syntax of endpoints, addresses, names and seconds, and
  the checks that need no network;
* :mod:`wsaconnect.cli_report`: running a policy and what it found (:class:`Report`: the
  timeline, the JSON form, the pictures);
* :mod:`wsaconnect.cli_sim`: the simulated network ``--sim`` and ``demo`` make;
* :mod:`wsaconnect.svg`: the SVG drawing.

Both policies are given the same destinations: the command line resolves names itself (on
the simulator from ``--name``, natively with the system's getaddrinfo), so that the two
timelines of one scenario differ only by the policy. The simulator is imported only when a
command runs on it. Every ordinary mistake is one line on stderr and exit status 2
(:func:`main`), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import socket as _socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from wsaconnect import addresses as A
from wsaconnect import constants as C
from wsaconnect.addresses import SockAddr
from wsaconnect.backend import BackendUnavailable, native_backend
from wsaconnect.cli_args import (
    UsageError,
    parse_address,
    parse_endpoint,
    parse_name,
    parse_numeric_endpoint,
    parse_seconds,
)
from wsaconnect.cli_report import Report, address_text, connect_with, draw_timeline, policy_name
from wsaconnect.cli_report import timeline_svg as timeline_svg
from wsaconnect.cli_sim import DEMO_SCENARIO, Shape, demo_report, demo_titles, simulate
from wsaconnect.cli_sim import demo_svg as demo_svg
from wsaconnect.staggered import DEFAULT_DELAY

__all__ = ["build_parser", "demo_svg", "main", "parse_endpoint", "timeline_svg"]

PROG = "python -m wsaconnect"

DESCRIPTION = """\
Winsock's WSAConnectByList from Python, and a simulator that reproduces Windows' timing.

  demo    a dual-stack connect on the simulator: a dead IPv6 address (21 s SYN timeout), a
          refusing port (about 2 s on Windows), then a live IPv4 server; draws the timeline
  probe   connect for real (Windows), or on the simulator with --sim

Both connect with WSAConnectByList, or with --staggered with staggered_connect (Happy
Eyeballs, RFC 8305: a new attempt every --delay seconds, the first to connect wins).
Exit status: 0 connected, 1 the connect failed, 2 a mistake on the command line.

Examples:
  python -m wsaconnect demo
  python -m wsaconnect demo --staggered --svg timeline.svg
  python -m wsaconnect probe example.net:443 [2001:db8::1]:443      (Windows)
  python -m wsaconnect probe --sim --dead 2001:db8::1 [2001:db8::1]:443 192.0.2.1:443
  python -m wsaconnect probe --sim --staggered --name app.example=2001:db8::1,192.0.2.1 \\
      --dead 2001:db8::1 app.example:443
"""

DEMO_HELP = """\
The demo's scenario on the simulator (client 192.0.2.10/24 and 2001:db8::10/64, 20 ms one
way to every server): 2001:db8::20 is dead (blackholed), nothing listens on
[2001:db8::21]:443, 192.0.2.20 listens on 443. WSAConnectByList tries them one at a time
(23.16 s under the windows profile); --staggered races them (0.29 s). To compare the two:

  python -m wsaconnect demo --svg bylist.svg
  python -m wsaconnect demo --staggered --svg staggered.svg
"""

PROBE_HELP = """\
Connect to the HOST:PORT endpoints with WSAConnectByList (or --staggered, staggered_connect)
and show the attempts: natively (Windows; names resolve with the system's getaddrinfo), or
with --sim on a simulated network (client 192.0.2.10/24 and 2001:db8::10/64, 20 ms one way),
where every destination gets a server host listening on its port (a loopback one is the
client itself) unless --refuse or --dead says otherwise, and a name resolves only to the
addresses --name gives it. For example:

  python -m wsaconnect probe --sim --staggered --name app.example=2001:db8::1,192.0.2.1 \\
      --dead 2001:db8::1 app.example:443
"""

EPILOG = """\
Exit status: 0 connected, 1 the connect failed, 2 a mistake on the command line (one line on
stderr). --json writes every address as "192.0.2.1:443" or "[2001:db8::1]:443" (null where
not known) and times in seconds from the start of the call.
"""


# --- the commands ---------------------------------------------------------------------------


def _write_svg(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except OSError as exc:
        raise UsageError(f"--svg: cannot write {path!r}: {exc.strerror or exc}") from None


def _emit(report: Report, args: argparse.Namespace, heading: str, titles: tuple[str, str]) -> int:
    if args.svg is not None:
        _write_svg(args.svg, timeline_svg(report, *titles))
    if args.json:
        json.dump(report.as_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(f"{heading}\n\n")
        draw_timeline(report, sys.stdout)
    return 0 if not report.error else 1


def run_demo(args: argparse.Namespace) -> int:
    """The dual-stack scenario on the simulator."""
    profile = args.profile or "windows"
    report = demo_report(
        staggered=args.staggered, profile=profile, delay=args.delay, timeout=args.timeout
    )
    wall = time.perf_counter() - args.started
    policy = policy_name(args.staggered, args.delay)
    heading = (
        f'{policy} on the simulator (profile "{profile}", 20 ms one way): {DEMO_SCENARIO}.\n'
        f"{report.seconds:.3f} virtual seconds in {wall * 1000:.1f} ms of wall time."
    )
    return _emit(report, args, heading, demo_titles(report, profile))


def _with_progress(work: Callable[[], Report], stream: TextIO) -> Report:
    """Run ``work()`` in a thread, showing the elapsed time on a terminal meanwhile."""
    result: list[Report] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # handed to the waiting thread
            failure.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    started = time.perf_counter()
    thread.start()
    while thread.is_alive():
        thread.join(0.25)
        if stream.isatty():
            stream.write(f"\r  connecting... {time.perf_counter() - started:5.1f} s")
            stream.flush()
    if stream.isatty():
        stream.write("\r" + " " * 40 + "\r")
    if failure:
        raise failure[0]
    return result[0]


def resolve_natively(endpoints: Sequence[tuple[str, int]]) -> list[SockAddr]:
    """The destinations of ``endpoints`` with the system's getaddrinfo (numeric ones as
    they are), in its order, without repeats.

    Raises:
        UsageError: a name that does not resolve (socket.gaierror).
    """
    found: list[SockAddr] = []
    for host, port in endpoints:
        try:
            candidates = [A.from_tuple((host, port))]
        except ValueError:
            try:
                infos = _socket.getaddrinfo(host, port, type=_socket.SOCK_STREAM)
            except (OSError, UnicodeError) as exc:
                raise UsageError(f"{host!r} does not resolve: {exc}") from None
            candidates = []
            for family, _, _, _, sockaddr in infos:
                if family in (_socket.AF_INET, _socket.AF_INET6):
                    try:
                        candidates.append(A.from_tuple((str(sockaddr[0]), port, *sockaddr[2:])))
                    except ValueError:  # a scoped address written "fe80::1%eth0"
                        continue
        found.extend(d for d in candidates if d not in found)
    if not found:
        raise UsageError(f"no IPv4 or IPv6 address for {', '.join(h for h, _ in endpoints)}")
    return found


def run_probe(args: argparse.Namespace) -> int:
    """Connect to the endpoints, for real or on the simulator."""
    policy = policy_name(args.staggered, args.delay)
    if args.sim:
        profile = args.profile or "windows"
        shape = Shape(dead=args.dead, refused=args.refuse, names=args.name)
        report = simulate(
            args.endpoints,
            profile=profile,
            shape=shape,
            staggered=args.staggered,
            delay=args.delay,
            timeout=args.timeout,
        )
        shown = " ".join(f"{h}:{p}" if ":" not in h else f"[{h}]:{p}" for h, p in args.endpoints)
        where = f'on the simulator (profile "{profile}", 20 ms one way): {shown}'
        return _emit(report, args, f"{policy} {where}", (policy, where))
    try:
        backend = native_backend()
    except BackendUnavailable:  # its advice is the API's; the command line's is --sim
        raise UsageError(
            f"probe connects with the real {policy.split()[0]}, which needs Windows (this is "
            f"{sys.platform}): run it on the simulator with --sim (--dead, --refuse and --name "
            "shape the simulated network)"
        ) from None
    destinations = resolve_natively(args.endpoints)
    backend.WSAStartup(C.WINSOCK_VERSION)
    report = _with_progress(
        lambda: connect_with(
            backend,
            destinations,
            staggered=args.staggered,
            delay=args.delay,
            timeout=args.timeout,
        ),
        sys.stderr,
    )
    shown = " ".join(str(address_text(d)) for d in destinations)
    note = "" if args.staggered else " (Winsock does not report its individual attempts)"
    return _emit(report, args, f"{policy}: {shown}{note}", (policy, shown))


# --- the parser ---------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, whose mistakes are one line (:class:`UsageError`), not the usage text."""

    def error(self, message: str) -> Any:  # argparse's is NoReturn
        raise UsageError(f"{message} (see {self.prog} --help)", self.prog)


def _policy_options() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--staggered",
        action="store_true",
        help="connect with staggered_connect (Happy Eyeballs, RFC 8305) instead of "
        "WSAConnectByList",
    )
    common.add_argument(
        "--delay",
        type=parse_seconds,
        default=None,
        metavar="S",
        help=f"(--staggered) seconds between the starts of attempts (default: {DEFAULT_DELAY})",
    )
    common.add_argument(
        "--timeout",
        type=parse_seconds,
        metavar="S",
        help="WSAConnectByList's timeout (looked at only between attempts), or "
        "staggered_connect's deadline for the whole call (default: none)",
    )
    common.add_argument(
        "--json", action="store_true", help="print the attempts as JSON instead of a timeline"
    )
    common.add_argument(
        "--svg",
        metavar="FILE",
        help="also write the attempt timeline to FILE as an SVG picture (deterministic)",
    )
    common.add_argument(
        "--profile",
        choices=["documented", "windows"],
        help="the simulator's profile (demo, probe --sim): Microsoft's documentation or "
        "what Windows 10/11 does (default: windows)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (``--help`` teaches the commands)."""
    raw = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog=PROG, description=DESCRIPTION, formatter_class=raw)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _policy_options()
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="a dual-stack connect on the simulator, drawn",
        description=DEMO_HELP,
        epilog=EPILOG,
        formatter_class=raw,
    )
    demo.set_defaults(run=run_demo, sim=True)
    probe = commands.add_parser(
        "probe",
        parents=[common],
        help="connect to HOST:PORT endpoints and report the attempts",
        description=PROBE_HELP,
        epilog=EPILOG,
        formatter_class=raw,
    )
    probe.add_argument(
        "endpoints",
        nargs="+",
        type=parse_endpoint,
        metavar="HOST:PORT",
        help="a destination: 192.0.2.1:443, [2001:db8::1]:443 or a name, as example.net:443",
    )
    probe.add_argument("--sim", action="store_true", help="run on the simulator")
    probe.add_argument(
        "--dead",
        action="append",
        default=[],
        type=parse_address,
        metavar="ADDR",
        help="(--sim) blackhole ADDR: its SYNs go unanswered (repeatable)",
    )
    probe.add_argument(
        "--refuse",
        action="append",
        default=[],
        type=parse_numeric_endpoint,
        metavar="ADDR:PORT",
        help="(--sim) nothing listens on ADDR:PORT: connects are refused (repeatable)",
    )
    probe.add_argument(
        "--name",
        action="append",
        default=[],
        type=parse_name,
        metavar="NAME=ADDR,...",
        help="(--sim) NAME resolves to these addresses, in this order (repeatable)",
    )
    probe.set_defaults(run=run_probe)
    return parser


def _check_combinations(args: argparse.Namespace) -> None:
    if args.delay is not None and not args.staggered:
        raise UsageError("--delay is staggered_connect's: add --staggered")
    if args.delay is None:
        args.delay = DEFAULT_DELAY
    if not args.sim:
        given = [
            option
            for option, value in (
                ("--dead", args.dead),
                ("--refuse", args.refuse),
                ("--name", args.name),
                ("--profile", args.profile),
            )
            if value
        ]
        if given:
            raise UsageError(f"{given[0]} shapes the simulated network: add --sim")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 connected, 1 the connect failed, 2 a
    mistake on the command line, written as one line on stderr)."""
    parser = build_parser()
    prog = PROG
    try:
        args = parser.parse_args(argv)
        prog = f"{PROG} {args.command}"
        args.started = time.perf_counter()
        _check_combinations(args)
        status: int = args.run(args)
    except UsageError as exc:
        sys.stderr.write(f"{exc.prog or prog}: error: {exc.message}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        return 130
    except BrokenPipeError:  # the reader went away (| head): no traceback from the flush
        _silence_stdout()
        return 1
    return status


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real descriptor (a captured stream)
        pass
