"""URL converters every module's routes share."""

from werkzeug.routing import IntegerConverter

from core.fields import ID_MAX


class IdConverter(IntegerConverter):
    """``<id:order_id>``: a primary key. A number past the column's range is a 404 from the
    router instead of an overflow error from the database; the OpenAPI parameter keeps the
    integer schema with that maximum."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, max=ID_MAX)


def init_routing(app) -> None:
    app.url_map.converters["id"] = IdConverter
