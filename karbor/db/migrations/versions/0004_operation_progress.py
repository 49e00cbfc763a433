"""Progress of protects and restores.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # JSON: files and bytes done of total, what was not copied, where a
    # restore put each resource.
    op.add_column('checkpoints', sa.Column('progress', sa.Text(),
                                           nullable=True))
    op.add_column('restores', sa.Column('progress', sa.Text(),
                                        nullable=True))
