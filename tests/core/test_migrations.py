"""The migrations build exactly the schema the models describe."""

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
