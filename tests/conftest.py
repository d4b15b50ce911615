"""Marks every test under tests/e2e as ``e2e``, so ``-m "not e2e"`` leaves the browser tests
out (a ``pytestmark`` in a conftest.py marks nothing)."""

import pathlib

import pytest

E2E = pathlib.Path(__file__).resolve().parent / "e2e"


def pytest_collection_modifyitems(items):
    for item in items:
        if E2E in pathlib.Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.e2e)
