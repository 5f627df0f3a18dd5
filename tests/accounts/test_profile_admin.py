"""Profile, password change, and the admin's user management."""

from sqlalchemy import select

from accounts.models import User
from core.extensions import db
from tests import factories


def test_profile_update(client, login_as):
    user = login_as("farmer")
    response = client.post_form(
        "/profile",
        {
            "profile-name": "Pyotr",
            "profile-company": "Uvelka Farm",
            "profile-phone": "+7 351",
            "profile-language": "ru",
            "profile-time_zone": "Asia/Yekaterinburg",
            "profile-submit": "1",
        },
    )
    assert response.status_code == 302
    assert (user.name, user.company, user.language) == ("Pyotr", "Uvelka Farm", "ru")
    assert user.time_zone == "Asia/Yekaterinburg"


def test_profile_rejects_an_unknown_language(client, login_as):
    user = login_as("buyer")
    response = client.post_form(
        "/profile", {"profile-name": "X", "profile-language": "de", "profile-submit": "1"}
    )
    assert response.status_code == 422
    assert user.language == "en"


def test_password_change_logs_out_other_sessions_and_revokes_tokens(client, app, api):
    user = factories.UserFactory()
    api.as_user(user)
    other = app.test_client()
    other_browser = type(client)(other)
    other_browser.login(user)
    client.login(user)
    response = client.post_form(
        "/profile",
        {
            "password-current_password": factories.PASSWORD,
            "password-new_password": "brand-new-password",
            "password-confirm": "brand-new-password",
            "password-submit": "1",
        },
    )
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200  # this session continues
    assert other.get("/profile").status_code == 302  # the other one is logged out
    assert api.get("/api/v1/me").status_code == 401
    assert (
        client.post(
            "/api/v1/auth/token", json={"email": user.email, "password": "brand-new-password"}
        ).status_code
        == 200
    )


def test_password_change_needs_the_current_password_and_a_strong_new_one(client, login_as):
    user = login_as("buyer")
    old_hash = user.password_hash
    bad_current = client.post_form(
        "/profile",
        {
            "password-current_password": "wrong-wrong",
            "password-new_password": "brand-new-password",
            "password-confirm": "brand-new-password",
            "password-submit": "1",
        },
    )
    weak = client.post_form(
        "/profile",
        {
            "password-current_password": factories.PASSWORD,
            "password-new_password": "short",
            "password-confirm": "short",
            "password-submit": "1",
        },
    )
    assert bad_current.status_code == 422 and "current password is wrong" in bad_current.get_data(
        as_text=True
    )
    assert weak.status_code == 422 and "at least 10" in weak.get_data(as_text=True)
    assert user.password_hash == old_hash


def test_only_admins_see_the_user_list(client, login_as):
    login_as("buyer")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403


def test_admin_creates_an_operator(client, login_as):
    login_as("admin")
    response = client.post_form(
        "/admin/users/new",
        {
            "role": "operator",
            "name": "Oleg",
            "email": "oleg@trans.ru",
            "language": "ru",
            "password": "operator-password",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "oleg@trans.ru")).role == "operator"
    assert "oleg@trans.ru" in client.get("/admin/users").get_data(as_text=True)


def test_admin_create_refuses_duplicates_and_weak_passwords(client, login_as):
    login_as("admin")
    factories.UserFactory(email="taken@example.com")
    dup = client.post_form(
        "/admin/users/new",
        {
            "role": "operator",
            "name": "X",
            "email": "Taken@Example.com",
            "language": "en",
            "password": "long-enough-pw",
        },
    )
    weak = client.post_form(
        "/admin/users/new",
        {"role": "operator", "name": "X", "email": "new@example.com", "language": "en", "password": "short"},
    )
    assert dup.status_code == 422 and weak.status_code == 422
    assert db.session.scalar(select(User).where(User.email == "new@example.com")) is None


def test_admin_deactivates_a_user_who_is_then_logged_out(client, app, login_as):
    victim = factories.UserFactory(role="farmer")
    victim_browser = type(client)(app.test_client())
    victim_browser.login(victim)
    login_as("admin")
    assert client.post_form(f"/admin/users/{victim.id}/active", {}).status_code == 302
    assert victim.active is False
    assert victim_browser.get("/profile").status_code == 302
    client.post_form(f"/admin/users/{victim.id}/active", {})
    assert victim.active is True


def test_admin_cannot_deactivate_themselves(client, login_as):
    admin = login_as("admin")
    client.post_form(f"/admin/users/{admin.id}/active", {})
    assert admin.active is True
