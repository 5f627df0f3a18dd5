"""catalog: names-first search (a names and categories tsvector) and words as written in the vocabulary

Revision ID: 0016_search_words
Revises: 0012_landed_cost
Create Date: 2026-12-02 06:10:00

Product lexemes now carry thesaurus concepts and the vocabulary Chinese words: after
upgrading a database with products, run `flask catalog reindex`.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0016_search_words'
down_revision = '0012_landed_cost'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('catalog_search_terms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('word', sa.String(length=64), nullable=True))
    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('name_vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True)
        )
    if op.get_bind().dialect.name == "postgresql":
        # The first rounds of a search read only names and categories: their own GIN indexes
        # give exactly those rows, instead of every row whose description has the word.
        op.execute("CREATE INDEX ix_catalog_products_name_vector ON catalog_products USING gin (name_vector)")
        op.execute("CREATE INDEX ix_catalog_products_listed_names ON catalog_products USING gin (name_vector) "
                   "WHERE listed")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_catalog_products_listed_names")
        op.execute("DROP INDEX IF EXISTS ix_catalog_products_name_vector")
    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.drop_column('name_vector')
    with op.batch_alter_table('catalog_search_terms', schema=None) as batch_op:
        batch_op.drop_column('word')
