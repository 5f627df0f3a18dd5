"""Paying by bank transfer: only configured methods are offered; the page (in the buyer's
language) gives the amount, the reference and the deadline and takes the payment slip, which
the admin sees when recording the money in the format the desk shows it."""

import io

from sqlalchemy import select

from core.extensions import db
from marketplace.models import Payment, PaymentSlip
from tests import factories
from tests.marketplace.helpers import client_for, place, product


def _html(response):
    return response.get_data(as_text=True)


def _bank_payment(app, client, language="en"):
    p = product(stock="1000", tiers=((1, "1950.00"),))
    buyer = factories.UserFactory(role="buyer", language=language)
    order = place(client_for(app, buyer), [(p, "4")]).get_json()  # 7 800.00
    client.login(buyer)
    response = client.post_form(f"/orders/{order['id']}/pay", {"method": "bank_transfer"})
    assert response.status_code == 302
    return db.session.scalar(select(Payment)), response.headers["Location"], buyer


def _upload(client, payment, data, name):
    return client.post_form(
        f"/payments/{payment.id}/slips",
        {"slip": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_only_configured_methods_are_offered(app, client):
    p = product(stock="10")
    buyer = factories.UserFactory(role="buyer")
    order = place(client_for(app, buyer), [(p, "2")]).get_json()
    client.login(buyer)
    page = _html(client.get(f"/orders/{order['id']}"))
    assert 'value="bank_transfer"' in page
    assert 'value="card"' not in page and "Alipay" not in page and "WeChat" not in page
    home = _html(client.get("/"))
    assert "Alipay" not in home and "WeChat" not in home


def test_the_transfer_page_speaks_russian_and_takes_a_slip(app, client):
    payment, url, _buyer = _bank_payment(app, client, language="ru")
    page = _html(client.get(url))
    assert payment.reference in page and "7\u00a0800,00" in page
    assert "Оплатить до" in page and 'name="slip"' in page
    response = _upload(client, payment, b"%PDF-1.4 a bank slip", "slip.pdf")
    assert response.status_code == 302
    slip = db.session.scalar(select(PaymentSlip))
    assert slip.content_type == "application/pdf" and slip.file_name.endswith(".pdf")
    assert "slip.pdf" not in slip.file_name
    opened = client.get(f"/payments/{payment.id}/slips/{slip.id}")
    assert opened.status_code == 200 and opened.data.startswith(b"%PDF-")
    assert "no-store" in opened.headers["Cache-Control"]


def test_a_slip_that_is_neither_pdf_nor_image_is_refused(app, client):
    payment, _url, _buyer = _bank_payment(app, client)
    response = _upload(client, payment, b"<html><script>alert(1)</script></html>", "slip.pdf")
    assert response.status_code == 302
    assert db.session.scalar(select(PaymentSlip)) is None
    assert "Upload the payment slip as a PDF or an image." in _html(client.get(f"/payments/{payment.id}"))


def test_strangers_neither_upload_nor_see_slips(app, client, login_as):
    payment, _url, _buyer = _bank_payment(app, client)
    _upload(client, payment, b"%PDF-1.4 slip", "s.pdf")
    slip_id = db.session.scalar(select(PaymentSlip.id))
    login_as("buyer")
    assert client.get(f"/payments/{payment.id}/slips/{slip_id}").status_code == 404
    assert _upload(client, payment, b"%PDF-1.4 other", "o.pdf").status_code == 404
    login_as("farmer")
    assert client.get(f"/payments/{payment.id}/slips/{slip_id}").status_code == 403


def test_the_admin_sees_the_slip_and_records_the_amount_as_the_desk_shows_it(app, client, login_as):
    payment, _url, _buyer = _bank_payment(app, client)
    _upload(client, payment, b"%PDF-1.4 slip", "s.pdf")
    login_as("admin", language="ru")
    desk = _html(client.get("/admin/payments"))
    assert f"/payments/{payment.id}/slips/" in desk and 'value="7\u00a0800,00"' in desk
    client.post_form("/admin/payments/bank-transfers", {"reference": payment.reference, "amount": "1.5"})
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).amount_received == 0  # "1.5" is not Russian
    client.post_form("/admin/payments/bank-transfers", {"reference": payment.reference, "amount": "7 800,00"})
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "succeeded"


def test_an_english_desk_takes_the_amount_with_its_currency_sign(app, client, login_as):
    payment, _url, _buyer = _bank_payment(app, client)
    login_as("admin")
    client.post_form(
        "/admin/payments/bank-transfers", {"reference": payment.reference, "amount": "CN¥7,800.00"}
    )
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "succeeded"
