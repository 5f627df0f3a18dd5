"""Sign-up: who may, every bad input, and an answer that never tells whether an e-mail
address already has an account (the link sent to the address creates it)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from accounts.models import PendingRegistration, User
from core.extensions import db
from core.timeutil import utcnow
from tests import factories

LINK = re.compile(r"https?://\S+/register/confirm/(\S+)")


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


def _link(message) -> str:
    """The confirmation link's path in an e-mail."""
    found = LINK.search(message.get_content())
    assert found, message.get_content()
    return f"/register/confirm/{found.group(1)}"


@pytest.mark.parametrize("role", ["buyer", "farmer"])
def test_the_account_is_made_by_the_link_in_the_email(client, smtp_server, role):
    client.raw.set_cookie("lang", "zh")
    response = client.post_form("/register", _form(role=role))
    assert response.status_code == 302 and response.headers["Location"] == "/register/sent"
    assert _count() == 0  # nothing until the address is confirmed
    assert "请查收电子邮件" in client.get("/register/sent").get_data(as_text=True)
    assert "Zhang San" not in client.get("/").get_data(as_text=True)  # not logged in

    (message,) = smtp_server.messages
    assert message["To"] == "zhang@example.cn"
    assert "确认" in message["Subject"]  # in the language chosen on the form
    link = _link(message)
    page = client.get(link)
    assert page.status_code == 200 and "zhang@example.cn" in page.get_data(as_text=True)
    assert _count() == 0  # opening the link (a mail scanner does) creates nothing

    response = client.post_form(link, {})
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.role == role and user.language == "zh" and user.email == "zhang@example.cn"
    assert (
        user.password_hash.startswith(("scrypt:", "pbkdf2:")) and "long-enough-pw" not in user.password_hash
    )
    assert "Zhang San" in client.get("/").get_data(as_text=True)  # logged in
    assert db.session.scalar(select(func.count(PendingRegistration.id))) == 0
    # The link worked once.
    client.post_form("/logout", {})
    assert client.get(link).status_code == 404
    assert client.post_form("/login", {"email": user.email, "password": "long-enough-pw"}).status_code == 302


def test_an_existing_email_gets_the_same_answer_and_its_owner_is_told(client, smtp_server):
    """Regression (issue 18, item 9): the page said "An account with this e-mail already
    exists", telling anyone which addresses have accounts."""
    owner = factories.UserFactory(email="zhang@example.cn", name="Zhang Owner", language="ru")
    hash_before = owner.password_hash

    new = client.post_form("/register", _form(email="new.buyer@example.cn"))
    taken = client.post_form(
        "/register",
        _form(email="ZHANG@Example.CN", password="Tundra-kettle-7731", confirm="Tundra-kettle-7731"),
    )
    assert (taken.status_code, taken.headers.get("Location")) == (
        new.status_code,
        new.headers.get("Location"),
    )
    assert taken.get_data() == new.get_data()
    assert taken.status_code == 302 and taken.headers["Location"] == "/register/sent"

    assert _count() == 1
    db.session.refresh(owner)
    assert owner.password_hash == hash_before and owner.name == "Zhang Owner"  # nothing changed
    assert db.session.scalar(select(func.count(PendingRegistration.id))) == 1  # only the new one

    told = [m for m in smtp_server.messages if m["To"] == "zhang@example.cn"]
    (message,) = told
    body = message.get_content()
    assert "попытался" in message["Subject"] or "попытался" in body  # the owner's language
    assert "/login" in body and "/register/confirm/" not in body
    # With the right password the owner still logs in; the tried one does not work.
    assert (
        client.post_form("/login", {"email": owner.email, "password": "Tundra-kettle-7731"}).status_code
        == 401
    )
    client.login(owner)


def test_an_expired_link_creates_nothing(client, smtp_server):
    client.raw.set_cookie("lang", "zh")
    client.post_form("/register", _form())
    link = _link(smtp_server.messages[0])
    db.session.execute(update(PendingRegistration).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    page = client.get(link)
    assert page.status_code == 404 and "重新注册" in page.get_data(as_text=True)
    assert client.post_form(link, {}).status_code == 404
    assert _count() == 0


def test_the_first_link_confirmed_wins_and_later_ones_log_in_instead(client, smtp_server):
    client.post_form("/register", _form())
    client.post_form("/register", _form(name="Zhang Again"))
    first, second = (_link(m) for m in smtp_server.messages)
    assert client.post_form(second, {}).status_code == 302
    client.post_form("/logout", {})
    assert client.get(first).status_code == 404  # the address's other sign-ups are dropped
    assert _count() == 1 and db.session.scalar(select(User.name)) == "Zhang Again"


def test_an_unknown_link_is_a_page_not_an_error(client):
    client.raw.set_cookie("lang", "en")
    response = client.get("/register/confirm/nonsense")
    assert response.status_code == 404
    assert "Sign up again" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_operators_and_admins_cannot_sign_up(client, smtp_server, role):
    response = client.post_form("/register", _form(role=role))
    assert response.status_code == 422
    assert _count() == 0 and smtp_server.messages == []


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
    client.raw.set_cookie("lang", "en")
    response = client.post_form("/register", _form(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count() == 0
    assert db.session.scalar(select(func.count(PendingRegistration.id))) == 0


def test_missing_csrf_token_is_refused(client):
    response = client.post_form("/register", _form(), csrf=False)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert _count() == 0
