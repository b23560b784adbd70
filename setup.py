"""Declares the CFFI extension on Windows only; everywhere else the distribution is pure Python."""

import sys

from setuptools import setup

if sys.platform == "win32":
    setup(cffi_modules=["build_ffi.py:ffibuilder"])
else:
    setup()
