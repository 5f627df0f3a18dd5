"""Conversations per order, RFQ and shipment: only the parties, bad input refused, unread
counts, languages tagged, attachments checked, e-mail batched into one digest."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from core import jobs
from core.extensions import db
from core.outbox import OutboxJob
from core.timeutil import utcnow
from marketplace.models import Order
from marketplace.services.orders import apply_move
from messaging.models import Message
from messaging.services import detect_language, unread_count
from tests import factories
from tests.logistics.helpers import ready_order, shipment_with
from tests.marketplace.helpers import client_for, place, product


def _order(app):
    goods = product(stock="100")
    buyer = factories.UserFactory(role="buyer", language="zh")
    response = place(client_for(app, buyer), [(goods, "2")])
    assert response.status_code == 201, response.get_json()
    return db.session.get(Order, response.get_json()["id"])


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("text", "fallback", "expected"),
    [
        ("有机荞麦米 500 吨", "en", "zh"),
        ("Когда отгрузка?", "zh", "ru"),
        ("When is the pickup?", "ru", "en"),
        ("Нужен сертификат GACC", "en", "ru"),
        ("12 345", "ru", "ru"),
        ("+++", None, "en"),
    ],
)
def test_language_is_detected_from_the_text_else_the_senders(text, fallback, expected):
    assert detect_language(text, fallback) == expected


def test_buyer_and_farmer_talk_about_an_order_and_others_get_404(app):
    order = _order(app)
    buyer, farmer = order.buyer, order.producer.owner
    buyer_api, farmer_api = client_for(app, buyer), client_for(app, farmer)

    posted = buyer_api.post(f"/api/v1/orders/{order.id}/messages", json={"body": "请问何时发货？"})
    assert posted.status_code == 201, posted.get_json()
    assert posted.get_json()["language"] == "zh"
    assert posted.get_json()["sender"]["id"] == buyer.id
    assert unread_count(farmer) == 1 and unread_count(buyer) == 0

    thread = farmer_api.get(f"/api/v1/orders/{order.id}/messages").get_json()
    assert thread["unread"] == 1
    assert [m["body"] for m in thread["items"]] == ["请问何时发货？"]
    assert unread_count(farmer) == 0  # reading marks it read
    reply = farmer_api.post(f"/api/v1/orders/{order.id}/messages", json={"body": "Отгрузим в пятницу."})
    assert reply.get_json()["language"] == "ru"
    assert unread_count(buyer) == 1

    for outsider in (
        factories.UserFactory(role="buyer"),
        factories.UserFactory(role="farmer"),
        factories.UserFactory(role="operator"),
        factories.UserFactory(role="admin"),  # no dispute: the admin has no part
    ):
        api = client_for(app, outsider)
        assert api.get(f"/api/v1/orders/{order.id}/messages").status_code == 404
        assert api.post(f"/api/v1/orders/{order.id}/messages", json={"body": "hi"}).status_code == 404
    assert buyer_api.get("/api/v1/orders/999999/messages").status_code == 404
    assert db.session.scalar(select(func.count(Message.id))) == 2


def test_an_admin_joins_a_disputed_order(app):
    order = _order(app)
    admin = factories.UserFactory(role="admin")
    api = client_for(app, admin)
    assert api.get(f"/api/v1/orders/{order.id}/messages").status_code == 404
    order = db.session.get(Order, order.id)
    apply_move(order, "paid", None)
    apply_move(order, "disputed", None)
    db.session.commit()
    assert (
        api.post(f"/api/v1/orders/{order.id}/messages", json={"body": "I am looking into it."}).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"body": ""}, 422),
        ({"body": "   \n "}, 422),
        ({"body": "x" * 5001}, 422),
        ({"body": 5}, 422),
        ({}, 422),
        (["body"], 422),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_stored(app, body, status):
    order = _order(app)
    response = client_for(app, order.buyer).post(f"/api/v1/orders/{order.id}/messages", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count(Message.id))) == 0


def test_a_lone_surrogate_is_refused_not_a_server_error(app):
    order = _order(app)
    response = client_for(app, order.buyer).post(
        f"/api/v1/orders/{order.id}/messages",
        data='{"body": "bad \\ud800 surrogate"}',
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert db.session.scalar(select(func.count(Message.id))) == 0


def test_five_thousand_characters_are_allowed(app):
    order = _order(app)
    response = client_for(app, order.buyer).post(
        f"/api/v1/orders/{order.id}/messages", json={"body": "я" * 5000}
    )
    assert response.status_code == 201


def test_attachments_are_checked_and_only_parties_download_them(app):
    order = _order(app)
    api = client_for(app, order.buyer)
    bad = api.post(
        f"/api/v1/orders/{order.id}/messages",
        data={"body": "see file", "attachment": (io.BytesIO(b"MZ\x90\x00 not an image"), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "attachment" in bad.get_json()["error"]["fields"]
    good = api.post(
        f"/api/v1/orders/{order.id}/messages",
        data={"body": "photo of the bags", "attachment": (io.BytesIO(_png()), "bags.png")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 201, good.get_json()
    url = good.get_json()["attachment"]["url"]
    assert good.get_json()["attachment"]["name"] == "bags.png"
    downloaded = client_for(app, order.producer.owner).get(url)
    assert downloaded.status_code == 200
    assert Image.open(io.BytesIO(downloaded.data)).size == (20, 20)
    assert client_for(app, factories.UserFactory(role="buyer")).get(url).status_code == 404


def test_rfq_thread_between_the_buyer_and_the_farmers_addressed(app):
    farmer = factories.UserFactory(role="farmer")
    producer = factories.ProducerFactory(owner=farmer, status="verified")
    buyer = factories.UserFactory(role="buyer")
    buyer_api = client_for(app, buyer)
    rfq = buyer_api.post(
        "/api/v1/rfqs",
        json={
            "producer_id": producer.id,
            "description": "Гречка ядрица 20 т",
            "quantity": "20000",
            "unit": "kg",
            "deadline": (utcnow().date() + timedelta(days=10)).isoformat(),
        },
    )
    assert rfq.status_code == 201, rfq.get_json()
    rfq_id = rfq.get_json()["id"]
    assert (
        buyer_api.post(f"/api/v1/rfqs/{rfq_id}/messages", json={"body": "Price for DAP Harbin?"}).status_code
        == 201
    )
    farmer_api = client_for(app, farmer)
    assert farmer_api.get(f"/api/v1/rfqs/{rfq_id}/messages").get_json()["items"][0]["language"] == "en"
    other_farmer = factories.UserFactory(role="farmer")
    factories.ProducerFactory(owner=other_farmer, status="verified")
    assert client_for(app, other_farmer).get(f"/api/v1/rfqs/{rfq_id}/messages").status_code == 404


def test_shipment_thread_operators_and_the_orders_parties(app):
    order = ready_order(app)
    shipment_id, _ = shipment_with(app, orders=[order])
    operator = factories.UserFactory(role="operator")
    api = client_for(app, operator)
    assert (
        api.post(
            f"/api/v1/shipments/{shipment_id}/messages", json={"body": "Truck at the gate 14:00"}
        ).status_code
        == 201
    )
    assert unread_count(order.buyer) == 1  # told as a party of an order on board
    assert client_for(app, order.buyer).get(f"/api/v1/shipments/{shipment_id}/messages").status_code == 200
    assert unread_count(order.buyer) == 0
    assert (
        client_for(app, factories.UserFactory(role="buyer"))
        .get(f"/api/v1/shipments/{shipment_id}/messages")
        .status_code
        == 404
    )


def test_unread_messages_go_out_in_one_digest_per_recipient(app, smtp_server):
    order = _order(app)
    order_id, farmer = order.id, order.producer.owner
    farmer_email = farmer.email
    farmer_api = client_for(app, farmer)
    buyer_api = client_for(app, order.buyer)
    for text in ("第一条", "第二条", "第三条"):
        assert buyer_api.post(f"/api/v1/orders/{order.id}/messages", json={"body": text}).status_code == 201
    pending = db.session.scalars(select(OutboxJob).where(OutboxJob.path.like("messaging.%"))).all()
    assert len(pending) == 1  # one digest for the farmer, not one mail per message
    assert smtp_server.messages == []  # waits N minutes
    assert jobs.drain() == 0  # not due yet
    db.session.execute(update(OutboxJob).values(run_after=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert jobs.drain() == 1
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["To"] == farmer_email
    text = mail.get_content()
    assert "第一条" in text and "第三条" in text
    # Read before the next digest: nothing is sent.
    buyer_api.post(f"/api/v1/orders/{order_id}/messages", json={"body": "还在吗"})
    farmer_api.get(f"/api/v1/orders/{order_id}/messages")
    db.session.execute(update(OutboxJob).values(run_after=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert jobs.drain() == 1
    assert len(smtp_server.messages) == 1


def test_pages_show_the_thread_the_lang_tag_and_the_unread_count(app, client):
    order = _order(app)
    farmer = order.producer.owner
    client_for(app, order.buyer).post(f"/api/v1/orders/{order.id}/messages", json={"body": "您好"})
    client.login(farmer)
    home = client.get("/messages").get_data(as_text=True)
    assert 'class="badge badge-count"' in home and f"/orders/{order.id}#conversation" in home
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert '<section class="card conversation" id="conversation"' in page  # markup, not escaped text
    assert (
        '<p class="prewrap message-body" lang="zh-Hans">您好</p>' in page
        and 'class="badge badge-info lang-tag"' in page
    )
    empty = client.post_form(f"/messages/order/{order.id}", {"body": "  "})
    assert empty.status_code == 302
    assert "Write a message." in client.get(f"/orders/{order.id}").get_data(as_text=True)
    sent = client.post_form(f"/messages/order/{order.id}", {"body": "Добрый день"}, follow_redirects=True)
    assert "Добрый день" in sent.get_data(as_text=True)
    assert db.session.scalar(select(Message.language).where(Message.body == "Добрый день")) == "ru"
    client.login(factories.UserFactory(role="buyer"))
    assert client.post_form(f"/messages/order/{order.id}", {"body": "hi"}).status_code == 404
