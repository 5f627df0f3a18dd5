"""Weak passwords are refused everywhere a password is set, with a message in the user's language."""

import pytest

from accounts.passwords import check_password_strength, common_passwords
from core.errors import ValidationFailed
from tests import factories


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaa",
        "1234567890",
        "password12",
        "qwertyuiop",
        "woaini1314",  # on the shipped list
        "woaini1314!!",  # …with punctuation added
        "parol12345",
        "йцукенгшщз",  # the Russian "qwertyuiop"
        "natasha1990",
    ],
)
def test_common_and_guessable_passwords_are_refused(app, password):
    with pytest.raises(ValidationFailed):
        check_password_strength(password)


@pytest.mark.parametrize(
    "password",
    ["ivan.petrov@example.ru", "ivanpetrov2026", "Petrov-Ivan-1", "uvelkaorganic"],
)
def test_a_password_made_of_ones_own_email_name_or_company_is_refused(app, password):
    own = ("ivan.petrov@example.ru", "Ivan Petrov", "Uvelka Organic")
    with pytest.raises(ValidationFailed) as caught:
        check_password_strength(password, user_inputs=own)
    assert "e-mail address, name or company" in str(caught.value.message)


@pytest.mark.parametrize(
    "password", ["correct-horse-battery", "гречка-с-молоком-утром", "荞麦蜂蜜哈尔滨冬天很冷"]
)
def test_strong_passwords_pass(app, password):
    check_password_strength(password, user_inputs=("zhang@example.cn", "Zhang Wei", ""))


def test_the_shipped_list_is_loaded():
    words = common_passwords()
    assert "woaini1314" in words and "йцукен" in words and not any(w.startswith("#") for w in words)


def test_a_very_long_password_is_checked_quickly(app):
    import time

    started = time.perf_counter()
    check_password_strength("x7!Kq" * 200)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    "language, text",
    [("en", "too easy to guess"), ("ru", "слишком легко угадать"), ("zh", "太容易被猜到")],
)
def test_registration_explains_a_weak_password_in_the_visitors_language(client, language, text):
    client.raw.set_cookie("lang", language)
    data = {
        "role": "buyer",
        "name": "Zhang Wei",
        "email": "zhang@example.cn",
        "language": language,
        "password": "Password2026",
        "confirm": "Password2026",
    }
    response = client.post_form("/register", data)
    assert response.status_code == 422
    assert text in response.get_data(as_text=True)


def test_a_password_change_refuses_ones_own_email(client):
    user = factories.UserFactory(email="olga.smirnova@example.ru", name="Olga Smirnova")
    client.login(user)
    data = {
        "password-current_password": factories.PASSWORD,
        "password-new_password": "olga.smirnova@example.ru",
        "password-confirm": "olga.smirnova@example.ru",
        "password-submit": "1",
    }
    response = client.post_form("/profile", data)
    assert response.status_code == 422
    assert "e-mail address, name or company" in response.get_data(as_text=True)
