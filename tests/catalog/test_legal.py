"""A producer's legal data: every key checked (nothing stored on a bad one), shown to the right
people, and required before an administrator can verify the profile."""

import pytest

from catalog.models import Producer
from core.extensions import db
from tests import factories
from tests.catalog.helpers import error_fields, legal_payload, producer_payload


def _producer(api, **legal):
    api.as_role("farmer")
    response = api.post("/api/v1/producers", json=producer_payload(legal=legal_payload(**legal)))
    return response


def test_complete_legal_data_round_trips(api):
    response = _producer(api)
    assert response.status_code == 201, response.get_json()
    legal = response.get_json()["legal"]
    assert legal["inn"] == "7440001230" and legal["kpp"] == "744001001" and legal["ogrn"] == "1027400000121"
    assert legal["bank"]["account"] == "40702810972000000002" and legal["bank"]["swift"] == "SABRRUMM"
    assert legal["signatory"]["position"] == "Генеральный директор"
    assert legal["complete"] is True and legal["missing"] == []


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"inn": "7440001231"}, "legal.inn"),  # check digit
        ({"inn": "74400012"}, "legal.inn"),
        ({"kpp": "74400100"}, "legal.kpp"),  # 8 characters
        ({"ogrn": "1027400000122"}, "legal.ogrn"),  # check digit
        ({"ogrn": "319740000000125"}, "legal.ogrn"),  # an OGRNIP for a company's INN
        ({"inn": "744000123484", "kpp": "744001001", "ogrn": "319740000000125"}, "legal.kpp"),
        ({"bank": {**legal_payload()["bank"], "account": "40702810972000000003"}}, "legal.bank.account"),
        ({"bank": {**legal_payload()["bank"], "bik": "044525225"}}, "legal.bank.account"),
        (
            {"bank": {**legal_payload()["bank"], "correspondent_account": "30101810700000000603"}},
            "legal.bank.correspondent_account",
        ),
        ({"bank": {**legal_payload()["bank"], "swift": "SABR1UMM"}}, "legal.bank.swift"),
        ({"bank": {**legal_payload()["bank"], "bik": "12345678"}}, "legal.bank.bik"),
    ],
)
def test_bad_keys_are_refused_naming_the_field_and_nothing_is_stored(api, overrides, field):
    response = _producer(api, **overrides)
    assert response.status_code == 422, response.get_json()
    assert field in error_fields(response)
    assert db.session.query(Producer).count() == 0


def test_a_sole_trader_has_an_ogrnip_and_no_kpp(api):
    response = _producer(api, inn="744000123484", kpp="", ogrn="319740000000125")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["legal"]["complete"] is True


def test_patch_changes_one_field_and_keeps_the_rest(api):
    producer = factories.ProducerFactory()
    api.as_user(producer.owner)
    wrong = api.patch(
        f"/api/v1/producers/{producer.id}", json={"legal": {"bank": {"account": "4070281097200000000"}}}
    )
    assert wrong.status_code == 422 and "legal.bank.account" in error_fields(wrong)
    db.session.refresh(producer)
    assert producer.bank_account == "40702810972000000002"
    response = api.patch(
        f"/api/v1/producers/{producer.id}", json={"legal": {"signatory": {"name": "Иванова А. А."}}}
    )
    assert response.status_code == 200, response.get_json()
    legal = response.get_json()["legal"]
    assert legal["signatory"] == {"name": "Иванова А. А.", "position": "Генеральный директор"}
    # Bank details are a credential: a verified profile goes back to review when they change.
    again = api.patch(
        f"/api/v1/producers/{producer.id}",
        json={"legal": {"bank": {"account": "40802810972000000009"}}},
    )
    assert again.status_code == 200 and again.get_json()["status"] == "pending"


def test_bank_details_are_private(api):
    producer = factories.ProducerFactory()
    api.as_role("buyer")
    legal = api.get(f"/api/v1/producers/{producer.id}").get_json()["legal"]
    assert legal["inn"] == "7440001230" and legal["bank"] is None
    api.as_user(producer.owner)
    assert api.get(f"/api/v1/producers/{producer.id}").get_json()["legal"]["bank"]["bik"] == "047501602"


def test_verification_needs_complete_legal_data(api):
    producer = factories.ProducerFactory(status="pending", swift="", signatory_name="")
    api.as_role("admin")
    response = api.post(f"/api/v1/producers/{producer.id}/verify")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "legal_incomplete"
    assert set(error["missing"]) == {"legal.bank.swift", "legal.signatory.name"}
    db.session.refresh(producer)
    assert producer.status == "pending"
    producer.swift, producer.signatory_name = "SABRRUMM", "Петров И. С."
    db.session.commit()
    assert api.post(f"/api/v1/producers/{producer.id}/verify").status_code == 200


def test_unknown_gacc_category_and_bad_gs1_prefix(api):
    api.as_role("farmer")
    response = api.post(
        "/api/v1/producers",
        json=producer_payload(gacc_categories=["grains", "spaceships"], gs1_company_prefix="46"),
    )
    assert response.status_code == 422
    assert {"gacc_categories", "gs1_company_prefix"} <= set(error_fields(response))
