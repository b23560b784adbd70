"""Tests of the native backend and its build: the compiled module, its constants, Wine's gaps."""
