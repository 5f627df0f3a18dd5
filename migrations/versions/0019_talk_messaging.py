"""messaging: conversations per order, RFQ and shipment

Revision ID: 0019_talk_messaging
Revises: 0019_lang_time_zone
Create Date: 2026-12-02 10:22:26.333767

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0019_talk_messaging'
down_revision = '0021_shop_payout_bank'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('messaging_threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_message_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messaging_threads')),
    sa.UniqueConstraint('subject_kind', 'subject_id', name='uq_messaging_threads_subject')
    )
    with op.batch_alter_table('messaging_threads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messaging_threads_last_message_at'), ['last_message_at'], unique=False)

    op.create_table('messaging_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('attachment_name', sa.String(length=100), nullable=True),
    sa.Column('attachment_type', sa.String(length=50), nullable=True),
    sa.Column('attachment_original', sa.String(length=200), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("language IN ('zh', 'ru', 'en')", name=op.f('ck_messaging_messages_language_known')),
    sa.CheckConstraint('length(body) BETWEEN 1 AND 5000', name=op.f('ck_messaging_messages_body_length')),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_messaging_messages_sender_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['thread_id'], ['messaging_threads.id'], name=op.f('fk_messaging_messages_thread_id_messaging_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messaging_messages'))
    )
    with op.batch_alter_table('messaging_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messaging_messages_sender_id'), ['sender_id'], unique=False)
        batch_op.create_index('ix_messaging_messages_thread_id', ['thread_id', 'id'], unique=False)

    op.create_table('messaging_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_read_id', sa.Integer(), server_default='0', nullable=False),
    sa.Column('notified_id', sa.Integer(), server_default='0', nullable=False),
    sa.Column('digest_queued_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['thread_id'], ['messaging_threads.id'], name=op.f('fk_messaging_participants_thread_id_messaging_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_messaging_participants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messaging_participants')),
    sa.UniqueConstraint('thread_id', 'user_id', name='uq_messaging_participants_thread_user')
    )
    with op.batch_alter_table('messaging_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messaging_participants_digest_queued_at'), ['digest_queued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_messaging_participants_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('messaging_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messaging_participants_user_id'))
        batch_op.drop_index(batch_op.f('ix_messaging_participants_digest_queued_at'))

    op.drop_table('messaging_participants')
    with op.batch_alter_table('messaging_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messaging_messages_thread_id')
        batch_op.drop_index(batch_op.f('ix_messaging_messages_sender_id'))

    op.drop_table('messaging_messages')
    with op.batch_alter_table('messaging_threads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messaging_threads_last_message_at'))

    op.drop_table('messaging_threads')
