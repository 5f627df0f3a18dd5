"""catalog: the search vocabulary keeps a word as written beside each lexeme ("did you mean")

Revision ID: 0016_search_words
Revises: 0012_landed_cost
Create Date: 2026-12-02 06:10:00

Product lexemes now carry thesaurus concepts and the vocabulary Chinese words: after
upgrading a database with products, run `flask catalog reindex`.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_search_words'
down_revision = '0012_landed_cost'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('catalog_search_terms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('word', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('catalog_search_terms', schema=None) as batch_op:
        batch_op.drop_column('word')
