"""marketplace: order lines keep the package their product had (kind, size, units, tare, pallet)

Existing lines are filled from their products as they are now: the closest reading of the
package they were sold in that the database still holds.

Revision ID: 0023_shop_line_packaging
Revises: 0023_search_name_postings
Create Date: 2026-12-02 18:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023_shop_line_packaging"
down_revision = "0023_search_name_postings"
branch_labels = None
depends_on = None

#: (column, type), as catalog_products has them.
COLUMNS = (
    ("package_kind", sa.String(length=16)),
    ("units_per_package", sa.Numeric(precision=12, scale=3)),
    ("package_tare_kg", sa.Numeric(precision=12, scale=3)),
    ("packages_per_pallet", sa.Integer()),
    ("package_size", sa.Numeric(precision=12, scale=3)),
    ("package_size_unit", sa.String(length=16)),
)


def upgrade():
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_order_lines_package_size_whole"), "(package_size IS NULL) = (package_size_unit IS NULL)"
        )
    backfill(op.get_bind())


def backfill(conn) -> None:
    """Copy each line's package from its product (one statement, any number of lines)."""
    lines = sa.table(
        "order_lines", sa.column("product_id", sa.Integer), *(sa.column(n, t) for n, t in COLUMNS)
    )
    products = sa.table(
        "catalog_products", sa.column("id", sa.Integer), *(sa.column(n, t) for n, t in COLUMNS)
    )
    conn.execute(
        lines.update().values(
            **{
                name: sa.select(products.c[name]).where(products.c.id == lines.c.product_id).scalar_subquery()
                for name, _type in COLUMNS
            }
        )
    )


def downgrade():
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_order_lines_package_size_whole"), type_="check")
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
