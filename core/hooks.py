"""Template hooks: a page leaves a named place and the modules above it fill it in.

A lower module's page calls ``{{ hook('product-sidebar', product=product) }}``; a higher
module registers a function for that name in its ``register(app, api)``::

    add_template_hook(app, "product-sidebar", product_sidebar)

Each function gets the keyword arguments the page passed and returns HTML (usually a
rendered template of its own) or nothing. So the product page shows trade's landed-cost
panel without catalog importing trade. The hooks in use are listed in ARCHITECTURE.md.
"""

from collections.abc import Callable

from flask import current_app
from markupsafe import Markup

_EXTENSION = "template_hooks"


def add_template_hook(app, name: str, render: Callable[..., str | None], priority: int = 50) -> None:
    """Register ``render(**kwargs)`` for the place ``name``; lower ``priority`` renders first."""
    entries = app.extensions.setdefault(_EXTENSION, {}).setdefault(name, [])
    if any(existing is render for _, existing in entries):
        return
    entries.append((priority, render))
    entries.sort(key=lambda entry: entry[0])


def render_hook(name: str, /, **kwargs) -> Markup:
    """What the functions registered for ``name`` render, one after the other."""
    entries = current_app.extensions.get(_EXTENSION, {}).get(name, ())
    # Each part is a rendered (autoescaped) template, so it is markup already.
    parts = [Markup(part) for _, render in entries if (part := render(**kwargs))]  # noqa: S704
    return Markup("\n").join(parts)


def init_hooks(app) -> None:
    app.jinja_env.globals["hook"] = render_hook
