"""Account pages: register, log in/out, profile, and the admin's user list."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from accounts import SESSION_KEY, bp, company, services
from accounts.forms import (
    AdminCreateUserForm,
    CompanyForm,
    ConfirmForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
)
from accounts.models import User
from accounts.ratelimits import (
    TooManyAttempts,
    attempt_login,
    device_id,
    login_limits,
    new_device_id,
    set_device_cookie,
)
from core.auth import ROLES, roles_required
from core.errors import NotFound
from core.extensions import db, limiter
from core.forms import service_call
from core.i18n import current_language, safe_next

#: Sign-up forms one address may post: each sends an e-mail, so a cap keeps the form from
#: being used to flood someone's mailbox.
REGISTER_LIMIT = "20 per hour"


def home_actions() -> str:
    """Sign-up buttons on the home page for visitors (core's hook 'home-actions')."""
    return render_template("accounts/_home_actions.html")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(REGISTER_LIMIT, methods=["POST"])
def register():
    """Farmers and buyers sign themselves up. Anyone.

    A valid form always leads to "check your e-mail", whether or not the address has an
    account: the link in that e-mail creates the account (see ``services.register_user``)."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = current_language()
        form.role.data = request.args.get("role", "buyer")
    if form.validate_on_submit():
        with service_call(form):
            services.register_user(
                role=form.role.data,
                email=form.email.data,
                password=form.password.data,
                name=form.name.data,
                company=form.company.data,
                phone=form.phone.data,
                language=form.language.data,
            )
            return redirect(url_for("accounts.register_sent"))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


@bp.get("/register/sent")
def register_sent():
    """ "Check your e-mail", after any valid sign-up form. Anyone."""
    hours = current_app.config["REGISTRATION_LINK_HOURS"]
    return render_template("accounts/register_sent.html", hours=hours)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def register_confirm(token):
    """The link from the sign-up e-mail: a page with one button (a mail scanner that opens
    the link creates nothing); the button creates the account and logs it in. Anyone
    holding the link.

    :raise 404: unknown or expired link (a page that says to sign up again)
    """
    form = ConfirmForm()
    pending = services.pending_registration(token)
    if pending is None:
        return render_template("accounts/register_confirm.html", pending=None, form=form), 404
    if form.validate_on_submit():
        with service_call() as call:
            user = services.confirm_registration(token)
            services.end_session(session.get(SESSION_KEY))  # whoever was logged in here

            def welcome():
                return _("Welcome to AgroBridge, %(name)s!", name=user.name)

            return _log_in(user, device_id() or new_device_id(), url_for("core.home"), welcome)
        if call.error is not None and call.error.status == 409:
            return redirect(url_for("accounts.login"))
    return render_template("accounts/register_confirm.html", pending=pending, form=form)


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    """Log in with e-mail and password. Anyone; limited per IP and per account."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user, device = attempt_login(form.email.data, form.password.data)
        except TooManyAttempts as exc:
            form.password.errors = [str(exc.message)]
            page = render_template("accounts/login.html", form=form)
            return page, 429, {"Retry-After": str(exc.retry_after)}
        if user is None:
            form.password.errors = [_("Wrong e-mail or password.")]
        else:
            target = safe_next(form.next.data, url_for("core.home"))
            return _log_in(user, device, target, lambda: _("You are logged in."))
    status = 401 if form.password.errors else 200
    return render_template("accounts/login.html", form=form), status


def _log_in(user, device, target, message):
    """A fresh session (nothing from before survives: no fixation), known server-side.

    ``message()`` is called once the user is logged in, so it speaks the user's language."""
    session.clear()
    login_user(user)
    session[SESSION_KEY] = services.start_session(user, device)
    flash(message(), "success")
    response = redirect(target)
    if device:
        set_device_cookie(response, device)
    return response


@bp.post("/logout")
@login_required
def logout():
    """End the session, here and on the server (a copy of the cookie stops working too).
    Logged-in users."""
    services.end_session(session.get(SESSION_KEY))
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Own name, company, phone, language and password. Logged-in users."""
    form = ProfileForm(obj=current_user, prefix="profile")
    password_form = PasswordForm(prefix="password")
    if form.submit.data and form.validate_on_submit():
        with service_call(form):
            services.update_profile(
                current_user,
                name=form.name.data,
                company=form.company.data,
                phone=form.phone.data,
                language=form.language.data,
            )
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    elif password_form.submit.data and password_form.validate_on_submit():
        with service_call(password_form):
            services.change_password(
                current_user, password_form.current_password.data, password_form.new_password.data
            )

            # The version bump logged out every session, this one included: log back in here.
            def changed():
                return _("Your password is changed. Other sessions were logged out.")

            user = current_user._get_current_object()
            return _log_in(user, device_id(), url_for("accounts.profile"), changed)
    status = 422 if (form.errors or password_form.errors) else 200
    return render_template("accounts/profile.html", form=form, password_form=password_form), status


@bp.get("/admin/users")
@roles_required("admin")
def admin_users():
    """List and filter users. Admins only (403 otherwise)."""
    role = request.args.get("role")
    users = services.list_users(role=role, q=request.args.get("q"))
    return render_template(
        "accounts/admin_users.html",
        users=users,
        roles=ROLES,
        role=role,
        q=request.args.get("q", ""),
        toggle_form=ConfirmForm(),
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required("admin")
def admin_create_user():
    """Create an operator or admin (or any role). Admins only."""
    form = AdminCreateUserForm()
    if form.validate_on_submit():
        with service_call(form):
            user = services.create_user(
                role=form.role.data,
                email=form.email.data,
                password=form.password.data,
                name=form.name.data,
                company=form.company.data,
                language=form.language.data,
            )
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("accounts.admin_users"))
    return render_template("accounts/admin_user_new.html", form=form), 422 if form.errors else 200


@bp.post("/admin/users/<id:user_id>/active")
@roles_required("admin")
def admin_toggle_active(user_id):
    """Deactivate or reactivate a user. Admins only; not oneself."""
    form = ConfirmForm()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    if form.validate_on_submit():
        with service_call():
            services.set_active(current_user, user, not user.active)
            if user.active:
                flash(_("%(email)s is active again.", email=user.email), "success")
            else:
                flash(_("%(email)s is deactivated.", email=user.email), "success")
    return redirect(url_for("accounts.admin_users"))


@bp.route("/profile/company", methods=["GET", "POST"])
@roles_required("buyer")
def company_page():
    """The buyer's company: legal names, USCC, customs code, address, contact. Buyers."""
    record = company.company_of(current_user)
    form = CompanyForm(obj=record, prefix="company")
    if form.validate_on_submit():
        with service_call(form):
            company.update_company(current_user, form.to_values())
            flash(_("Your company details are saved."), "success")
            return redirect(safe_next(request.args.get("next"), url_for("accounts.company_page")))
    status = 422 if form.errors else 200
    return render_template("accounts/company.html", form=form, company=record), status
