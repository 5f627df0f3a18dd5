"""A product read in one statement (PostgreSQL): the row, its producer, district and
category joined, and its price tiers, lots, photos and the producer's certificates as JSON
arrays built by correlated subqueries, instead of one query per collection.

The collections become the same model objects the ORM would load (committed values, not
added to the session), so the schemas and the templates read them as before. Used for reads
only (the API's ``GET /products/<id>``): nothing loaded here may be changed and flushed.
Other databases (SQLite) load the product the usual way.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Numeric, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, attributes, joinedload
from sqlalchemy.types import TypeDecorator

from catalog.models import Certificate, Lot, Photo, Producer, Product, ProductPriceTier
from catalog.queries import listing_options
from core.extensions import db

#: (collection on its parent, model, foreign key, ordering) — the orderings of the relationships.
_COLLECTIONS = (
    ("price_tiers", ProductPriceTier, ProductPriceTier.product_id, (ProductPriceTier.min_quantity,)),
    ("lots", Lot, Lot.product_id, (Lot.best_before,)),
    ("photos", Photo, Photo.product_id, (Photo.position,)),
    ("certificates", Certificate, Certificate.producer_id, (Certificate.valid_until,)),
)


def _converter(column):
    """JSON value → the Python value the ORM would hold for ``column``."""
    column_type = column.type
    decorator = column_type if isinstance(column_type, TypeDecorator) else None
    python_type = (decorator.impl if decorator else column_type).python_type
    if python_type is Decimal:
        return Decimal  # numerics are sent as text: the exact digits and scale
    if python_type is datetime:
        if decorator is not None:
            return lambda v: decorator.process_result_value(datetime.fromisoformat(v), None)
        return datetime.fromisoformat
    if python_type is date:
        return date.fromisoformat
    return None


def _json_array(model, foreign_key, parent_key, order_by):
    """``[{column: value, …}, …]`` of ``model``'s rows whose ``foreign_key`` is ``parent_key``."""
    pairs = []
    for column in model.__table__.columns:
        value = column
        if isinstance(column.type, Numeric) and column.type.asdecimal:
            value = column.cast(db.Text)
        pairs += [literal_column(f"'{column.key}'"), value]
    row = func.json_build_object(*pairs)
    return (
        select(
            func.coalesce(
                func.json_agg(aggregate_order_by(row, *order_by, model.id)), literal_column("'[]'::json")
            )
        )
        .where(foreign_key == parent_key)
        .scalar_subquery()
    )


_SPECS = None


def _specs():
    """Per collection: its mapper's column attributes and their converters (built once)."""
    global _SPECS
    if _SPECS is None:
        specs = []
        for name, model, _fk, _order in _COLLECTIONS:
            mapper = db.inspect(model)
            columns = []
            for column in model.__table__.columns:
                prop = mapper.get_property_by_column(column)
                columns.append((column.key, prop.key, _converter(column)))
            specs.append((name, mapper, columns))
        _SPECS = specs
    return _SPECS


def _build(mapper, columns, data: dict):
    """A new instance holding ``data`` as its loaded (committed) column values: written into
    its ``__dict__`` as the ORM's loading does for a fresh object (no history, no events)."""
    instance = mapper.class_manager.new_instance()
    values = instance.__dict__
    for json_key, attr, convert in columns:
        value = data[json_key]
        values[attr] = convert(value) if value is not None and convert is not None else value
    return instance


_STATEMENTS: dict = {}


def _statement(many: bool = False):
    """The one statement (by id, or by a list of ids), built once (its SQL is then cached by
    SQLAlchemy as usual)."""
    if many not in _STATEMENTS:
        arrays = [
            _json_array(model, fk, Product.producer_id if name == "certificates" else Product.id, order)
            for name, model, fk, order in _COLLECTIONS
        ]
        if many:
            where = Product.id.in_(bindparam("ids", expanding=True))
        else:
            where = Product.id == bindparam("product_id")
        _STATEMENTS[many] = (
            select(Product, *arrays)
            .where(where)
            .options(joinedload(Product.producer).joinedload(Producer.district), joinedload(Product.category))
        )
    return _STATEMENTS[many]


def load_products(ids: list[int]) -> list[Product]:
    """The products of ``ids`` (those that exist, in that order) with what a list shows, in
    one statement on PostgreSQL, in the request's session."""
    session = db.session()
    if session.get_bind().dialect.name != "postgresql":
        loaded = session.scalars(select(Product).where(Product.id.in_(ids)).options(*listing_options()))
        by_id = {product.id: product for product in loaded.unique()}
    else:
        rows = session.execute(_statement(many=True), {"ids": list(ids)}).all()
        by_id = {product.id: product for product in (_hydrate(row) for row in rows)}
    return [by_id[i] for i in ids if i in by_id]


def load_product(product_id: int) -> Product | None:
    """The product with everything a product read shows, in one statement on PostgreSQL.

    When the request's session has not started a transaction (an anonymous caller: nothing
    read yet), the statement runs on a connection of its own in autocommit — one statement
    is its own snapshot — which spares the ``BEGIN`` and the ``ROLLBACK`` round trips of a
    transaction; the product comes back detached, with everything the read shows loaded.
    """
    session = db.session()
    if session.get_bind().dialect.name != "postgresql":
        return session.scalar(select(Product).where(Product.id == product_id).options(*listing_options()))
    if session.in_transaction():
        return _load(session, product_id)
    with db.engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        with Session(bind=autocommit, expire_on_commit=False) as own:
            return _load(own, product_id)


def _load(session, product_id: int) -> Product | None:
    row = session.execute(_statement(), {"product_id": product_id}).first()
    return None if row is None else _hydrate(row)


def _hydrate(row) -> Product:
    """The product of a row of the statement, its collections made from the JSON arrays."""
    product = row[0]
    loaded = {}
    for (name, mapper, columns), items in zip(_specs(), row[1:], strict=True):
        loaded[name] = [_build(mapper, columns, item) for item in items]
    # Their way back to the product (and the certificates' to the producer), as loaded values.
    for name in ("price_tiers", "lots", "photos"):
        for item in loaded[name]:
            item.__dict__["product"] = product
    for photo in loaded["photos"]:
        photo.__dict__["producer"] = None
    for certificate in loaded["certificates"]:
        certificate.__dict__["producer"] = product.producer
    for name in ("price_tiers", "lots", "photos"):
        attributes.set_committed_value(product, name, loaded[name])
    attributes.set_committed_value(product.producer, "certificates", loaded["certificates"])
    return product
