"""Logistics pages: the operator console (orders to consolidate, board, exceptions), the
shipment page (timeline, event entry, checklist, cold chain, route), order tracking for
buyers and farmers, the public tracking page and the buyer's webhook settings."""

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth import roles_required
from core.extensions import db
from core.forms import flash_error, service_call
from core.pagination import paginate
from logistics import bp
from logistics.forms import (
    ConsolidateForm,
    DocumentForm,
    EventForm,
    LoggerConfirmForm,
    LoggerUploadForm,
    PlainForm,
    WebhookForm,
)
from logistics.presenters import public_view, shipment_view
from logistics.rules import EVENT_TYPES, EXCEPTION_REASONS, MILESTONES, MODES
from logistics.services import console as console_service
from logistics.services import events as event_service
from logistics.services import logger_csv, webhooks
from logistics.services import shipments as shipment_service
from logistics.services.access import is_staff, shipment_by_code, shipment_for, shipments_query
from logistics.services.documents import document_kinds, upload_document
from logistics.services.places import list_places
from logistics.services.shipments import fulfilment
from marketplace.models import Order

SHIPMENT = "/logistics/shipments/<id:shipment_id>"


def order_links(order) -> str:
    """The order page's link to tracking (marketplace's hook 'order-links')."""
    return render_template("logistics/_order_links.html", order=order)


def _consolidate_form():
    form = ConsolidateForm()
    from logistics.rules import MODE_LABELS

    form.mode.choices = [(m, str(MODE_LABELS[m])) for m in MODES]
    form.border_crossing.choices = [(c.code, _tname(c.names)) for c in shipment_service.active_crossings()]
    places = [(p.code, _tname(p.names)) for p in list_places()]
    form.origin_place.choices = places
    form.destination_place.choices = places
    return form


def _tname(names: dict) -> str:
    from core.i18n import pick_translation

    return pick_translation(names)[0]


@bp.get("/logistics")
@roles_required("operator", "admin")
def console(form=None):
    """Operator console: orders to consolidate, the shipments board by status, exceptions.
    Operators and admins."""
    return render_template(
        "logistics/console.html",
        ready=console_service.ready_orders(),
        board=console_service.board(current_user),
        exceptions=console_service.recent_exceptions(),
        form=form or _consolidate_form(),
    )


@bp.post("/logistics/shipments")
@roles_required("operator", "admin")
def consolidate():
    """Create a shipment from the ticked orders. Operators and admins."""
    form = _consolidate_form()
    order_ids = [int(i) for i in request.form.getlist("order_ids") if i.isdigit() and len(i) < 10]
    form.planned_departure.zone = form.time_zone.data
    if not form.validate_on_submit():
        return console(form), 422
    data = {
        "order_ids": order_ids,
        "mode": form.mode.data,
        "border_crossing": form.border_crossing.data,
        "vehicle_number": form.vehicle_number.data or "",
        "container_number": form.container_number.data or "",
        "seal_number": form.seal_number.data or "",
        "carrier": form.carrier.data or "",
        "origin_place": form.origin_place.data,
        "origin": form.origin.data or "",
        "destination_place": form.destination_place.data,
        "destination": form.destination.data or "",
        "planned_departure": form.planned_departure.data,
    }
    vehicles = shipment_service.vehicle_lines(form.vehicles.data, form.mode.data)
    if vehicles:
        data["vehicles"] = vehicles
    with service_call(show=flash_error) as call:
        shipment, warnings = shipment_service.create_shipment(current_user, data)
    if call.failed:
        for problem in call.error.extra.get("orders", []):
            flash(_("Order %(number)s cannot be consolidated now.", number=problem["number"]), "error")
        return redirect(url_for("logistics.console"))
    flash(_("Shipment %(code)s created.", code=shipment.tracking_code), "success")
    for warning in warnings:
        flash(warning["message"], "warning")
    return redirect(url_for("logistics.shipment_page", shipment_id=shipment.id))


def _event_form():
    from logistics.rules import REASON_LABELS, STATUS_LABELS

    form = EventForm()
    form.type.choices = [(t, str(STATUS_LABELS[t])) for t in EVENT_TYPES]
    form.reason.choices = [("", "—")] + [(r, str(REASON_LABELS[r])) for r in EXCEPTION_REASONS]
    form.place.choices = [("", "—")] + [(p.code, _tname(p.names)) for p in list_places()]
    if not form.event_id.data:
        form.event_id.data = secrets.token_hex(12)
    return form


def _document_form(shipment, view):
    form = DocumentForm()
    form.kind.choices = [(k.code, _tname(k.names)) for k in document_kinds()]
    form.order_id.choices = [("", _("Whole shipment"))] + [
        (str(o["id"]), o["number"]) for o in view["orders"]
    ]
    return form


