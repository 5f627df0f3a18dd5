"""A producer's legal data: the API's ``legal`` shape, and every field checked (INN, KPP,
OGRN/OGRNIP, BIK with its accounts' control keys, SWIFT) before anything is stored."""

from flask_babel import lazy_gettext as _l

from core import identifiers

#: API shape → columns.
NESTED = {
    "name": {"ru": "legal_name_ru", "en": "legal_name_en"},
    "address": {"ru": "legal_address_ru", "en": "legal_address_en"},
    "bank": {
        "name": "bank_name",
        "bik": "bik",
        "account": "bank_account",
        "correspondent_account": "correspondent_account",
        "swift": "swift",
    },
    "signatory": {"name": "signatory_name", "position": "signatory_position"},
}
FLAT = ("inn", "kpp", "ogrn")
LIMITS = {
    "legal_name_ru": 300,
    "legal_name_en": 300,
    "inn": 12,
    "kpp": 9,
    "ogrn": 15,
    "legal_address_ru": 400,
    "legal_address_en": 400,
    "bank_name": 200,
    "bik": 9,
    "bank_account": 20,
    "correspondent_account": 20,
    "swift": 11,
    "signatory_name": 200,
    "signatory_position": 200,
}
#: Identifiers people type with spaces or dashes between groups of digits.
DIGIT_GROUPS = ("inn", "ogrn", "bik", "bank_account", "correspondent_account")
#: Column → the API's dotted field name, for error messages.
FIELD_NAMES = {
    **{col: f"legal.{outer}.{inner}" for outer, parts in NESTED.items() for inner, col in parts.items()},
    **{key: f"legal.{key}" for key in FLAT},
}


def flatten(legal: dict) -> dict:
    values = {}
    for key, value in (legal or {}).items():
        if key in NESTED:
            for part, column in NESTED[key].items():
                if part in (value or {}):
                    values[column] = (value or {})[part]
        elif key in FLAT:
            values[key] = value
    return values


def as_json(producer, with_bank: bool = True) -> dict:
    result = {
        outer: {inner: getattr(producer, column) or "" for inner, column in parts.items()}
        for outer, parts in NESTED.items()
    }
    result.update({key: getattr(producer, key) or "" for key in FLAT})
    if not with_bank:
        result["bank"] = None
    result["complete"] = producer.legal_complete
    result["missing"] = [FIELD_NAMES[c] for c in producer.legal_missing]
    return result


def _normalise(column: str, raw) -> str:
    text = (raw or "").strip() if isinstance(raw, str) else ""
    if column in DIGIT_GROUPS:
        text = text.replace(" ", "").replace("-", "")
    if column in ("kpp", "swift"):
        text = text.upper().replace(" ", "")
    return text


def check_legal(values: dict, producer=None, field=lambda column: column) -> tuple[dict, dict]:
    """Cleaned column values and ``{field: [messages]}`` for the bad ones. Checks each key and
    the keys that go together (INN ↔ KPP/OGRN, BIK ↔ accounts), using the producer's stored
    values for the ones not given."""
    cleaned, errors = {}, {}
    for column, raw in values.items():
        text = _normalise(column, raw)
        if len(text) > LIMITS[column]:
            errors[field(column)] = [_l("At most %(n)d characters.", n=LIMITS[column])]
        else:
            cleaned[column] = text

    def current(column):
        if column in cleaned:
            return cleaned[column]
        return getattr(producer, column, "") or "" if producer is not None else ""

    def fail(column, message):
        errors.setdefault(field(column), []).append(message)

    inn, kpp, ogrn = current("inn"), current("kpp"), current("ogrn")
    if "inn" in cleaned and inn and not identifiers.inn_valid(inn):
        fail("inn", _l("An INN has 10 digits (a company) or 12 (a sole trader) and valid check digits."))
    if "kpp" in cleaned and kpp:
        if not identifiers.kpp_valid(kpp):
            fail("kpp", _l("A KPP has 9 characters."))
        elif len(inn) == 12:
            fail("kpp", _l("A sole trader (12-digit INN) has no KPP."))
    if "ogrn" in cleaned and ogrn:
        if not identifiers.ogrn_valid(ogrn):
            fail("ogrn", _l("An OGRN has 13 digits, an OGRNIP 15, with a valid check digit."))
        elif inn and len(ogrn) != (13 if len(inn) == 10 else 15):
            fail("ogrn", _l("A company (10-digit INN) has a 13-digit OGRN; a sole trader a 15-digit OGRNIP."))
    bik = current("bik")
    if "bik" in cleaned and bik and not identifiers.bik_valid(bik):
        fail("bik", _l("A BIK has 9 digits and starts with 04."))
    bik_ok = identifiers.bik_valid(bik)
    account, correspondent = current("bank_account"), current("correspondent_account")
    if ("bank_account" in cleaned or "bik" in cleaned) and account and bik_ok:
        if not identifiers.account_valid(account, bik):
            fail("bank_account", _l("This account does not match the bank's BIK (control key)."))
    if "bank_account" in cleaned and account and len(account) != 20:
        fail("bank_account", _l("A bank account has 20 digits."))
    if ("correspondent_account" in cleaned or "bik" in cleaned) and correspondent and bik_ok:
        if not identifiers.correspondent_account_valid(correspondent, bik):
            fail(
                "correspondent_account",
                _l("This correspondent account does not match the bank's BIK (control key)."),
            )
    swift = current("swift")
    if "swift" in cleaned and swift and not identifiers.swift_valid(swift):
        fail("swift", _l("A SWIFT code has 8 or 11 letters and digits."))
    return cleaned, errors
