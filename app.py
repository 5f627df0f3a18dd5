"""AgroBridge: the application factory. It assembles; it holds no logic."""

from dotenv import load_dotenv
from flask import Flask

load_dotenv()

import config as settings  # noqa: E402
from core.extensions import db, limiter, login_manager, migrate  # noqa: E402
from core.json_provider import FastJSONProvider  # noqa: E402
from core.logs import init_logging  # noqa: E402
from core.translations import catalogue_dirs  # noqa: E402

#: The domain modules, lowest layer first (ARCHITECTURE.md); each registers its blueprints,
#: API, commands and demo data. The translation catalogues are derived from this list.
MODULES = ("accounts", "fx", "catalog", "messaging", "marketplace", "logistics", "trade")


def create_app(config=None) -> Flask:
    """Build the app. ``config``: a dict of overrides or a Config class (default: from the env)."""
    app = Flask(__name__, instance_path=str(settings.INSTANCE_DIR))
    if isinstance(config, type):
        app.config.from_mapping(config.load())
    else:
        app.config.from_mapping(settings.Config.load())
        if config:
            app.config.from_mapping(config)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(catalogue_dirs(MODULES)))
    # Jobs run by a worker outside this process build their app with this factory.
    app.config.setdefault("JOBS_APP_FACTORY", f"{__name__}:create_app")
    app.json = FastJSONProvider(app)  # orjson; Chinese and Russian as they are
    init_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_context(app)
    return app


def register_extensions(app):
    import core.cache  # noqa: F401  (its session events bump the public data version)
    from core.assets import init_assets
    from core.hooks import init_hooks
    from core.i18n import init_i18n
    from core.metrics import init_metrics
    from core.routing import init_routing
    from core.security import init_security
    from core.uploads import init_uploads

    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.BASE_DIR / "migrations"))
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)
    init_i18n(app)
    init_hooks(app)
    init_security(app)
    init_routing(app)
    init_uploads(app)
    init_assets(app)
    init_metrics(app)


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
    from core.forms import LanguageForm
    from core.nav import nav_items, role_label

    def language_form():
        # Never reads the request's form: an error page (413) must render without it.
        return LanguageForm(formdata=None)

    app.jinja_env.globals.update(language_form=language_form, nav_items=nav_items, role_label=role_label)


app = create_app()
