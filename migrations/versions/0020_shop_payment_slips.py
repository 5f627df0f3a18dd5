"""marketplace: payment slips, the buyer's proof of a bank transfer

Revision ID: 0020_shop_payment_slips
Revises: 0019_shop_photo_mini
Create Date: 2026-12-02 10:55:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0020_shop_payment_slips'
down_revision = '0019_shop_photo_mini'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_slips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=100), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_slips_payment_id_payments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_payment_slips_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_slips'))
    )
    with op.batch_alter_table('payment_slips', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_slips_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_slips_uploaded_by_id'), ['uploaded_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('payment_slips', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_slips_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_payment_slips_payment_id'))
    op.drop_table('payment_slips')
