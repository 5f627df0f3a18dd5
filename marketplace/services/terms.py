"""A buyer's standing trade terms: whether they hold an import quota certificate, and the share
of shelf life they require on arrival (their own, else the platform's)."""

from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l

from core.errors import Forbidden, ValidationFailed
from core.extensions import db
from marketplace.models import BuyerTerms
from marketplace.services.stock import parse_share

SHARE_PLACES = Decimal("0.0001")


def _require_buyer(user) -> None:
    if user is None or user.role != "buyer":
        raise Forbidden(_l("Only buyers keep trade terms."))


def view(buyer) -> dict:
    """``{"holds_quota_certificate", "quota", "min_shelf_life_share", "default_shelf_life_share"}``."""
    _require_buyer(buyer)
    terms = db.session.get(BuyerTerms, buyer.id) or BuyerTerms(buyer_id=buyer.id)
    default = parse_share(current_app.config.get("SHELF_LIFE_SHARE_ON_ARRIVAL", "2/3"))
    return {
        "holds_quota_certificate": terms.holds_quota_certificate,
        "quota": terms.quota,
        "min_shelf_life_share": terms.min_shelf_life_share,
        "default_shelf_life_share": Decimal(default.numerator) / Decimal(default.denominator),
    }


def save(buyer, data: dict) -> dict:
    """Change what ``data`` names (None clears it back to the default). Buyers.

    :raise 403: not a buyer
    :raise 422: a share that is not more than 0 and at most 1
    """
    _require_buyer(buyer)
    terms = db.session.get(BuyerTerms, buyer.id) or BuyerTerms(buyer_id=buyer.id)
    if "holds_quota_certificate" in data:
        terms.holds_quota_certificate = data["holds_quota_certificate"]
    if "min_shelf_life_share" in data:
        share = data["min_shelf_life_share"]
        if share is not None and not (Decimal("0") < share <= Decimal("1")):
            message = _l("The share of shelf life is more than 0 and at most 1 (e.g. 0.6667 for 2/3).")
            raise ValidationFailed(message, fields={"min_shelf_life_share": [message]})
        terms.min_shelf_life_share = None if share is None else share.quantize(SHARE_PLACES, ROUND_HALF_UP)
    db.session.add(terms)
    db.session.commit()
    return view(buyer)
