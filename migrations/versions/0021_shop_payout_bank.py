"""marketplace: the producer's bank details kept on each payout

Revision ID: 0021_shop_payout_bank
Revises: 0020_shop_payment_slips
Create Date: 2026-12-02 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_shop_payout_bank'
down_revision = '0020_shop_payment_slips'
branch_labels = None
depends_on = None

COLUMNS = (
    ('beneficiary', 300),
    ('bank_name', 200),
    ('bik', 9),
    ('bank_account', 20),
    ('correspondent_account', 20),
    ('swift', 11),
)


def upgrade():
    with op.batch_alter_table('payouts') as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('payouts') as batch_op:
        for name, _length in COLUMNS:
            batch_op.drop_column(name)
