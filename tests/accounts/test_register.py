"""Sign-up: who may, and every bad input."""

import pytest
from sqlalchemy import func, select

from accounts.models import User
from core.extensions import db


def _form(**overrides):
    data = {
        "role": "buyer",
        "name": "Zhang San",
        "company": "Daowai Grain Co.",
        "email": "zhang@example.cn",
        "phone": "+86 451 0000",
        "language": "zh",
        "password": "long-enough-pw",
        "confirm": "long-enough-pw",
    }
    data.update(overrides)
    return data


def _count():
    return db.session.scalar(select(func.count(User.id)))


@pytest.mark.parametrize("role", ["buyer", "farmer"])
def test_buyers_and_farmers_sign_themselves_up(client, role):
    response = client.post_form("/register", _form(role=role))
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.role == role and user.language == "zh"
    assert (
        user.password_hash.startswith(("scrypt:", "pbkdf2:")) and "long-enough-pw" not in user.password_hash
    )
    # Logged in straight away.
    assert "Zhang San" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_operators_and_admins_cannot_sign_up(client, role):
    response = client.post_form("/register", _form(role=role))
    assert response.status_code == 422
    assert _count() == 0


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"email": "not-an-email"}, "valid e-mail"),
        ({"password": "short", "confirm": "short"}, "at least 10 characters"),
        ({"confirm": "something-else"}, "do not match"),
        ({"name": ""}, "required"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_written(client, overrides, message):
    response = client.post_form("/register", _form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_duplicate_email_in_any_case(client):
    assert client.post_form("/register", _form()).status_code == 302
    client.post_form("/logout", {})
    response = client.post_form("/register", _form(email="ZHANG@Example.CN"))
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert _count() == 1


def test_missing_csrf_token_is_refused(client):
    response = client.post_form("/register", _form(), csrf=False)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert _count() == 0
