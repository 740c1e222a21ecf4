"""The C extension is declared here; pyproject.toml holds the metadata."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("fastsum", ["fastsum.c"])])
