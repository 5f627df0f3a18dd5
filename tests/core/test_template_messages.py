"""Jinja's gettext always %-formats its message: a bare ``%`` in a template's message id
("Duty, %") breaks the page in every language. The admin's rates page once did."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MESSAGE = re.compile(r"""\b_\(\s*(["'])(.*?)\1""", re.S)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%")


def test_no_template_message_has_a_bare_percent():
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        for match in MESSAGE.finditer(path.read_text(encoding="utf-8")):
            if "%" in PLACEHOLDER.sub("", match.group(2)):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(2)}")
    assert not offenders


@pytest.mark.parametrize("language", ["en", "ru", "zh"])
def test_the_admins_rates_page_renders_in_every_language(client, login_as, language):
    login_as("admin", language=language)
    response = client.get("/admin/rates")
    assert response.status_code == 200
    assert 'id="duty-rates"' in response.get_data(as_text=True)
