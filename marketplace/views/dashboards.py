"""The dashboard each role lands on: figures and charts, one query per widget."""

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from core.i18n import pick_translation
from marketplace import bp
from marketplace.services import dashboards


def _extras(name: str) -> dict:
    """Widgets other modules add to a role's dashboard (logistics: shipments in transit …)."""
    from marketplace.services.dashboards import EXTRA_WIDGETS

    return {key: provider(current_user) for key, provider in EXTRA_WIDGETS.get(name, {}).items()}


@bp.get("/dashboard")
@login_required
def dashboard():
    """The caller's dashboard: farmer, buyer or admin; operators go to their console."""
    role = current_user.role
    if role == "farmer":
        data = dashboards.farmer(current_user)
        if data is None:
            return redirect(url_for("catalog.my_producer"))
        labels = [pick_translation(row["names"])[0] for row in data["sales_by_product"]]
        return render_template(
            "marketplace/dashboard_farmer.html", d=data, product_labels=labels, extras=_extras("farmer")
        )
    if role == "buyer":
        data = dashboards.buyer(current_user)
        labels = [pick_translation(row["names"])[0] for row in data["spend_by_producer"]]
        return render_template(
            "marketplace/dashboard_buyer.html", d=data, producer_labels=labels, extras=_extras("buyer")
        )
    if role == "admin":
        return render_template(
            "marketplace/dashboard_admin.html", d=dashboards.admin(), extras=_extras("admin")
        )
    return redirect(
        url_for(dashboards.OPERATOR_HOME[0]) if dashboards.OPERATOR_HOME else url_for("core.home")
    )
