"""The to-do home: what each role has to do next, section by section, with counts.

Core knows no module: each registers its sections in ``register(app, api)``::

    add_todo_section("farmer", "confirm", _l("Orders to confirm"), orders_to_confirm, order=10)

A provider takes the user and returns a list of items, each a dict with ``title``, ``url``,
and optionally ``detail`` (a line under it), ``due`` (a date or time to show) and ``urgent``
(shown in red: overdue or expiring within days). The page shows the sections as tabs with
their counts (computed on that page only, so other pages stay cheap).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TodoSection:
    role: str
    key: str
    label: object
    provider: Callable
    order: int = 50


_SECTIONS: list[TodoSection] = []


def add_todo_section(role: str, key: str, label, provider, order: int = 50) -> None:
    if any(s.role == role and s.key == key for s in _SECTIONS):
        return
    _SECTIONS.append(TodoSection(role, key, label, provider, order))
    _SECTIONS.sort(key=lambda s: (s.role, s.order))


def todo_for(user) -> list[dict]:
    """The user's sections: ``[{"key", "label", "items", "count"}]`` in their order."""
    sections = []
    for section in _SECTIONS:
        if section.role != user.role:
            continue
        items = list(section.provider(user))
        sections.append({"key": section.key, "label": section.label, "items": items, "count": len(items)})
    return sections
