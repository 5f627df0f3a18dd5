"""Exchange rates: CBR daily files to read."""

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def cbr_file():
    return lambda name: (DATA / name).read_bytes()
