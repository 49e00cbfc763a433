"""A scheduled operation keeps the Keystone trust its runs act through.

Behind Keystone, with delegation on, the API makes a trust from the user
who creates a scheduled operation to Karbor's service user; its id is
kept here until the scheduled operation is deleted. NULL without
Keystone, without delegation, and on scheduled operations made before.
Indexed: the end of every operation with a trust asks whether it is a
scheduled operation's (then it is kept).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('scheduled_operations', sa.Column(
        'trust_id', sa.String(64), nullable=True))
    op.create_index('ix_scheduled_operations_trust', 'scheduled_operations',
                    ['trust_id'])
