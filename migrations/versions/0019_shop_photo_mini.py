"""catalog: a 160 px picture of each photo, for the cart, orders and the gallery's strip

Revision ID: 0019_shop_photo_mini
Revises: 0019_lang_time_zone
Create Date: 2026-12-02 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_shop_photo_mini'
down_revision = '0019_lang_time_zone'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('catalog_photos') as batch_op:
        batch_op.add_column(sa.Column('mini_name', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('catalog_photos') as batch_op:
        batch_op.drop_column('mini_name')
