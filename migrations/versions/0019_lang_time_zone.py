"""accounts: each user's time zone (times are shown in it)

Revision ID: 0019_lang_time_zone
Revises: 0019_reg_order_label_sheets
Create Date: 2026-12-02 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_lang_time_zone'
down_revision = '0019_reg_order_label_sheets'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('time_zone', sa.String(length=64), server_default='Asia/Shanghai', nullable=False)
        )
    # The defaults core.timezones.default_zone gives new accounts.
    op.execute(
        "UPDATE users SET time_zone = CASE"
        " WHEN role IN ('farmer', 'operator') THEN 'Asia/Yekaterinburg'"
        " WHEN language = 'zh' OR role = 'buyer' THEN 'Asia/Shanghai'"
        " WHEN language = 'ru' THEN 'Europe/Moscow'"
        " ELSE 'UTC' END"
    )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
