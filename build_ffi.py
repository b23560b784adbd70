"""Build script of the CFFI extension ``wsaconnect._winsock`` (out-of-line API mode).

This module owns ``ffibuilder`` (named by setup.py's ``cffi_modules`` on Windows): an FFI
given the declarations and the C compiled around them, both read from files beside the
package's Python, as data. ``src/wsaconnect/_winsock.cdef.h`` holds the declarations (the
names on the compiled module's ``lib``); ``src/wsaconnect/_winsock_helpers.c`` holds the C
source (Winsock's headers, the ``wsac_*`` wrappers, the run-time resolution of
WSAConnectByList / WSAConnectByNameW / WSACancelBlockingCall, the message-only window for
WSAAsyncSelect). The Python behaviour is ``wsaconnect._native``'s.

Its helpers are pure and run on every OS (tests/native/test_build_ffi.py). Off Windows the C
can be emitted, not compiled, with ``python build_ffi.py --emit-c OUT.c``: that is how
tools/wine/run-native-tests cross-compiles the module with mingw-w64 (docs/wine.md).

The Wine test build only: with ``WSACONNECT_REFERENCE_PROVIDER=1`` in the environment (set by
tools/wine/run-native-tests, nowhere else), the C source is preceded by
``#define WSAC_REFERENCE_PROVIDER 1``, so that a connect call ws2_32.dll lacks is looked up in
``wsac_reference.dll`` beside the extension (tools/wine/wsac_reference.c). Without it (release
wheels, the sdist) the source given to cffi is the file's text, unchanged.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from cffi import FFI  # type: ignore[import-untyped,import-not-found,unused-ignore]

_PACKAGE = Path(__file__).resolve().parent / "src" / "wsaconnect"

#: Where the declarations live, relative to this file.
CDEF_PATH = _PACKAGE / "_winsock.cdef.h"

#: Where the C source compiled around them lives (one translation unit with cffi's code).
C_SOURCE_PATH = _PACKAGE / "_winsock_helpers.c"

#: The import name of the compiled module.
MODULE_NAME = "wsaconnect._winsock"

#: Libraries to link: Winsock, and user32 for the message-only window.
LIBRARIES = ("ws2_32", "user32")

#: The environment variable that turns the reference provider on (the value must be "1").
REFERENCE_PROVIDER_ENV = "WSACONNECT_REFERENCE_PROVIDER"

#: What precedes the C source when it is on.
REFERENCE_PROVIDER_DEFINE = "#define WSAC_REFERENCE_PROVIDER 1\n"

_DEFINE = re.compile(r"^\s*#define\s+([A-Za-z_][A-Za-z0-9_]*)\s+\.\.\.\s*$", re.MULTILINE)


def read_cdef(path: Path = CDEF_PATH) -> str:
    """Return the declarations for ``FFI.cdef``, as the file holds them."""
    return path.read_text(encoding="utf-8")


def read_c_source(path: Path = C_SOURCE_PATH) -> str:
    """Return the C source for ``FFI.set_source``, as the file holds it."""
    return path.read_text(encoding="utf-8")


def declared_constants(cdef: str) -> list[str]:
    """The names the cdef declares as integer constants (``#define NAME ...``), in order."""
    return _DEFINE.findall(cdef)


def reference_provider_requested(environ: Mapping[str, str] | None = None) -> bool:
    """True when :data:`REFERENCE_PROVIDER_ENV` is ``"1"`` (the Wine test build only)."""
    return (os.environ if environ is None else environ).get(REFERENCE_PROVIDER_ENV) == "1"


def make_ffibuilder(
    cdef: str | None = None, c_source: str | None = None, *, reference_provider: bool | None = None
) -> FFI:
    """Return an FFI with the declarations and the C source set, ready to compile or emit.

    Args:
        cdef: the declarations; None reads :data:`CDEF_PATH`.
        c_source: the C source; None reads :data:`C_SOURCE_PATH`.
        reference_provider: precede the source with :data:`REFERENCE_PROVIDER_DEFINE`; None
            asks :func:`reference_provider_requested` (the environment).
    """
    builder = FFI()
    builder.cdef(read_cdef() if cdef is None else cdef)
    source = read_c_source() if c_source is None else c_source
    if reference_provider is None:
        reference_provider = reference_provider_requested()
    if reference_provider:
        source = REFERENCE_PROVIDER_DEFINE + source
    # py_limited_api: one abi3 module for every CPython >= 3.2 (cffi defines Py_LIMITED_API).
    builder.set_source(MODULE_NAME, source, libraries=list(LIBRARIES), py_limited_api=True)
    return builder


ffibuilder = make_ffibuilder()


def main(argv: Sequence[str] | None = None) -> int:
    """``--emit-c OUT.c`` writes the C (works on any OS); without it, compile here (Windows)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emit-c", metavar="OUT.c", type=Path, help="write the C and stop")
    args = parser.parse_args(argv)
    if args.emit_c is not None:
        ffibuilder.emit_c_code(str(args.emit_c))
    else:
        ffibuilder.compile(verbose=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
