"""Catalog fixtures: the reference data the migration seeds (tests/conftest.py empties every table)."""

import pytest

from catalog.seed import ensure_reference_data


@pytest.fixture(autouse=True)
def catalog_reference_data(_app_context):
    ensure_reference_data()
