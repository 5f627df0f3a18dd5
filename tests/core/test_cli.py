"""`flask users create` and `flask seed-demo`."""

import pytest
from sqlalchemy import func, select

from accounts.models import User
from accounts.seed import DEMO_PASSWORD, DEMO_USERS
from core.extensions import db


def _count():
    return db.session.scalar(select(func.count(User.id)))


def test_users_create(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "Ops@Trans.ru",
            "--password",
            "operator-password",
            "--role",
            "operator",
            "--name",
            "Oleg",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert (user.email, user.role, user.name) == ("ops@trans.ru", "operator", "Oleg")


def test_users_create_refuses_unknown_role(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@b.ru",
            "--password",
            "birch-tundra-kettle-9",
            "--role",
            "wizard",
        ]
    )
    assert result.exit_code == 2 and "wizard" in result.output
    assert _count() == 0


def test_users_create_refuses_weak_password_bad_email_and_duplicates(app):
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=["users", "create", "--email", "a@b.ru", "--password", "short", "--role", "admin"]
    )
    bad = runner.invoke(
        args=["users", "create", "--email", "nope", "--password", "birch-tundra-kettle-9", "--role", "admin"]
    )
    assert weak.exit_code == 1 and "at least 10" in weak.output
    assert bad.exit_code == 1 and "valid e-mail" in bad.output
    assert (
        runner.invoke(
            args=[
                "users",
                "create",
                "--email",
                "a@b.ru",
                "--password",
                "birch-tundra-kettle-9",
                "--role",
                "admin",
            ]
        ).exit_code
        == 0
    )
    dup = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "A@B.RU",
            "--password",
            "birch-tundra-kettle-9",
            "--role",
            "admin",
        ]
    )
    assert dup.exit_code == 1 and "already exists" in dup.output
    assert _count() == 1


def test_seed_demo_is_idempotent_and_prints_the_logins(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    count = _count()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert _count() == count
    assert DEMO_PASSWORD in first.output
    roles = {role for _email, role, *_ in DEMO_USERS}
    assert roles == {"farmer", "buyer", "operator", "admin"}
    for email, *_ in DEMO_USERS:
        assert email in first.output
    response = client.post("/api/v1/auth/token", json={"email": DEMO_USERS[0][0], "password": DEMO_PASSWORD})
    assert response.status_code == 200


def test_secret_key_required_beyond_sqlite(monkeypatch, tmp_path):
    """Several instances on PostgreSQL must share one key: none set is a start-up error."""
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://agrobridge@db.example/agrobridge")
    with pytest.raises(config.ConfigError, match="SECRET_KEY is not set"):
        config.Config.load()
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    assert config.Config.load()["SECRET_KEY"] == "k" * 64
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    assert len(config.Config.load()["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").exists()
