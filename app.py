"""AgroBridge: the application factory. It assembles; it holds no logic."""

import logging

from dotenv import load_dotenv
from flask import Flask

load_dotenv()

import config as settings  # noqa: E402
from core.extensions import db, limiter, login_manager, migrate  # noqa: E402

#: The domain modules; each registers its blueprints, API, commands and demo data.
MODULES = ("accounts", "catalog", "marketplace", "logistics")


def create_app(config=None) -> Flask:
    """Build the app. ``config``: a dict of overrides or a Config class (default: from the env)."""
    app = Flask(__name__, instance_path=str(settings.INSTANCE_DIR))
    if isinstance(config, type):
        app.config.from_mapping(config.load())
    else:
        app.config.from_mapping(settings.Config.load())
        if config:
            app.config.from_mapping(config)
    app.json.ensure_ascii = False  # Chinese and Russian as they are
    logging.basicConfig(level=logging.INFO)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_context(app)
    return app


def register_extensions(app):
    from core.i18n import init_i18n
    from core.security import init_security

    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.BASE_DIR / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "strong"
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)
    init_i18n(app)
    init_security(app)

    from flask import session

    from accounts import SESSION_KEY
    from accounts.services import load_session_user

    login_manager.user_loader(lambda session_id: load_session_user(session_id, session.get(SESSION_KEY)))
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"


def register_blueprints(app):
    from core.api import api, init_api
    from core.views import bp as core_bp

    init_api(app)
    app.register_blueprint(core_bp)
    for name in MODULES:
        module = __import__(name)
        module_register = getattr(module, "register", None)
        if module_register:
            module_register(app, api)


def register_errorhandlers(app):
    from core.errors import register_errorhandlers as register

    register(app)


def register_commands(app):
    from core.cli import register_commands as register

    register(app)


def register_template_context(app):
    from accounts.forms import LanguageForm
    from core.nav import nav_items, role_label

    def language_form():
        # Never reads the request's form: an error page (413) must render without it.
        return LanguageForm(formdata=None)

    app.jinja_env.globals.update(language_form=language_form, nav_items=nav_items, role_label=role_label)


app = create_app()
