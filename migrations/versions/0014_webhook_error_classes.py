"""logistics: webhook deliveries keep the class of their last error, not the raw message

Revision ID: 0014_webhook_error_classes
Revises: 0014_login_sessions
Create Date: 2026-12-02 06:20:00

"""
from alembic import op

revision = '0014_webhook_error_classes'
down_revision = '0014_login_sessions'
branch_labels = None
depends_on = None


def upgrade():
    # Raw messages could show a buyer our network from the inside; keep only their class.
    op.execute("UPDATE logistics_webhook_deliveries SET last_error = 'disabled' WHERE last_error = 'webhook disabled'")
    op.execute("UPDATE logistics_webhook_deliveries SET last_error = 'address_refused' WHERE last_error = 'address refused'")
    op.execute("UPDATE logistics_webhook_deliveries SET last_error = 'http_status' WHERE last_error LIKE 'HTTP %'")
    op.execute(
        "UPDATE logistics_webhook_deliveries SET last_error = 'network' WHERE last_error <> '' AND last_error NOT IN "
        "('timeout', 'refused', 'dns', 'tls', 'network', 'http_status', 'address_refused', 'disabled')"
    )


def downgrade():
    pass  # the raw messages are gone on purpose
