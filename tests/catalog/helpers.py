"""Payloads and small helpers for the catalog tests."""

import io

from PIL import Image


def product_payload(**overrides) -> dict:
    data = {
        "name": {"zh": "有机荞麦米", "ru": "Гречневая крупа ядрица", "en": "Organic buckwheat groats"},
        "description": {"ru": "Крупа из Увельского района", "en": "Kernel buckwheat"},
        "category": "grains",
        "hs_code": "1008100000",
        "unit": "kg",
        "net_weight_kg": "1.000",
        "gross_weight_kg": "1.050",
        "packaging": "25 kg bags",
        "price_tiers": [
            {"min_quantity": "500", "unit_price": "12.50"},
            {"min_quantity": "5000", "unit_price": "11.80"},
            {"min_quantity": "20000", "unit_price": "10.90"},
        ],
        "stock_quantity": "30000",
        "storage_temp_c": {"min": 0, "max": 25},
        "shelf_life_days": 365,
        "organic_claim": True,
        "status": "active",
    }
    data.update(overrides)
    return data


def producer_payload(**overrides) -> dict:
    data = {
        "name": {"ru": "ООО «Увельская нива»", "zh": "乌韦利斯基田野有限公司", "en": "Uvelka Field LLC"},
        "description": {"en": "Buckwheat and flax"},
        "district": "uvelsky",
        "address": "Uvelsky, Chelyabinsk oblast",
        "contact_phone": "+7 351 000 00 00",
        "gacc_registration": "CRUS12202201150001",
        "gacc_expires_at": "2030-01-01",
    }
    data.update(overrides)
    return data


def legal_payload(**overrides) -> dict:
    """A company's complete legal data with valid check digits (API shape)."""
    data = {
        "name": {"ru": "Общество с ограниченной ответственностью «Увельская нива»", "en": "Uvelka Field LLC"},
        "inn": "7440001230",
        "kpp": "744001001",
        "ogrn": "1027400000121",
        "address": {
            "ru": "457000, Челябинская обл., п. Увельский, ул. Полевая, 1",
            "en": "1 Polevaya St, Uvelsky",
        },
        "bank": {
            "name": "ПАО Сбербанк",
            "bik": "047501602",
            "account": "40702810972000000002",
            "correspondent_account": "30101810700000000602",
            "swift": "SABRRUMM",
        },
        "signatory": {"name": "Петров Иван Сергеевич", "position": "Генеральный директор"},
    }
    data.update(overrides)
    return data


def legal_form(prefix: str = "producer") -> dict:
    """The same legal data as the producer page's form fields."""
    from catalog.legal import FLAT, NESTED

    legal = legal_payload()
    fields = {
        f"{prefix}-{column}": legal[outer][inner]
        for outer, parts in NESTED.items()
        for inner, column in parts.items()
    }
    fields.update({f"{prefix}-{key}": legal[key] for key in FLAT})
    return fields


def image_bytes(fmt="PNG", size=(64, 48), color=(200, 150, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def error_fields(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]["fields"]


def statements_during(api, url):
    """The SQL statements ``api.get(url)`` ran, and its response."""
    from sqlalchemy import event

    from core.extensions import db

    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = api.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statements, response
