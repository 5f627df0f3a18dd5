"""Farmers are warned 60 days before a certificate or the GACC registration expires."""

import datetime as dt

from catalog.reminders import expiry_warnings, remind_expiring
from core import mail
from tests import factories

TODAY = dt.date.today()


def test_warnings_within_sixty_days():
    soon = factories.ProducerFactory(gacc_expires_at=TODAY + dt.timedelta(days=30))
    cert = factories.CertificateFactory(valid_until=TODAY + dt.timedelta(days=59))
    factories.CertificateFactory(valid_until=TODAY + dt.timedelta(days=61))
    found = {(e.producer.id, e.kind) for e in expiry_warnings()}
    assert found == {(soon.id, "gacc"), (cert.producer_id, "organic_cn")}


def test_a_renewed_certificate_silences_the_old_one():
    old = factories.CertificateFactory(valid_until=TODAY + dt.timedelta(days=10))
    factories.CertificateFactory(producer=old.producer, valid_until=TODAY + dt.timedelta(days=700))
    assert expiry_warnings() == []


def test_reminder_mail_is_sent_once(monkeypatch):
    sent = []
    monkeypatch.setattr(
        mail, "send_email_now", lambda to, subject, body, html=None: sent.append((to, subject, body))
    )
    producer = factories.ProducerFactory(gacc_expires_at=TODAY + dt.timedelta(days=20))
    factories.CertificateFactory(producer=producer, valid_until=TODAY + dt.timedelta(days=40), number="CN-1")
    assert remind_expiring() == 1
    assert len(sent) == 1
    to, subject, body = sent[0]
    assert (
        to == producer.owner.email
        and "expire" in subject
        and "CN-1" in body
        and producer.gacc_registration in body
    )
    assert remind_expiring() == 0 and len(sent) == 1


def test_farmer_sees_warnings(client):
    producer = factories.ProducerFactory(gacc_expires_at=TODAY + dt.timedelta(days=15))
    client.login(producer.owner)
    text = client.get("/catalog/my/products").get_data(as_text=True)
    assert "Credentials expiring soon" in text and producer.gacc_registration in text


def test_cli(app):
    factories.ProducerFactory(gacc_expires_at=TODAY + dt.timedelta(days=15))
    result = app.test_cli_runner().invoke(args=["catalog", "remind-expiring"])
    assert result.exit_code == 0 and "Reminded 1 producer" in result.output
