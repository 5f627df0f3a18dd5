"""The migrations build exactly the schema the models describe; the settings every PostgreSQL
connection of the app gets."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.db import include_in_schema_comparison
from core.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_in_schema_comparison}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"run `flask db migrate`: models differ from migrations: {diff}"


def test_postgresql_connections_are_named_and_compile_no_plans(app):
    # JIT spent 370 of a facet search's 553 ms at a million products: the app turns it off.
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
        assert connection.exec_driver_sql("SHOW application_name").scalar().startswith("agrobridge:")