@bp.get(SHIPMENT)
@roles_required("operator", "admin", "buyer", "farmer")
def shipment_page(shipment_id, event_form=None):
    """A shipment: route, timeline, ETA, checklist, documents, cold chain. Staff see every
    order and the forms; a buyer or farmer on board sees their part (404 for others)."""
    shipment = shipment_for(current_user, shipment_id)
    view = shipment_view(current_user, shipment)
    staff = is_staff(current_user)
    return render_template(
        "logistics/shipment.html",
        shipment=shipment,
        view=view,
        staff=staff,
        event_form=(event_form or _event_form()) if staff else None,
        document_form=_document_form(shipment, view) if staff else None,
        milestones=MILESTONES,
    )


@bp.post(f"{SHIPMENT}/events")
@roles_required("operator", "admin")
def add_event(shipment_id):
    """The phone-friendly event form. Operators and admins."""
    form = _event_form()
    back = redirect(url_for("logistics.shipment_page", shipment_id=shipment_id) + "#record")
    # "The place's clock": a time without offset, read by the service in the place's zone.
    form.occurred_at.zone = form.time_zone.data
    if not form.validate_on_submit():
        return shipment_page(shipment_id, event_form=form), 422
    occurred = form.occurred_at.data
    from core.fields import DecimalString

    item = {
        "type": form.type.data,
        "reason": form.reason.data or None,
        "occurred_at": occurred,
        "location_name": form.location_name.data or "",
        "note": form.note.data or "",
        "event_id": form.event_id.data or None,
    }
    if form.place.data:
        item["place"] = form.place.data
    if form.type.data == "transloaded":
        mode = shipment_for(current_user, shipment_id).mode
        item["vehicles"] = shipment_service.vehicle_lines(form.new_vehicles.data, mode)
    for name in ("lat", "lon"):
        raw = getattr(form, name).data
        limit = 90 if name == "lat" else 180
        try:
            item["latitude" if name == "lat" else "longitude"] = (
                DecimalString(places=6, minimum=-limit, maximum=limit).deserialize(raw.strip())
                if raw
                else None
            )
        except Exception:  # noqa: BLE001 - marshmallow's ValidationError; shown on the field
            getattr(form, name).errors = [_("Decimal degrees between −%(limit)s and %(limit)s.", limit=limit)]
    if form.lat.errors or form.lon.errors:
        return shipment_page(shipment_id, event_form=form), 422
    attachment = form.attachment.data if getattr(form.attachment.data, "filename", None) else None
    with service_call(form, field_map={"latitude": "lat", "longitude": "lon"}) as call:
        results = event_service.record_events(current_user, shipment_id, [item], attachment=attachment)
        if results[0][1]:
            flash(_("Recorded."), "success")
        else:
            flash(_("This event was already recorded."), "info")
    if call.failed and any(f.errors for f in form):
        return shipment_page(shipment_id, event_form=form), call.error.status
    return back


@bp.post(f"{SHIPMENT}/documents")
@roles_required("operator", "admin")
def add_document(shipment_id):
    """Upload a checklist document. Operators and admins."""
    shipment = shipment_for(current_user, shipment_id)
    form = _document_form(shipment, shipment_view(current_user, shipment))
    back = redirect(url_for("logistics.shipment_page", shipment_id=shipment_id) + "#documents")
    if not form.validate_on_submit():
        flash(_("Choose the document kind and a file."), "error")
        return back
    order_id = int(form.order_id.data) if form.order_id.data and form.order_id.data.isdigit() else None
    with service_call():
        upload_document(current_user, shipment_id, form.kind.data, form.file.data, form.number.data, order_id)
        flash(_("Document uploaded."), "success")
    return back


@bp.route(f"{SHIPMENT}/logger", methods=["GET", "POST"])
@roles_required("operator", "admin")
def logger_upload(shipment_id):
    """Upload a temperature logger's CSV export and preview it: the readings found, the rows
    refused and why. Nothing is stored before the confirmation. Operators and admins.

    :raise 404: a shipment the caller cannot see
    """
    shipment = shipment_for(current_user, shipment_id)
    form = LoggerUploadForm()
    preview, confirm_form, status = None, None, 200
    if form.validate_on_submit():
        with service_call(form) as call:
            preview, token = logger_csv.preview_upload(
                current_user,
                shipment.id,
                request.files.get("file"),
                form.sensor_id.data,
                form.utc_offset.data,
            )
            confirm_form = LoggerConfirmForm(
                formdata=None, token=token, sensor_id=form.sensor_id.data, utc_offset=form.utc_offset.data
            )
        if call.failed:
            status = call.error.status
    elif form.is_submitted():
        status = 422
    return render_template(
        "logistics/logger_upload.html",
        shipment=shipment,
        form=form,
        preview=preview,
        confirm_form=confirm_form,
    ), status


