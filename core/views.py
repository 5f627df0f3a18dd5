"""Home page and language switcher (health checks: core.metrics)."""

from flask import Blueprint, current_app, redirect, render_template, request
from flask_login import current_user, login_required

from core.cache import public_response
from core.forms import LanguageForm
from core.i18n import LANGUAGE_COOKIE, safe_next
from core.signals import language_chosen

bp = Blueprint("core", __name__)


@bp.get("/")
@public_response()
def home():
    """What AgroBridge is, in the visitor's language. Anyone."""
    return render_template("core/home.html")


@bp.get("/home")
@login_required
def todo():
    """The signed-in user's home: what they have to do next, by section, with counts. Anyone
    signed in; each role sees its own sections (``core.todo``)."""
    from core.todo import todo_for

    sections = todo_for(current_user)
    template = f"core/todo_{current_user.role}.html"
    return render_template(
        [template, "core/todo.html"], sections=sections, total=sum(s["count"] for s in sections)
    )


@bp.post("/language")
def set_language():
    """The switcher: a cookie for everyone, and the profile for a logged-in user. Anyone."""
    form = LanguageForm()
    target = safe_next(form.next.data or request.referrer and _path_of(request.referrer), "/")
    language = form.language.data
    if not form.validate_on_submit() or language not in current_app.config["LANGUAGES"]:
        return redirect(target)
    if current_user.is_authenticated:
        language_chosen.send(current_user._get_current_object(), language=language)
    response = redirect(target)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")
