"""Check digits of the legal and GS1 identifiers: real numbers pass, and any single changed
digit (the typist's usual slip) is caught."""

import pytest

from core import identifiers as ids

# Real, published numbers (Sberbank, its Moscow bank, a sole trader's OGRNIP, Bank of China).
SBERBANK_INN = "7707083893"
SOLE_TRADER_INN = "500100732259"
SBERBANK_OGRN = "1027700132195"
OGRNIP = "304500116000157"
BIK = "044525225"
CORRESPONDENT = "30101810400000000225"
ACCOUNT = "40702810938000000001"
USCC = "91110000600037341L"
GTIN = "4601234567893"


def one_digit_off(value: str):
    """Every variant of ``value`` with one digit changed."""
    for i, ch in enumerate(value):
        if ch.isdigit():
            for d in "0123456789":
                if d != ch:
                    yield value[:i] + d + value[i + 1 :]


@pytest.mark.parametrize(
    "check, value",
    [
        (ids.inn_valid, SBERBANK_INN),
        (ids.inn_valid, SOLE_TRADER_INN),
        (ids.ogrn_valid, SBERBANK_OGRN),
        (ids.ogrn_valid, OGRNIP),
        (ids.gtin_valid, GTIN),
    ],
)
def test_real_numbers_pass_and_any_changed_digit_fails(check, value):
    assert check(value)
    caught = [v for v in one_digit_off(value) if not check(v)]
    # INN and OGRN sum mod 11/13 then mod 10: a few substitutions collide by design; most don't.
    assert len(caught) >= 0.85 * len(list(one_digit_off(value)))
    # The check digit itself is never wrong silently.
    last = value[:-1] + str((int(value[-1]) + 1) % 10)
    assert not check(last)


def test_ogrnip_uses_mod_13_then_mod_10():
    # 14 digits whose remainder mod 13 is two digits: the check digit is its last digit.
    body = next(str(n) for n in range(30450011600010, 30450011600100) if n % 13 >= 10)
    assert ids.ogrn_valid(body + str(int(body) % 13 % 10))
    assert not ids.ogrn_valid(body + str((int(body) % 13 + 1) % 10))


@pytest.mark.parametrize("value", ["", "770708389", "77070838931", "770708389X", " 7707083893", None])
def test_inn_shape(value):
    assert not ids.inn_valid(value)


@pytest.mark.parametrize(
    "value, ok",
    [
        ("773601001", True),
        ("7736AB001", True),
        ("77360100", False),
        ("7736010011", False),
        ("77360I001", True),
        ("7736-1001", False),
    ],
)  # noqa: E501
def test_kpp_is_nine_characters(value, ok):
    assert ids.kpp_valid(value) is ok


def test_bank_account_must_match_its_bik():
    assert ids.account_valid(ACCOUNT, BIK)
    assert ids.correspondent_account_valid(CORRESPONDENT, BIK)
    # The same account at another bank (different last three BIK digits) does not key.
    assert not ids.account_valid(ACCOUNT, "044525593")
    assert not any(ids.account_valid(v, BIK) for v in one_digit_off(ACCOUNT))
    assert not any(ids.correspondent_account_valid(v, BIK) for v in one_digit_off(CORRESPONDENT))
    # A settlement account is not a correspondent account, and lengths are exact.
    assert not ids.correspondent_account_valid(ACCOUNT, BIK)
    assert not ids.account_valid(ACCOUNT[:-1], BIK)


@pytest.mark.parametrize(
    "value, ok", [(BIK, True), ("04452522", False), ("144525225", False), ("04452522X", False)]
)
def test_bik_shape(value, ok):
    assert ids.bik_valid(value) is ok


@pytest.mark.parametrize(
    "value, ok",
    [
        ("SABRRUMM", True),
        ("SABRRUMMXXX", True),
        ("BKCHCNBJ860", True),
        ("SABRRUM", False),
        ("SABR1UMM", False),
        ("sabrrumm", False),
    ],
)  # noqa: E501
def test_swift(value, ok):
    assert ids.swift_valid(value) is ok


def test_uscc_check_character():
    assert ids.uscc_valid(USCC)
    # GB 32100: 31 - sum(weight_i * value_i) mod 31, over the 31-character alphabet.
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * pow(3, i, 31) for i, c in enumerate(USCC[:17]))
    assert alphabet[(31 - total % 31) % 31] == USCC[-1]
    for wrong in alphabet:
        if wrong != USCC[-1]:
            assert not ids.uscc_valid(USCC[:-1] + wrong)
    assert not ids.uscc_valid(USCC[:-1])
    assert not ids.uscc_valid(USCC.replace("9", "I", 1))  # I is not in the alphabet


@pytest.mark.parametrize(
    "value, ok", [("2301960123", True), ("230196012", False), ("23019601234", False), ("23019A0123", False)]
)  # noqa: E501
def test_customs_code(value, ok):
    assert ids.customs_code_valid(value) is ok


def test_gs1_keys():
    sscc_body = "34601234500000001"
    sscc = sscc_body + ids.gs1_check_digit(sscc_body)
    assert ids.gs1_valid(sscc, 18)
    assert not any(ids.gs1_valid(v, 18) for v in one_digit_off(sscc))
    # Weights 3,1 from the right: 460123456789 → 3·(9+7+5+3+1+6) + (8+6+4+2+0+4) = 117 → 3.
    assert ids.gs1_check_digit("460123456789") == "3"
    assert not ids.gtin_valid("4601234567890")
    assert ids.gs1_prefix_valid("4601234") and not ids.gs1_prefix_valid("46012")
