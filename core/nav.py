"""Navigation by role: modules register their menu entries."""

from collections.abc import Callable
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
    #: A count shown beside the label (unread messages…), or None.
    badge: Callable[[], int] | None = None


_ITEMS: list[NavItem] = [
    NavItem("core.home", _l("Home"), ("*",), order=0),
    NavItem("core.todo", _l("To do"), ("farmer", "buyer", "operator", "admin"), order=1),
    NavItem("accounts.admin_users", _l("Users"), ("admin",), order=90),
]


def add_nav_item(endpoint: str, label, audience: tuple[str, ...], order: int = 50, badge=None) -> None:
    """``badge``: a function giving the number to show beside the label (0: none shown)."""
    if all(item.endpoint != endpoint for item in _ITEMS):
        _ITEMS.append(NavItem(endpoint, label, audience, order, badge))


def nav_items() -> list[dict]:
    role = current_user.role if current_user.is_authenticated else "anonymous"
    items = [i for i in _ITEMS if "*" in i.audience or role in i.audience]
    return [
        {"url": url_for(i.endpoint), "label": i.label, "badge": i.badge() if i.badge else 0}
        for i in sorted(items, key=lambda i: i.order)
    ]


def role_label(role: str):
    return ROLE_LABELS.get(role, role)
