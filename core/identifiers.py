"""Legal and trade identifiers and their check digits: Russian INN, KPP, OGRN/OGRNIP, BIK with
settlement and correspondent accounts, SWIFT BIC, China's USCC (GB 32100) and customs
registration code, GS1 GTIN/SSCC/GLN.

Each ``*_valid`` takes a string and answers True or False; callers strip it first. python-stdnum
checks what it implements the way DOMAIN.md states it (INN, USCC, GTIN, BIC); OGRNIP is done
here because stdnum takes its remainder mod 13 without the final mod 10, and the Russian bank
keys are not in stdnum at all.
"""

import re
from urllib.parse import quote

from stdnum import bic as _bic
from stdnum import ean as _ean
from stdnum.cn import uscc as _uscc
from stdnum.ru import inn as _inn

_DIGITS = re.compile(r"\d+")
#: KPP: tax office (4 digits), reason (2 digits or capital letters), serial (3 digits).
_KPP = re.compile(r"\d{4}[0-9A-Z]{2}\d{3}")
_BANK_WEIGHTS = (7, 1, 3)


def _digits(value: str, *lengths: int) -> bool:
    return isinstance(value, str) and bool(_DIGITS.fullmatch(value)) and len(value) in lengths


def inn_valid(value: str) -> bool:
    """INN: 10 digits (a company, one check digit) or 12 (a sole trader, two)."""
    return _digits(value, 10, 12) and _inn.is_valid(value)


def kpp_valid(value: str) -> bool:
    return isinstance(value, str) and bool(_KPP.fullmatch(value))


def ogrn_valid(value: str) -> bool:
    """OGRN (13 digits: first 12 mod 11 mod 10) or OGRNIP (15: first 14 mod 13 mod 10)."""
    if not _digits(value, 13, 15):
        return False
    modulus = 11 if len(value) == 13 else 13
    return int(value[:-1]) % modulus % 10 == int(value[-1])


def bik_valid(value: str) -> bool:
    """A Russian bank identification code: 9 digits starting 04 (Russia)."""
    return _digits(value, 9) and value.startswith("04")


def _bank_key_ok(prefix: str, account: str) -> bool:
    digits = prefix + account
    total = sum(int(d) * _BANK_WEIGHTS[i % 3] for i, d in enumerate(digits))
    return total % 10 == 0


def account_valid(account: str, bik: str) -> bool:
    """A settlement account (20 digits) whose control key matches the bank's BIK: the BIK's
    last 3 digits followed by the account, weights 7,1,3 repeated, sum mod 10 = 0."""
    return _digits(account, 20) and _digits(bik, 9) and _bank_key_ok(bik[-3:], account)


def correspondent_account_valid(account: str, bik: str) -> bool:
    """The bank's correspondent account (20 digits, 301…): keyed with "0" + BIK digits 5–6."""
    return (
        _digits(account, 20)
        and _digits(bik, 9)
        and account.startswith("301")
        and _bank_key_ok("0" + bik[4:6], account)
    )


def swift_valid(value: str) -> bool:
    """SWIFT/BIC: 8 or 11 characters (bank, country, location, branch)."""
    return isinstance(value, str) and len(value) in (8, 11) and value.isupper() and _bic.is_valid(value)


def uscc_valid(value: str) -> bool:
    """Unified Social Credit Code (GB 32100-2015): 18 characters with its check character."""
    return isinstance(value, str) and len(value) == 18 and value == value.upper() and _uscc.is_valid(value)


def customs_code_valid(value: str) -> bool:
    """A Chinese importer's customs registration code (海关编码): 10 digits (no check digit)."""
    return _digits(value, 10)


# ---- GS1 ----------------------------------------------------------------------------------------


def gs1_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of ``body`` (weights 3,1,3,… from the right)."""
    return _ean.calc_check_digit(body)


def gtin_valid(value: str) -> bool:
    """GTIN-8, -12, -13 or -14 with its check digit."""
    return _digits(value, 8, 12, 13, 14) and _ean.is_valid(value)


def gs1_valid(value: str, length: int) -> bool:
    """Any GS1 key of ``length`` digits with its check digit last (SSCC 18, GLN 13)."""
    return _digits(value, length) and gs1_check_digit(value[:-1]) == value[-1]


def gs1_prefix_valid(value: str) -> bool:
    """A GS1 company prefix: 6 to 12 digits."""
    return _digits(value, *range(6, 13))


# ---- GS1 EPC URIs (Tag Data Standard) and Digital Link ---------------------------------------


def gtin14(gtin: str) -> str:
    return gtin.zfill(14)


def _split_gtin(prefix: str, gtin: str) -> tuple[str, str] | None:
    """(company prefix, indicator + item reference) of a GTIN under ``prefix``, else None."""
    code = gtin14(gtin)
    if not prefix or code[1 : 1 + len(prefix)] != prefix:
        return None
    return prefix, code[0] + code[1 + len(prefix) : 13]


def epc_class(prefix: str, gtin: str, lot: str | None = None) -> str:
    """A product or lot as an EPC class: LGTIN with a lot, the SGTIN pattern without; a GS1
    Digital Link when the GTIN is not under ``prefix`` (its split is then unknown)."""
    split = _split_gtin(prefix, gtin)
    if split is None:
        return digital_link(gtin, lot)
    company, item = split
    if lot:
        return f"urn:epc:class:lgtin:{company}.{item}.{quote(lot, safe='')}"
    return f"urn:epc:idpat:sgtin:{company}.{item}.*"


def digital_link(gtin: str, lot: str | None = None) -> str:
    uri = f"https://id.gs1.org/01/{gtin14(gtin)}"
    return f"{uri}/10/{quote(lot, safe='')}" if lot else uri


def sscc(prefix: str, serial: int, extension: int = 0) -> str:
    """An 18-digit SSCC: extension digit, company prefix, serial reference, check digit."""
    width = 16 - len(prefix)
    reference = str(serial).zfill(width)
    if len(reference) > width:
        raise ValueError("serial reference too long for this prefix")
    body = f"{extension}{prefix}{reference}"
    return body + gs1_check_digit(body)


def sscc_uri(prefix: str, code: str) -> str:
    return f"urn:epc:id:sscc:{prefix}.{code[0]}{code[1 + len(prefix) : 17]}"


def sgln_uri(prefix: str, gln: str, extension: str = "0") -> str | None:
    """A GLN as an SGLN under ``prefix`` (None when the GLN is not under it)."""
    if not gln.startswith(prefix):
        return None
    return f"urn:epc:id:sgln:{prefix}.{gln[len(prefix) : 12]}.{extension}"
