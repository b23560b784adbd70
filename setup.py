"""Declares the CFFI extension on Windows only; everywhere else the distribution is pure Python."""

import sys

from setuptools import setup

if sys.platform == "win32":
    # cffi's generated C uses the limited API: one abi3 wheel serves every CPython >= 3.10.
    setup(
        cffi_modules=["build_ffi.py:ffibuilder"],
        options={"bdist_wheel": {"py_limited_api": "cp310"}},
    )
else:
    setup()
