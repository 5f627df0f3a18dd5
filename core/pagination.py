"""Page arguments and the ``{"items", "total", "page", "per_page"}`` envelope."""

import marshmallow as ma
from sqlalchemy import func, select

from core.extensions import db
from core.fields import StrictInteger

MAX_PER_PAGE = 100


class PageArgsSchema(ma.Schema):
    # Query strings arrive as text: int("2.5") already fails, so no strict=True here.
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100000))
    per_page = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE))


def page_envelope(item_schema) -> type[ma.Schema]:
    """A schema class for one page of ``item_schema`` (for the OpenAPI spec)."""

    class PageSchema(ma.Schema):
        items = ma.fields.List(ma.fields.Nested(item_schema), required=True)
        total = StrictInteger(required=True)
        page = StrictInteger(required=True)
        per_page = StrictInteger(required=True)

    PageSchema.__name__ = f"{item_schema.__name__.removesuffix('Schema')}PageSchema"
    return PageSchema


def paginate(stmt, page: int, per_page: int) -> dict:
    """Run ``stmt`` for one page; ``total`` counts the whole result."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return {"items": items, "total": total, "page": page, "per_page": per_page}
