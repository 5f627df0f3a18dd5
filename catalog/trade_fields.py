"""A product's two tariff codes and a price basis, read from the API's or a form's data.

The Chinese tariff code (``hs_code_cn``, still ``hs_code`` in the API) and the Russian TN VED
EAEU code share the international HS subheading: their first 6 digits must agree.
"""

from flask_babel import lazy_gettext as _l

from catalog import incoterms
from catalog.data import HS_CODE_RE


def _digits(value) -> str:
    return "".join(str(value or "").split()).replace(".", "")


def code_values(data: dict, product, error) -> dict:
    """``hs_code`` and ``tnved_code`` column values from ``data``; ``error(field, message)``."""
    values = {}
    given = (
        data.get("hs_code_cn", data.get("hs_code")) if ("hs_code_cn" in data or "hs_code" in data) else None
    )
    if given is not None or product is None:
        hs_code = _digits(given)
        if not HS_CODE_RE.match(hs_code):
            error("hs_code_cn" if "hs_code_cn" in data else "hs_code", _l("An HS code has 6 to 10 digits."))
        values["hs_code"] = hs_code
    if "hs_code" in data and "hs_code_cn" in data and _digits(data["hs_code"]) != _digits(data["hs_code_cn"]):
        error("hs_code", _l("hs_code is the Chinese code: give the same as hs_code_cn, or only one."))
    if "tnved_code" in data:
        tnved = _digits(data.get("tnved_code")) or None
        if tnved is not None and not (tnved.isdigit() and len(tnved) == 10):
            error("tnved_code", _l("A TN VED code has 10 digits."))
        values["tnved_code"] = tnved
    hs_code = values.get("hs_code", product.hs_code if product is not None else "")
    tnved = values.get("tnved_code", product.tnved_code if product is not None else None)
    if tnved and hs_code and tnved[:6] != hs_code[:6]:
        error(
            "tnved_code",
            _l(
                "The TN VED code %(tnved)s and the Chinese code %(cn)s name different HS subheadings"
                " (their first 6 digits differ).",
                tnved=tnved,
                cn=hs_code,
            ),
        )
    return values


def price_basis_values(basis, error, field: str = "price_basis", allow_none: bool = True) -> dict:
    """``price_incoterm`` and ``price_place`` from ``{"incoterm", "named_place"}`` (None: inherit)."""
    if basis is None:
        if not allow_none:
            error(field, _l("Give the Incoterm and the named place of your prices."))
            return {}
        return {"price_incoterm": None, "price_place": None}
    try:
        term, place = incoterms.check(basis.get("incoterm"), basis.get("named_place"))
    except incoterms.TermError as exc:
        error(f"{field}.{exc.field}", exc.message)
        return {}
    return {"price_incoterm": term, "price_place": place.code}
