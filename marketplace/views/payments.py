"""Payment pages: method choice, Stripe payment page, bank-transfer instructions, the farmer's
balance and the admin's payments desk."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.services import producers
from core.auth import roles_required
from core.errors import NotFound
from core.extensions import talisman
from core.forms import flash_error, flash_form_errors, service_call
from core.numbers import LocalNumberError, parse_local_money
from core.security import no_store
from core.uploads import storage
from marketplace import bp
from marketplace.forms import ReasonForm
from marketplace.services import ledger
from marketplace.services.lifecycle import PAYMENT_LABELS
from marketplace.services.payments import desk, intake, payouts, provider_events, settlement, slips

#: Stripe.js is the one outside script, allowed on the payment page only.
STRIPE_CSP = {
    "default-src": "'self'",
    "script-src": ["'self'", "https://js.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["'self'", "https://api.stripe.com"],
    "img-src": ["'self'", "data:"],
    "style-src": "'self'",
}


def _start(method: str, *, order_id=None, checkout_id=None):
    with service_call():
        if checkout_id:
            info = intake.pay_checkout(current_user, checkout_id, method)
        else:
            info = intake.pay_order(current_user, order_id, method)
        return redirect(url_for("marketplace.payment_page", payment_id=info["id"]))
    return None


@bp.post("/orders/<id:order_id>/pay")
@roles_required("buyer")
def pay_order(order_id):
    """Choose how to pay one order. The order's buyer."""
    if ReasonForm().validate_on_submit():
        started = _start(request.form.get("method", ""), order_id=order_id)
        if started:
            return started
    return redirect(url_for("marketplace.order_detail", order_id=order_id))


@bp.post("/checkouts/<id:checkout_id>/pay")
@roles_required("buyer")
def pay_checkout(checkout_id):
    """Pay every order of a checkout at once. The checkout's buyer."""
    if ReasonForm().validate_on_submit():
        started = _start(request.form.get("method", ""), checkout_id=checkout_id)
        if started:
            return started
    return redirect(url_for("marketplace.checkout_done", checkout_id=checkout_id))


@bp.get("/payments/<id:payment_id>")
@roles_required("buyer", "admin")
@talisman(content_security_policy=STRIPE_CSP)
def payment_page(payment_id):
    """Bank-transfer instructions, or the card/Alipay/WeChat Pay page. The payment's buyer."""
    payment = intake.payment_for(current_user, payment_id)
    info = intake.describe(payment) if payment.status in ("pending", "partially_received") else None
    return render_template(
        "marketplace/payment.html",
        payment=payment,
        info=info,
        deadline=intake.payment_deadline(payment),
        form=ReasonForm(),
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"),
        test_confirm=bool(current_app.config.get("STRIPE_TEST_CONFIRM")),
    )


@bp.post("/payments/<id:payment_id>/test-confirm")
@roles_required("buyer")
def payment_test_confirm(payment_id):
    """Test mode only: pay with Stripe's test card, confirmed server-side. The payment's buyer."""
    if ReasonForm().validate_on_submit():
        with service_call():
            provider_events.test_confirm(current_user, payment_id)
            flash(_("Payment received. Thank you!"), "success")
    return redirect(url_for("marketplace.payment_page", payment_id=payment_id))


@bp.post("/payments/<id:payment_id>/slips")
@roles_required("buyer")
def payment_slip_add(payment_id):
    """Upload the bank's payment slip (PDF or image, 10 MB at most). The payment's buyer."""
    if ReasonForm().validate_on_submit():
        with service_call(silent=True) as call:
            slips.add_slip(current_user, payment_id, request.files.get("slip"))
            flash(_("Payment slip received. We will match your transfer soon."), "success")
        if call.failed:
            if call.error.status == 404:
                abort(404)
            if call.error.status == 413:
                return render_template("core/error.html", status=413, message=call.error.message), 413
            flash_error(call.error)
    return redirect(url_for("marketplace.payment_page", payment_id=payment_id) + "#slip")


@bp.get("/payments/<id:payment_id>/slips/<id:slip_id>")
@roles_required("buyer", "admin")
def payment_slip_file(payment_id, slip_id):
    """A payment slip: its buyer and admins (404 otherwise)."""
    try:
        slip = slips.slip_for(current_user, payment_id, slip_id)
    except NotFound:
        abort(404)
    response = storage().response(slips.key(slip.file_name), mimetype=slip.content_type, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = (
        f"inline; filename=slip-{slip.payment.reference}-{slip.id}.{slip.file_name.rsplit('.', 1)[-1]}"
    )
    return no_store(response)


@bp.get("/payments/<id:payment_id>/return")
@roles_required("buyer")
def payment_return(payment_id):
    """Where Stripe.js sends the buyer back: check the intent's state with Stripe."""
    payment = intake.payment_for(current_user, payment_id)
    with service_call(silent=True):  # the payment page shows the state as it is
        provider_events.sync_intent(payment)
    return redirect(url_for("marketplace.payment_page", payment_id=payment_id))


@bp.get("/balance")
@roles_required("farmer")
def balance():
    """Money held in escrow, due and paid out, with the payouts. Farmers (own producer)."""
    producer = producers.producer_of(current_user)
    totals = ledger.producer_balances(producer.id) if producer else None
    return render_template(
        "marketplace/balance.html",
        producer=producer,
        totals=totals,
        history=payouts.history(current_user),
    )


@bp.get("/balance/payouts.csv")
@roles_required("farmer", "admin")
def payouts_csv():
    """The payout history with each order's statement, as CSV for an accountant. Farmers (own
    payouts), admins (all)."""
    body = "\ufeff" + payouts.history_csv(current_user)  # the BOM makes spreadsheets read UTF-8
    response = current_app.response_class(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=payouts.csv"
    return no_store(response)


@bp.get("/admin/payments")
@roles_required("admin")
def admin_payments():
    """Bank transfers to match, payouts to send, refunds due, flagged events. Admins."""
    return render_template("marketplace/admin_payments.html", form=ReasonForm(), **desk.admin_overview())


@bp.post("/admin/payments/bank-transfers")
@roles_required("admin")
def admin_record_transfer():
    """Record a bank transfer received against a reference. Admins."""
    form = ReasonForm()
    if form.validate_on_submit():
        try:  # as the desk shows amounts: "7 800,00" in Russian, "7,800.00" in Chinese and English
            amount = parse_local_money(request.form.get("amount", ""))
        except LocalNumberError as exc:
            flash(_("Enter the amount received.") + " " + str(exc.message), "error")
            return redirect(url_for("marketplace.admin_payments"))
        with service_call(show=flash_error):
            payment = settlement.record_bank_transfer(current_user, request.form.get("reference", ""), amount)
            flash(
                _(
                    "Recorded: %(reference)s is now %(status)s.",
                    reference=payment.reference,
                    status=PAYMENT_LABELS.get(payment.status, payment.status),
                ),
                "success",
            )
    return redirect(url_for("marketplace.admin_payments"))


@bp.post("/admin/payouts/<id:payout_id>/sent")
@roles_required("admin")
def admin_payout_sent(payout_id):
    """Mark a payout sent with its bank reference. Admins."""
    form = ReasonForm()
    if form.validate_on_submit():
        with service_call(show=flash_error):
            payouts.mark_payout_sent(current_user, payout_id, request.form.get("bank_reference", ""))
            flash(_("The payout is marked as sent."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("marketplace.admin_payments"))