@bp.post(f"{SHIPMENT}/logger/confirm")
@roles_required("operator", "admin")
def logger_confirm(shipment_id):
    """Store the previewed readings (the refused rows stay out). Operators and admins.

    :raise 404: a shipment the caller cannot see, or an upload that is gone
    """
    form = LoggerConfirmForm()
    if form.validate_on_submit():
        with service_call(show=flash_error):
            result = logger_csv.confirm_upload(
                current_user, shipment_id, form.token.data, form.sensor_id.data, form.utc_offset.data
            )
            flash(
                _(
                    "%(inserted)d readings saved (%(duplicates)d already there, %(refused)d rows left out).",
                    inserted=result["inserted"],
                    duplicates=result["duplicates"],
                    refused=result["refused"],
                ),
                "success",
            )
            if result["excursions"]:
                flash(_("%(n)d temperature excursions recorded.", n=len(result["excursions"])), "warning")
            page = url_for("logistics.shipment_page", shipment_id=shipment_id)
            return redirect(f"{page}#cold-{shipment_id}")
    return redirect(url_for("logistics.logger_upload", shipment_id=shipment_id))


@bp.get("/tracking")
@roles_required("buyer", "farmer")
def my_tracking():
    """The shipments carrying the caller's orders. Buyers and farmers."""
    page = paginate(shipments_query(current_user), request.args.get("page", 1, type=int) or 1, 20)
    return render_template("logistics/my_tracking.html", page=page)


@bp.get("/orders/<id:order_id>/tracking")
@roles_required("buyer", "farmer", "operator", "admin")
def order_tracking(order_id):
    """An order's shipments: timeline, ETA, temperature chart, route. Its parties and staff."""
    order = db.session.get(Order, order_id)
    if order is None or not order.visible_to(current_user):
        abort(404)
    views = [(s, shipment_view(current_user, s)) for s in shipment_service.shipments_carrying(order.id)]
    return render_template(
        "logistics/order_tracking.html", order=order, views=views, fulfilment=fulfilment(order)
    )


@bp.get("/track")
def track_lookup():
    """Public: a form for a tracking code. Anyone."""
    code = (request.args.get("code") or "").strip().upper()
    if code:
        return redirect(url_for("logistics.public_tracking", code=code))
    return render_template("logistics/track_lookup.html")


@bp.get("/track/<string(maxlength=16):code>")
def public_tracking(code):
    """Public tracking: status, milestones, ETA, route. No prices, no names. Anyone."""
    shipment = shipment_by_code(code)
    return render_template("logistics/public.html", view=public_view(shipment), shipment=shipment)


@bp.route("/tracking/webhook", methods=["GET", "POST"])
@roles_required("buyer")
def webhook_settings():
    """The buyer's webhook: URL, signing secret, the delivery log. Buyers."""
    hook = webhooks.webhook_of(current_user)
    form = WebhookForm(obj=hook)
    if request.method == "POST":
        action = request.form.get("action", "save")
        if not PlainForm().validate_on_submit():
            flash(_("The form expired. Please try again."), "error")
        elif action == "rotate" and hook:
            webhooks.rotate_secret(current_user)
            flash(_("A new secret is in force."), "success")
        elif action == "delete" and hook:
            webhooks.delete_webhook(current_user)
            flash(_("The webhook is removed."), "success")
        elif action == "save":
            if form.validate():
                with service_call(form):
                    webhooks.save_webhook(current_user, form.url.data, form.active.data)
                    flash(_("Saved."), "success")
            if form.errors:
                page = paginate(webhooks.deliveries_query(current_user), 1, 20)
                return render_template(
                    "logistics/webhook.html", form=form, hook=hook, page=page, plain=PlainForm()
                ), 422
        return redirect(url_for("logistics.webhook_settings"))
    page = paginate(webhooks.deliveries_query(current_user), request.args.get("page", 1, type=int) or 1, 20)
    return render_template("logistics/webhook.html", form=form, hook=hook, page=page, plain=PlainForm())


@bp.get("/logistics/dashboard")
@roles_required("operator", "admin")
def dashboard():
    """Shipments by status, transit time per crossing, this month's exceptions. Operators, admins."""
    from core.i18n import pick_translation
    from logistics.services import dashboard as figures

    data = figures.operator()
    labels = [pick_translation(row["names"])[0] for row in data["transit_days"]]
    return render_template("logistics/dashboard_operator.html", d=data, transit_labels=labels)
