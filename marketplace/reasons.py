"""Reasons the system writes on an order's status changes, read in the reader's language.

The history keeps what was written (plain English, as audit data); pages translate the known
phrases and tag anything else with the language it is in."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.i18n import original

SYSTEM_REASONS = {
    "bank transfer received": _l("bank transfer received"),
    "card payment received": _l("card payment received"),
    "alipay payment received": _l("Alipay payment received"),
    "wechat_pay payment received": _l("WeChat Pay payment received"),
    "payment not received in time": _l("payment not received in time"),
    "completed automatically after the confirmation window": _l(
        "completed automatically after the confirmation window"
    ),
    "demo": _l("demo data"),
}
_SHIPMENT = re.compile(r"^shipment ([A-Z0-9]+)$")
_CARD_DISPUTE = re.compile(r"^card dispute: ?(.*)$")


def reason_label(text: str | None) -> Markup:
    """``shipment AB12CD`` → ``货运 AB12CD``; a person's own words as written, tagged."""
    if not text:
        return Markup("")
    if text in SYSTEM_REASONS:
        return Markup("{}").format(SYSTEM_REASONS[text])
    match = _SHIPMENT.match(text)
    if match:
        return Markup("{}").format(_("shipment %(code)s", code=match.group(1)))
    match = _CARD_DISPUTE.match(text)
    if match:
        return Markup("{}: ").format(_("card dispute")) + original(match.group(1))
    return original(text)
