"""The build script's pure helpers, the cdef and the C source, on every OS (cffi parses and
emits C anywhere).

The C is compiled only on Windows (or cross-compiled by tools/wine/run-native-tests); here it is
checked as text: every constant and error code of the package is declared, the calls Wine 8 or
old Windows lack are never linked statically, and the C source is the file that ships beside
the cdef.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wsaconnect import constants as C
from wsaconnect import errors as E

cffi = pytest.importorskip("cffi", reason="the build script needs cffi")
build_ffi = pytest.importorskip("build_ffi", reason="build_ffi.py is not on sys.path")

#: Names of wsaconnect.constants declared under another name: no header macro has theirs.
DERIVED = {
    "SOCKADDR_IN_SIZE": "WSAC_SOCKADDR_IN_SIZE",
    "SOCKADDR_IN6_SIZE": "WSAC_SOCKADDR_IN6_SIZE",
    "SOCKADDR_STORAGE_SIZE": "WSAC_SOCKADDR_STORAGE_SIZE",
    "WSA_INVALID_EVENT": "WSAC_WSA_INVALID_EVENT",  # a pointer macro, ((WSAEVENT)NULL)
    "TCP_INITIAL_RTO_PARAMETERS_SIZE": "WSAC_TCP_INITIAL_RTO_PARAMETERS_SIZE",  # a sizeof
}
#: Python-only values: documented by Microsoft, but no header defines them.
UNDECLARED = {"CONNECT_TIME_NOT_CONNECTED"}


def public_constants() -> list[str]:
    return [n for n in vars(C) if n.isupper() and isinstance(getattr(C, n), int)]


def test_the_cdef_parses_off_windows() -> None:
    ffi = cffi.FFI()
    ffi.cdef(build_ffi.read_cdef())
    assert ffi.sizeof("WSABUF") >= 8
    assert ffi.typeof("SOCKET") is ffi.typeof("uintptr_t")


def test_every_constant_is_declared_in_the_cdef() -> None:
    declared = set(build_ffi.declared_constants(build_ffi.read_cdef()))
    missing = [
        name
        for name in public_constants()
        if name not in UNDECLARED and DERIVED.get(name, name) not in declared
    ]
    assert missing == []


def test_every_error_code_is_declared_in_the_cdef() -> None:
    declared = set(build_ffi.declared_constants(build_ffi.read_cdef()))
    assert [code.name for code in E.WSAError if code.name not in declared] == []


def test_the_cdef_declares_nothing_the_package_does_not_know() -> None:
    known = set(public_constants()) | {code.name for code in E.WSAError}
    known |= set(DERIVED.values()) | {"WSAC_FD_SETSIZE"}
    assert [n for n in build_ffi.declared_constants(build_ffi.read_cdef()) if n not in known] == []


def test_declared_constants_reads_define_lines_only() -> None:
    text = "#define A ...\n  #define B_2 ...\n#define C 3\nint f(void);\n"
    assert build_ffi.declared_constants(text) == ["A", "B_2"]


def test_the_connect_calls_are_resolved_at_run_time_never_linked() -> None:
    # A static import of WSAConnectByList loads under Wine 8 but aborts when called.
    source = build_ffi.read_c_source()
    for name in ("WSAConnectByList", "WSAConnectByNameW", "WSACancelBlockingCall"):
        assert re.search(rf"(?<![\w\"]){name}\s*\(", source) is None, name
        assert f'"{name}"' in source
    assert "ERROR_PROC_NOT_FOUND" in source


def test_the_c_is_emitted_off_windows(tmp_path: Path) -> None:
    target = tmp_path / "_winsock.c"
    assert build_ffi.main(["--emit-c", str(target)]) == 0
    text = target.read_text()
    assert "#include <winsock2.h>" in text
    assert "Py_LIMITED_API" in text
    assert '"wsaconnect._winsock"' in text


def test_make_ffibuilder_takes_another_cdef() -> None:
    builder = build_ffi.make_ffibuilder("int WSAGetLastError(void);")
    assert builder._assigned_source[0] == build_ffi.MODULE_NAME
    assert builder._assigned_source[3]["libraries"] == ["ws2_32", "user32"]


# --- The C source is a file beside the cdef --------------------------------------------------

PACKAGE = Path(build_ffi.__file__).resolve().parent / "src" / "wsaconnect"


def test_the_c_source_is_the_file_beside_the_cdef() -> None:
    assert build_ffi.C_SOURCE_PATH == PACKAGE / "_winsock_helpers.c"
    assert build_ffi.C_SOURCE_PATH.parent == build_ffi.CDEF_PATH.parent
    text = build_ffi.C_SOURCE_PATH.read_text(encoding="utf-8")
    assert build_ffi.read_c_source() == text
    assert "#include <winsock2.h>" in text
    assert "static int wsac_bind(" in text


def test_set_source_receives_the_c_file() -> None:
    text = build_ffi.C_SOURCE_PATH.read_text(encoding="utf-8")
    assert build_ffi.ffibuilder._assigned_source[:2] == (build_ffi.MODULE_NAME, text)
    assert build_ffi.make_ffibuilder()._assigned_source[1] == text


def test_make_ffibuilder_takes_another_c_source() -> None:
    builder = build_ffi.make_ffibuilder("int f(void);", "static int f(void) { return 0; }")
    assert builder._assigned_source[1] == "static int f(void) { return 0; }"


def test_read_c_source_reads_the_path_it_is_given(tmp_path: Path) -> None:
    other = tmp_path / "other.c"
    other.write_text("/* other */\n", encoding="utf-8")
    assert build_ffi.read_c_source(other) == "/* other */\n"


def test_the_emitted_c_holds_the_c_file_verbatim(tmp_path: Path) -> None:
    target = tmp_path / "_winsock.c"
    assert build_ffi.main(["--emit-c", str(target)]) == 0
    assert build_ffi.C_SOURCE_PATH.read_text(encoding="utf-8") in target.read_text()


def test_every_wsac_function_the_cdef_declares_is_defined_in_the_c_file() -> None:
    declared = set(re.findall(r"\b(wsac_\w+)\s*\(", build_ffi.read_cdef()))
    defined = set(re.findall(r"^static [^;{]*?\b(wsac_\w+)\(", build_ffi.read_c_source(), re.M))
    assert declared
    assert declared - defined == set()


def test_the_sdist_and_the_package_data_carry_the_c_file() -> None:
    root = PACKAGE.parent.parent
    manifest = (root / "MANIFEST.in").read_text(encoding="utf-8").split()
    assert "src/wsaconnect/_winsock_helpers.c" in manifest
    assert "src/wsaconnect/_winsock.cdef.h" in manifest
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")
    with (root / "pyproject.toml").open("rb") as file:
        package_data = tomllib.load(file)["tool"]["setuptools"]["package-data"]["wsaconnect"]
    assert "_winsock_helpers.c" in package_data
    assert not any(pattern.endswith("*.c") for pattern in package_data)  # not cffi's _winsock.c


# --- The reference provider switch: the Wine test build only ----------------------------------


def test_the_reference_provider_is_off_unless_the_environment_asks() -> None:
    assert build_ffi.reference_provider_requested({}) is False
    assert build_ffi.reference_provider_requested({build_ffi.REFERENCE_PROVIDER_ENV: "0"}) is False
    assert build_ffi.reference_provider_requested({build_ffi.REFERENCE_PROVIDER_ENV: "1"}) is True


def test_the_default_build_is_the_c_file_unchanged() -> None:
    text = build_ffi.C_SOURCE_PATH.read_text(encoding="utf-8")
    assert build_ffi.make_ffibuilder(reference_provider=False)._assigned_source[1] == text


def test_the_reference_build_defines_the_switch_ahead_of_the_c_file() -> None:
    text = build_ffi.C_SOURCE_PATH.read_text(encoding="utf-8")
    source = build_ffi.make_ffibuilder(reference_provider=True)._assigned_source[1]
    assert source == "#define WSAC_REFERENCE_PROVIDER 1\n" + text


def test_the_reference_provider_is_loaded_only_under_the_switch() -> None:
    # LoadLibrary is called only inside #ifdef WSAC_REFERENCE_PROVIDER blocks (none nested), so
    # a default build compiles as it did without them.
    source = build_ffi.read_c_source()
    blocks = re.findall(r"#ifdef WSAC_REFERENCE_PROVIDER\n(.*?)#endif", source, re.S)
    assert blocks
    assert not any("#if" in block for block in blocks)
    outside = re.sub(r"#ifdef WSAC_REFERENCE_PROVIDER\n.*?#endif", "", source, flags=re.S)
    assert "LoadLibrary" in source
    assert "LoadLibrary" not in outside
