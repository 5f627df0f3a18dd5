"""Users, roles, log-in and API tokens."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
#: Where the signed session cookie keeps the server-side session's key.
SESSION_KEY = "sid"


def register(app, api):
    from flask_babel import lazy_gettext as _l

    from accounts import seed, services, views  # noqa: F401  (routes and demo data)
    from accounts.api import api_bp
    from accounts.cli import users_cli
    from core.auth import token_loader
    from core.extensions import login_manager
    from core.hooks import add_template_hook
    from core.signals import language_chosen

    app.register_blueprint(bp)

    from core.nav import add_nav_item

    add_nav_item("accounts.company_page", _l("Company"), ("buyer",), order=85)
    api.register_blueprint(api_bp)
    app.cli.add_command(users_cli)
    add_template_hook(app, "home-actions", views.home_actions)
    login_manager.user_loader(_load_session_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    token_loader(services.user_for_token)
    language_chosen.connect(services.set_language)


def _load_session_user(session_id):
    """Flask-Login's loader: the user, if this session's server-side key is still live."""
    from flask import session

    from accounts import services

    return services.load_session_user(session_id, session.get(SESSION_KEY))
