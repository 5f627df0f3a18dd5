"""Producer profiles: one per farmer, admin review, visibility, certificates and GACC rules."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from catalog.models import Certificate, Producer
from core.extensions import db
from tests import factories
from tests.catalog.helpers import error_fields, producer_payload


def _count(model=Producer):
    return db.session.scalar(select(func.count()).select_from(model))


def test_farmer_creates_own_profile_once(api):
    farmer = api.as_role("farmer").user
    response = api.post("/api/v1/producers", json=producer_payload())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == {
        "ru": "ООО «Увельская нива»",
        "zh": "乌韦利斯基田野有限公司",
        "en": "Uvelka Field LLC",
    }
    assert body["verified"] is False and body["status"] == "pending"
    assert body["district"] == "uvelsky" and body["gacc_registration"] == "CRUS12202201150001"
    assert body["gacc_expires_at"] == "2030-01-01" and body["certificates"] == []
    assert body["contacts"]["contact_phone"] == "+7 351 000 00 00"  # the owner sees contacts
    assert db.session.get(Producer, body["id"]).owner_id == farmer.id
    again = api.post("/api/v1/producers", json=producer_payload(gacc_registration="CRUS12202201150002"))
    assert again.status_code == 409
    assert _count() == 1


@pytest.mark.parametrize("role", ["buyer", "admin", "operator"])
def test_only_farmers_have_profiles(api, role):
    api.as_role(role)
    assert api.post("/api/v1/producers", json=producer_payload()).status_code == 403
    assert _count() == 0


def test_anonymous_cannot_create(api):
    assert api.post("/api/v1/producers", json=producer_payload()).status_code == 401


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"gacc_registration": "CRUS1220220115"}, "gacc_registration"),
        ({"gacc_registration": "XRUS12202201150001"}, "gacc_registration"),
        ({"gacc_registration": "crus12202201150001x"}, "gacc_registration"),
        ({"district": "moscow"}, "district"),
        ({"name": {"en": "No Russian name"}}, "name"),
        ({"gacc_expires_at": "2030-13-01"}, "gacc_expires_at"),
        ({"name": {"fr": "Ferme"}}, "name"),
    ],
)
def test_bad_producer_input(api, overrides, field):
    api.as_role("farmer")
    response = api.post("/api/v1/producers", json=producer_payload(**overrides))
    assert response.status_code == 422
    assert field in error_fields(response)
    assert _count() == 0


def test_gacc_number_is_unique(api):
    factories.ProducerFactory(gacc_registration="CRUS12202201150001")
    api.as_role("farmer")
    response = api.post("/api/v1/producers", json=producer_payload())
    assert response.status_code == 422 and "gacc_registration" in error_fields(response)


def test_visibility_of_unverified_producers(api):
    pending = factories.ProducerFactory(status="pending")
    verified = factories.ProducerFactory()
    assert api.get(f"/api/v1/producers/{pending.id}").status_code == 404
    body = api.get(f"/api/v1/producers/{verified.id}").get_json()
    assert body["verified"] is True and body["contacts"] is None and body["rejection_reason"] is None
    listed = api.get("/api/v1/producers").get_json()
    assert [p["id"] for p in listed["items"]] == [verified.id] and listed["total"] == 1
    api.as_user(pending.owner)
    assert api.get(f"/api/v1/producers/{pending.id}").status_code == 200


def test_admin_lists_all_with_status_filter(api):
    pending = factories.ProducerFactory(status="pending")
    factories.ProducerFactory()
    api.as_role("admin")
    assert api.get("/api/v1/producers").get_json()["total"] == 2
    body = api.get("/api/v1/producers?status=pending").get_json()
    assert [p["id"] for p in body["items"]] == [pending.id]
    assert api.get("/api/v1/producers?status=nonsense").status_code == 422
    assert api.get("/api/v1/producers?per_page=101").status_code == 422


def test_admin_verifies_and_rejects(api):
    producer = factories.ProducerFactory(status="pending")
    api.as_role("farmer")
    assert api.post(f"/api/v1/producers/{producer.id}/verify").status_code == 403  # role first
    api.as_role("admin")
    response = api.post(f"/api/v1/producers/{producer.id}/verify")
    assert response.status_code == 200 and response.get_json()["verified"] is True
    response = api.post(f"/api/v1/producers/{producer.id}/reject", json={"reason": "GACC number unreadable"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "rejected" and body["rejection_reason"] == "GACC number unreadable"
    assert api.post(f"/api/v1/producers/{producer.id}/reject", json={"reason": ""}).status_code == 422
    assert api.post(f"/api/v1/producers/{producer.id}/reject", json={}).status_code == 422


def test_verification_needs_a_current_gacc_registration(api):
    expired = factories.ProducerFactory(
        status="pending", gacc_expires_at=dt.date.today() - dt.timedelta(days=1)
    )
    missing = factories.ProducerFactory(status="pending", gacc_registration=None)
    api.as_role("admin")
    for producer in (expired, missing):
        response = api.post(f"/api/v1/producers/{producer.id}/verify")
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "gacc_missing"


def test_only_the_owner_patches_and_new_credentials_go_back_to_review(api):
    producer = factories.ProducerFactory()
    api.as_role("farmer")
    assert api.patch(f"/api/v1/producers/{producer.id}", json={"address": "x"}).status_code == 403
    api.as_role("admin")
    assert api.patch(f"/api/v1/producers/{producer.id}", json={"address": "x"}).status_code == 403
    api.as_user(producer.owner)
    response = api.patch(f"/api/v1/producers/{producer.id}", json={"address": "New road 1"})
    assert response.status_code == 200 and response.get_json()["verified"] is True
    response = api.patch(f"/api/v1/producers/{producer.id}", json={"gacc_registration": "CRUS99999999999999"})
    assert response.status_code == 200 and response.get_json()["status"] == "pending"


def test_certificates(api):
    producer = factories.ProducerFactory()
    url = f"/api/v1/producers/{producer.id}/certificates"
    payload = {
        "kind": "organic_cn",
        "number": "CN-ORG-1",
        "issuer": "CQC",
        "valid_from": "2025-01-01",
        "valid_until": "2099-01-01",
    }
    api.as_role("farmer")
    assert api.post(url, json=payload).status_code == 403
    api.as_user(producer.owner)
    response = api.post(url, json=payload)
    assert response.status_code == 201 and response.get_json()["valid"] is True
    bad = dict(payload, valid_until="2024-01-01")
    assert "valid_until" in error_fields(api.post(url, json=bad))
    assert "kind" in error_fields(api.post(url, json=dict(payload, kind="bio")))
    assert _count(Certificate) == 1
    listed = api.get(url).get_json()
    assert [c["number"] for c in listed] == ["CN-ORG-1"]
    cert_id = listed[0]["id"]
    assert api.delete(f"{url}/{cert_id}").status_code == 204
    assert _count(Certificate) == 0


def test_expired_certificate_stops_counting_at_once(app):
    producer = factories.ProducerFactory()
    factories.CertificateFactory(producer=producer, kind="organic_ru", valid_until=dt.date.today())
    factories.CertificateFactory(
        producer=producer,
        kind="organic_cn",
        valid_from=dt.date.today() - dt.timedelta(days=400),
        valid_until=dt.date.today() - dt.timedelta(days=1),
    )
    assert producer.organic() == {"cn": False, "ru": True}
    assert producer.organic(on=dt.date.today() + dt.timedelta(days=1)) == {"cn": False, "ru": False}
