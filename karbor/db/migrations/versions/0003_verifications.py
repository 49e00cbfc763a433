"""Verifications of checkpoints.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'verifications',
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('checkpoint_id', sa.String(36), nullable=False),
        sa.Column('status', sa.String(64), nullable=True),
        sa.Column('parameters', sa.Text(), nullable=True),
        sa.Column('resources_status', sa.Text(), nullable=True),
        sa.Column('resources_reason', sa.Text(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('status_reason', sa.Text(), nullable=True),
        sa.Column('progress', sa.Text(), nullable=True),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('host', sa.String(255), nullable=True),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_index('ix_verifications_project_created', 'verifications',
                    ['project_id', 'created_at'])
    op.create_index('ix_verifications_checkpoint_status', 'verifications',
                    ['checkpoint_id', 'status'])
    op.create_index('ix_verifications_status', 'verifications', ['status'])
