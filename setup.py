"""setuptools reads cffi modules only from here; everything else is in pyproject.toml."""
from setuptools import setup

setup(cffi_modules=["native/build.py:ffibuilder"])
