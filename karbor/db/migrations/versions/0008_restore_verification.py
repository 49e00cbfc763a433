"""A restore records the verification state of its checkpoint.

What the latest verification of the checkpoint was when the restore was
accepted (id, level, status, end), or that there was none, and whether a
failed one was overridden: JSON, NULL on restores made before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('restores', sa.Column(
        'checkpoint_verification',
        sa.Text().with_variant(mysql.LONGTEXT(), 'mysql'), nullable=True))
