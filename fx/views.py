"""The admin's "Rates and tariffs" page: exchange rates here; the modules above add their
sections through the template hook 'admin-rates' (trade: duty rates and freight tariffs)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth import roles_required
from core.forms import service_call
from fx import bp, services
from fx.forms import ExchangeRateForm


@bp.get("/admin/rates")
@roles_required("admin")
def admin_rates():
    """Exchange rates, and what other modules add (duty rates, tariffs), with forms. Admins."""
    return admin_page()


def admin_page(status: int = 200, **forms):
    """The page, answering ``status``. ``forms``: bound forms (``rate_form``, or a section's
    own, e.g. trade's ``duty_form``) whose errors are shown; the rest are blank."""
    return render_template(
        "fx/admin_rates.html",
        rates=services.latest_rates(),
        rate_warning=services.freshness_warning(),
        rate_form=forms.get("rate_form") or ExchangeRateForm(),
        forms=forms,
    ), status


@bp.post("/admin/rates/exchange")
@roles_required("admin")
def admin_add_rate():
    """Enter an exchange rate by hand. Admins."""
    form = ExchangeRateForm()
    if not form.validate_on_submit():
        return admin_page(422, rate_form=form)
    with service_call(form) as call:
        services.enter_rate(
            current_user,
            form.currency.data,
            form.rate_date.data,
            form.value.data,
            form.nominal.data,
            form.replace.data,
        )
        flash(_("The rate is saved."), "success")
        return redirect(url_for("fx.admin_rates"))
    return admin_page(call.error.status, rate_form=form)
