"""Navigation by role: modules register their menu entries."""

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ROLE_LABELS = {
    "farmer": _l("Farmer"),
    "buyer": _l("Buyer"),
    "operator": _l("Operator"),
    "admin": _l("Administrator"),
}


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    #: Who sees it: role names, "anonymous", or "*" for everyone.
    audience: tuple[str, ...]
    order: int = 50


_ITEMS: list[NavItem] = [
    NavItem("core.home", _l("Home"), ("*",), order=0),
    NavItem("accounts.admin_users", _l("Users"), ("admin",), order=90),
]


def add_nav_item(endpoint: str, label, audience: tuple[str, ...], order: int = 50) -> None:
    if all(item.endpoint != endpoint for item in _ITEMS):
        _ITEMS.append(NavItem(endpoint, label, audience, order))


def nav_items() -> list[dict]:
    role = current_user.role if current_user.is_authenticated else "anonymous"
    items = [i for i in _ITEMS if "*" in i.audience or role in i.audience]
    return [{"url": url_for(i.endpoint), "label": i.label} for i in sorted(items, key=lambda i: i.order)]


def role_label(role: str):
    return ROLE_LABELS.get(role, role)
